/*
 * app_user_repo.h — the application's `users` collection, one document per
 * Better Auth user: {_id: ObjectId, betterAuthUserId: "<24-hex>", email, name,
 * createdAt, updatedAt}, unique on betterAuthUserId. Writes are upserts on
 * that unique key, never "find, then insert"; only a user nobody else can
 * know yet (sign-up) gets a plain insert.
 */
#ifndef APP_USER_REPO_H
#define APP_USER_REPO_H

#include "db.h"

#include <stdint.h>

/* Creates or updates the document of auth user ba_id with email and name;
 * race-free (upsert on the unique index; on a duplicate-key error from a
 * concurrent upsert, retried once, which then matches). *out is the document
 * after the write (caller destroys). */
enum db_status app_user_repo_upsert(const char *ba_id, const char *email, const char *name,
                                    int64_t now_ms, bson_t **out);

/* The document of auth user ba_id, created with email and name when missing;
 * an existing one is returned unchanged. Race-free like the upsert. */
enum db_status app_user_repo_ensure(const char *ba_id, const char *email, const char *name,
                                    int64_t now_ms, bson_t **out);

/* The document of an auth user just made (sign-up, before any session of it
 * exists): inserted, the same document the upsert would make — one insert
 * served by the unique index instead of an upsert that must find first (a
 * collection scan on a store without index-served filters). A duplicate key
 * (the document made meanwhile after all) falls back to
 * app_user_repo_ensure. */
enum db_status app_user_repo_create(const char *ba_id, const char *email, const char *name,
                                    int64_t now_ms, bson_t **out);

/* ---- the account program (delete-user) */

/* Removes the document of auth user ba_id (findOneAndDelete): *out the
 * document removed (caller destroys), NULL with DB_NOT_FOUND when there was
 * none. */
enum db_status app_user_repo_delete(const char *ba_id, bson_t **out);

#endif
