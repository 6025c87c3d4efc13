/*
 * verification_repo.h — Better Auth's `verification` collection (spec accounts
 * §5), written as its MongoDB adapter writes it: {identifier, value (a
 * string, e.g. the user id's hex), expiresAt, createdAt, updatedAt: Date,
 * _id: ObjectId}, non-unique index on identifier. Rows are the password-reset
 * ("reset-password:<token>") and account-deletion ("delete-account-<token>")
 * tokens. Documents returned are new bson_t the caller destroys; *out is
 * NULL unless DB_OK. identifier and value must be valid UTF-8 (the caller
 * has checked what a client sent).
 */
#ifndef VERIFICATION_REPO_H
#define VERIFICATION_REPO_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* Inserts a row; *out is the document inserted. */
enum db_status verification_repo_insert(const char *identifier, const char *value,
                                        int64_t expires_at_ms, int64_t now_ms, bson_t **out);

/* The newest row of identifier (find {identifier} sort {createdAt: -1}
 * limit 1), expired or not: the caller checks verification_repo_is_expired.
 * Then, as Better Auth's findVerificationValue, at most once every 60 s per
 * process (the first call of a process included), deletes every row with
 * expiresAt < now — possibly the one just read. A failed cleanup is logged
 * and does not change the answer. DB_NOT_FOUND when there is no row. */
enum db_status verification_repo_find_latest(const char *identifier, int64_t now_ms, bson_t **out);

/* Takes the newest row of identifier for good (single use, across
 * processes): finds it, deletes the older rows of the same identifier
 * (createdAt <= its createdAt), then findOneAndDelete by its _id. *out is
 * the row taken. DB_NOT_FOUND when there was none, another process took it
 * first, or it had expired (it is deleted either way). */
enum db_status verification_repo_consume(const char *identifier, int64_t now_ms, bson_t **out);

/* True when row's expiresAt < now_ms (strict: a row expiring exactly now is
 * still valid), or when it has no date expiresAt. */
bool verification_repo_is_expired(const bson_t *row, int64_t now_ms);

#endif
