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

#endif
