/*
 * signin.h — POST /sign-in/email (spec §2.2): the password checked with
 * scrypt (the same work for an unknown email), then a new session.
 */
#ifndef SIGNIN_H
#define SIGNIN_H

#include "app.h"

extern const struct body_field signin_schema[];
enum response_error signin_email(struct call *c);

#endif
