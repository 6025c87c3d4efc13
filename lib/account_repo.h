/*
 * account_repo.h — Better Auth's `account` collection, credential accounts
 * only: {_id, accountId: "<user id hex>", providerId: "credential",
 * userId: ObjectId, password: "<salt>:<key>", createdAt, updatedAt}.
 */
#ifndef ACCOUNT_REPO_H
#define ACCOUNT_REPO_H

#include "db.h"

#include <stdint.h>

enum db_status account_repo_insert_credential(const bson_oid_t *user_id, const char *hash,
                                              int64_t now_ms);

/* The credential account of a user: providerId "credential" and accountId
 * equal to the user's id, as Better Auth picks it. *out as in db_find_one. */
enum db_status account_repo_find_credential(const bson_oid_t *user_id, bson_t **out);

/* Any account of the user, whatever its provider. */
enum db_status account_repo_find_any(const bson_oid_t *user_id, bson_t **out);

/* Removes the user's credential account (sign-up's compensation when the
 * user insert fails). DB_NOT_FOUND when there was none. */
enum db_status account_repo_delete_credential(const bson_oid_t *user_id);

/* change-password: sets the password hash and updatedAt of the account whose
 * _id is account_id. DB_NOT_FOUND when it is gone. */
enum db_status account_repo_update_password(const bson_oid_t *account_id, const char *hash,
                                            int64_t now_ms);

/* ---- the account program (list-accounts, unlink-account, delete-user) */

#define ACCOUNT_REPO_LIST_MAX 100 /* Better Auth's findAccounts limit */

/* The user's accounts, any provider, in storage order (at most
 * ACCOUNT_REPO_LIST_MAX): *out is a new document whose values are the rows
 * under keys "0", "1", … (caller destroys; an empty document when there are
 * none, NULL unless DB_OK). */
enum db_status account_repo_find_by_user(const bson_oid_t *user_id, bson_t **out);

/* Removes the account row _id id. DB_NOT_FOUND when there was none. */
enum db_status account_repo_delete_by_id(const bson_oid_t *id);

/* Removes every account of the user (delete-user). DB_OK even when there
 * were none. */
enum db_status account_repo_delete_by_user(const bson_oid_t *user_id);

/* Sets the credential account's password (reset-password); DB_NOT_FOUND
 * when the user has none. */
enum db_status account_repo_set_password(const bson_oid_t *user_id, const char *hash,
                                         int64_t now_ms);

#endif
