/*
 * session_repo.h — Better Auth's `session` collection: {_id, expiresAt: Date,
 * token, createdAt, updatedAt, ipAddress, userAgent, userId: ObjectId}.
 */
#ifndef SESSION_REPO_H
#define SESSION_REPO_H

#include "db.h"

#include <stddef.h>
#include <stdint.h>

/* Inserts a session; *out is the document inserted (caller destroys). */
enum db_status session_repo_insert(const char *token, const bson_oid_t *user_id,
                                   int64_t expires_at_ms, int64_t now_ms, const char *ip,
                                   const char *user_agent, bson_t **out);

enum db_status session_repo_find_by_token(const char *token, bson_t **out);

/* Sliding refresh: sets expiresAt and updatedAt; DB_NOT_FOUND if gone. */
enum db_status session_repo_update_expiry(const char *token, int64_t expires_at_ms, int64_t now_ms);

enum db_status session_repo_delete_by_token(const char *token);

/* ---------------------------------------------------------------- per user
 * The session-management endpoints (list-sessions, revoke-*, change-password). */

/* The user's live sessions (expiresAt > now_ms), in storage order (Better
 * Auth sorts nothing), at most limit of them: *out a malloc'd array of *n
 * documents (caller frees with session_repo_list_free); NULL and 0 unless
 * DB_OK (an empty list is DB_OK). */
enum db_status session_repo_find_live_by_user(const bson_oid_t *user_id, int64_t now_ms,
                                              size_t limit, bson_t ***out, size_t *n);

void session_repo_list_free(bson_t **list, size_t n);

/* Deletes every session of the user. DB_OK also when there was none. */
enum db_status session_repo_delete_by_user(const bson_oid_t *user_id);

/* Deletes the session of token only if it belongs to user_id, in one
 * operation: another user's token is never touched. DB_NOT_FOUND when
 * nothing matched. */
enum db_status session_repo_delete_by_token_and_user(const char *token, const bson_oid_t *user_id);

/* Deletes the user's live sessions except keep_token's. DB_OK also when
 * there was none. */
enum db_status session_repo_delete_others(const bson_oid_t *user_id, const char *keep_token,
                                          int64_t now_ms);

#endif
