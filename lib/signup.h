/*
 * signup.h — POST /sign-up/email (spec §2.1): a user, its credential account
 * and a session, as Better Auth 1.7.25 writes them.
 */
#ifndef SIGNUP_H
#define SIGNUP_H

#include "app.h"

/* The route's schema (zod's order) and handler. */
extern const struct body_field signup_schema[];
enum response_error signup_email(struct call *c);

#endif
