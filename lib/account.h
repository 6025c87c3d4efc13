/*
 * account.h — the signed-in user's own record (accounts spec §3.1, §3.16–
 * §3.19): update-user (name, image), delete-user and its mailed link, and the
 * list and unlinking of the user's accounts. Handlers for the `account`
 * program's route table; the app documents follow through hooks.h.
 */
#ifndef ACCOUNT_H
#define ACCOUNT_H

#include "app.h"

/* POST /update-user: a z.record body ("[body] Invalid input: expected
 * record, received X" otherwise), then email refused, name/image stored as
 * given, the session cookie re-set (§2.4), {"status":true}. */
bool account_update_validate(struct call *c);
enum response_error account_update_user(struct call *c);

/* POST /delete-user: off unless FCGI_AUTH_DELETE_USER (an empty 404); the
 * password, token, mail and freshness rules of §3.16. */
extern const struct body_field account_delete_schema[];
enum response_error account_delete_user(struct call *c);

/* GET /delete-user/callback?token=&callbackURL= (§3.17): the query's
 * validation and callbackURL check, then the deletion by a signed-in user. */
bool account_callback_validate(struct call *c);
enum response_error account_delete_callback(struct call *c);

/* GET /list-accounts (§3.18). */
enum response_error account_list(struct call *c);

/* POST /unlink-account {accountId: <the row's id>} (§3.19). */
extern const struct body_field account_unlink_schema[];
enum response_error account_unlink(struct call *c);

#endif
