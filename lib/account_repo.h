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

#endif
