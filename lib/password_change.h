/*
 * password_change.h — the signed-in user's password: POST /change-password
 * and POST /verify-password (core spec §2.10, accounts spec §3.2–§3.3). With
 * sign-in and sign-up, the only endpoints that read a password hash; every
 * scrypt runs under the machine-wide hash cap (password.h).
 */
#ifndef PASSWORD_CHANGE_H
#define PASSWORD_CHANGE_H

#include "app.h"

/* POST /change-password (APP_SESSION_DB, RATELIMIT_STRICT):
 * {newPassword, currentPassword, revokeOtherSessions?}. Length rules, the
 * credential account, the new hash first, then the current password; with
 * revokeOtherSessions every session of the user is deleted and a new one is
 * created, its cookie in the request's form (accounts spec §2.4).
 * 200 {"token":null|"<new>","user":{…}} (the user as before the request). */
extern const struct body_field password_change_schema[];
enum response_error password_change_post(struct call *c);

/* POST /verify-password (APP_SESSION_DB): {password}. 200 {"status":true},
 * or 400 INVALID_PASSWORD (also without a credential account, unhashed). */
extern const struct body_field password_change_verify_schema[];
enum response_error password_change_verify(struct call *c);

#endif
