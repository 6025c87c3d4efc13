/*
 * account.h — the signed-in user's own record (accounts spec §3.1, §3.18–
 * §3.19): update-user (name, image) and the list and unlinking of the user's
 * accounts (delete-user is deleteuser.h). Handlers for the `account`
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

/* The user's id: "_id" of a stored user, "id" of the cookie cache's copy;
 * false when it has neither. */
bool account_user_oid(const bson_t *user, bson_oid_t *out);

/* GET /list-accounts (§3.18). */
enum response_error account_list(struct call *c);

/* POST /unlink-account {accountId: <the row's id>} (§3.19). */
extern const struct body_field account_unlink_schema[];
enum response_error account_unlink(struct call *c);

#endif
