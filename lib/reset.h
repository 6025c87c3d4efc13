/*
 * reset.h — password reset (accounts spec §3.9–§3.11): the request that
 * mails a link (the same answer and work whether or not the address is
 * known), the link's redirect, and the reset itself (single-use token in the
 * verification collection, scrypt hash, a credential account when missing,
 * optionally every session revoked).
 */
#ifndef RESET_H
#define RESET_H

#include "app.h"

extern const struct body_field reset_request_schema[];
extern const struct body_field reset_password_schema[];

/* POST /request-password-reset {email, redirectTo?}. */
enum response_error reset_request(struct call *c);

/* GET /reset-password/<token>?callbackURL=: 302 to callbackURL with token=
 * or error=INVALID_TOKEN; the token is not consumed. */
enum response_error reset_link(struct call *c);

/* POST /reset-password {newPassword, token?} (or ?token=). */
enum response_error reset_password(struct call *c);

#endif
