/*
 * verify.h — e-mail verification (accounts spec §3.12–§3.14): the signed
 * token (jwt.h) mailed by sign-up, sign-in, send-verification-email and the
 * change-of-address flows, and GET /verify-email, which sets emailVerified,
 * applies a change of address, or mails the next step of one.
 */
#ifndef VERIFY_H
#define VERIFY_H

#include "app.h"

#include <bson/bson.h>
#include <stdbool.h>

extern const struct body_field verify_send_schema[];

/* POST /send-verification-email {email, callbackURL?}. */
enum response_error verify_send(struct call *c);

/* GET /verify-email?token=&callbackURL=. */
enum response_error verify_email(struct call *c);

/* Mails user (a stored user document) the link of a plain verification
 * token {email, userId}, after the answer; nothing without a sender. */
void verify_mail_defer(struct call *c, const bson_t *user, const char *callback);

/* The user's emailVerified is true. */
bool verify_is_verified(const bson_t *user);

#endif
