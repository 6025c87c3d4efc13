/*
 * user_repo.c — see user_repo.h.
 */
#include "user_repo.h"

enum db_status
user_repo_find_by_email(const char *email, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_UTF8(&filter, "email", email);
	st = db_find_one(DB_USER, &filter, out);
	bson_destroy(&filter);
	return st;
}

enum db_status
user_repo_find_by_id(const bson_oid_t *id, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_OID(&filter, "_id", id);
	st = db_find_one(DB_USER, &filter, out);
	bson_destroy(&filter);
	return st;
}

enum db_status
user_repo_insert(const bson_oid_t *id, const char *name, const char *email, const char *image,
                 int64_t now_ms, bson_t **out)
{
	bson_t *doc = bson_new();

	BSON_APPEND_OID(doc, "_id", id);
	BSON_APPEND_UTF8(doc, "name", name);
	BSON_APPEND_UTF8(doc, "email", email);
	BSON_APPEND_BOOL(doc, "emailVerified", false);
	if (image)
		BSON_APPEND_UTF8(doc, "image", image);
	BSON_APPEND_DATE_TIME(doc, "createdAt", now_ms);
	BSON_APPEND_DATE_TIME(doc, "updatedAt", now_ms);
	return db_insert_new(DB_USER, doc, out);
}

enum db_status
user_repo_delete(const bson_oid_t *id)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_OID(&filter, "_id", id);
	st = db_delete(DB_USER, &filter, false);
	bson_destroy(&filter);
	return st;
}

/* findAndModify(filter, {$set: {<set's fields in order>, updatedAt}}), the
 * document after. */
static enum db_status
user_repo_set(const bson_t *filter, const bson_t *set, int64_t now_ms, bson_t **out)
{
	bson_t update = BSON_INITIALIZER, fields;
	enum db_status st;

	BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &fields);
	bson_concat(&fields, set);
	BSON_APPEND_DATE_TIME(&fields, "updatedAt", now_ms);
	bson_append_document_end(&update, &fields);
	st = db_find_and_modify(DB_USER, filter, &update, false, out);
	bson_destroy(&update);
	return st;
}

enum db_status
user_repo_update(const bson_oid_t *id, const bson_t *set, int64_t now_ms, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_OID(&filter, "_id", id);
	st = user_repo_set(&filter, set, now_ms, out);
	bson_destroy(&filter);
	return st;
}

enum db_status
user_repo_set_email(const bson_oid_t *id, const char *email, int verified, int64_t now_ms,
                    bson_t **out)
{
	bson_t set = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_UTF8(&set, "email", email);
	if (verified >= 0)
		BSON_APPEND_BOOL(&set, "emailVerified", verified > 0);
	st = user_repo_update(id, &set, now_ms, out);
	bson_destroy(&set);
	return st;
}

enum db_status
user_repo_set_verified(const char *email, int64_t now_ms, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER, set = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_UTF8(&filter, "email", email);
	BSON_APPEND_BOOL(&set, "emailVerified", true);
	st = user_repo_set(&filter, &set, now_ms, out);
	bson_destroy(&set);
	bson_destroy(&filter);
	return st;
}
