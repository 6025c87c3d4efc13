/*
 * user_repo.h — Better Auth's `user` collection, written as its MongoDB
 * adapter writes it: {_id: ObjectId, name, email (lower-case), emailVerified,
 * [image], createdAt: Date, updatedAt: Date}. Documents returned are new
 * bson_t the caller destroys; *out is NULL unless DB_OK.
 */
#ifndef USER_REPO_H
#define USER_REPO_H

#include "db.h"

#include <stdint.h>

enum db_status user_repo_find_by_email(const char *email, bson_t **out);
enum db_status user_repo_find_by_id(const bson_oid_t *id, bson_t **out);

/* Inserts a new user with _id id (image NULL: no image key). DB_DUPLICATE
 * when the email is taken (unique index). *out is the document inserted. */
enum db_status user_repo_insert(const bson_oid_t *id, const char *name, const char *email,
                                const char *image, int64_t now_ms, bson_t **out);

enum db_status user_repo_delete(const bson_oid_t *id);

/* ---- the account program (update-user) */

/* findOneAndUpdate({_id}, {$set: {<set's fields in order>, updatedAt}},
 * returnDocument after): *out the user after the update (caller destroys).
 * set's values are stored as given (any BSON type). DB_NOT_FOUND when the
 * user is gone. */
enum db_status user_repo_update(const bson_oid_t *id, const bson_t *set, int64_t now_ms,
                                bson_t **out);

/* Mail flows: findAndModify {_id} $set {email, [emailVerified], updatedAt}
 * (verified < 0: emailVerified untouched). *out the user after. */
enum db_status user_repo_set_email(const bson_oid_t *id, const char *email, int verified,
                                   int64_t now_ms, bson_t **out);

/* verify-email: findAndModify {email} $set {emailVerified: true, updatedAt}. */
enum db_status user_repo_set_verified(const char *email, int64_t now_ms, bson_t **out);

#endif
