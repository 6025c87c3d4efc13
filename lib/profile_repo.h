/*
 * profile_repo.h — the application's `profiles` collection, one per app user:
 * {_id, userId: ObjectId (users._id), bio: "", avatarUrl: null,
 * phoneNumber: null, address: {street, city, state, postalCode, country}
 * (strings, each absent until set), createdAt, updatedAt}, unique on userId.
 */
#ifndef PROFILE_REPO_H
#define PROFILE_REPO_H

#include "db.h"

#include <stdint.h>

/* The profile of app user user_id, created with defaults when missing
 * (upsert with $setOnInsert; race-free as app_user_repo_upsert). */
enum db_status profile_repo_ensure(const bson_oid_t *user_id, int64_t now_ms, bson_t **out);

/* The profile of an app user just inserted (app_user_repo_create): inserted
 * with the defaults, as profile_repo_ensure would make it; a duplicate key
 * falls back to profile_repo_ensure. */
enum db_status profile_repo_create(const bson_oid_t *user_id, int64_t now_ms, bson_t **out);

/* Applies set (a document of field → value, dotted "address.x" allowed, all
 * validated by the caller) and updatedAt; *out is the document after. */
enum db_status profile_repo_update(const bson_oid_t *user_id, const bson_t *set, int64_t now_ms,
                                   bson_t **out);

/* ---- the account program (delete-user) */

/* Removes the profile of app user user_id. DB_OK even when there was none. */
enum db_status profile_repo_delete(const bson_oid_t *user_id);

#endif
