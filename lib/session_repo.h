/*
 * session_repo.h — Better Auth's `session` collection: {_id, expiresAt: Date,
 * token, createdAt, updatedAt, ipAddress, userAgent, userId: ObjectId}.
 */
#ifndef SESSION_REPO_H
#define SESSION_REPO_H

#include "db.h"

#include <stdint.h>

/* Inserts a session; *out is the document inserted (caller destroys). */
enum db_status session_repo_insert(const char *token, const bson_oid_t *user_id,
                                   int64_t expires_at_ms, int64_t now_ms, const char *ip,
                                   const char *user_agent, bson_t **out);

enum db_status session_repo_find_by_token(const char *token, bson_t **out);

/* Sliding refresh: sets expiresAt and updatedAt; DB_NOT_FOUND if gone. */
enum db_status session_repo_update_expiry(const char *token, int64_t expires_at_ms, int64_t now_ms);

enum db_status session_repo_delete_by_token(const char *token);

/* Every session of a user (reset-password's revokeSessionsOnPasswordReset);
 * DB_NOT_FOUND when there was none. */
enum db_status session_repo_delete_by_user(const bson_oid_t *user_id);

#endif
