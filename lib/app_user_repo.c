/*
 * app_user_repo.c — see app_user_repo.h.
 */
#include "app_user_repo.h"

/* A new document's fields after _id and betterAuthUserId, into doc: for
 * the create-only upsert and the insert alike. */
static void
app_user_repo_append_fields(bson_t *doc, const char *email, const char *name, int64_t now_ms)
{
	BSON_APPEND_UTF8(doc, "email", email);
	BSON_APPEND_UTF8(doc, "name", name);
	BSON_APPEND_DATE_TIME(doc, "createdAt", now_ms);
	BSON_APPEND_DATE_TIME(doc, "updatedAt", now_ms);
}

/* One findAndModify upsert on betterAuthUserId. overwrite: email, name and
 * updatedAt are $set; otherwise everything is $setOnInsert (create only). */
static enum db_status
app_user_repo_upsert_once(const char *ba_id, const char *email, const char *name, int64_t now_ms,
                          bool overwrite, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set, insert;
	enum db_status st;

	BSON_APPEND_UTF8(&filter, "betterAuthUserId", ba_id);
	if (overwrite) {
		BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
		BSON_APPEND_UTF8(&set, "email", email);
		BSON_APPEND_UTF8(&set, "name", name);
		BSON_APPEND_DATE_TIME(&set, "updatedAt", now_ms);
		bson_append_document_end(&update, &set);
		BSON_APPEND_DOCUMENT_BEGIN(&update, "$setOnInsert", &insert);
		BSON_APPEND_DATE_TIME(&insert, "createdAt", now_ms);
	} else {
		BSON_APPEND_DOCUMENT_BEGIN(&update, "$setOnInsert", &insert);
		app_user_repo_append_fields(&insert, email, name, now_ms);
	}
	bson_append_document_end(&update, &insert);
	st = db_find_and_modify(DB_APP_USERS, &filter, &update, true, out);
	/* Two upserts racing on a missing document: one inserts, the other gets
	 * E11000 from the unique index; the same upsert now matches. */
	if (st == DB_DUPLICATE)
		st = db_find_and_modify(DB_APP_USERS, &filter, &update, true, out);
	bson_destroy(&update);
	bson_destroy(&filter);
	return st;
}

enum db_status
app_user_repo_upsert(const char *ba_id, const char *email, const char *name, int64_t now_ms,
                     bson_t **out)
{
	return app_user_repo_upsert_once(ba_id, email, name, now_ms, true, out);
}

enum db_status
app_user_repo_ensure(const char *ba_id, const char *email, const char *name, int64_t now_ms,
                     bson_t **out)
{
	return app_user_repo_upsert_once(ba_id, email, name, now_ms, false, out);
}

enum db_status
app_user_repo_create(const char *ba_id, const char *email, const char *name, int64_t now_ms,
                     bson_t **out)
{
	bson_t *doc = bson_new();
	bson_oid_t id;
	enum db_status st;

	bson_oid_init(&id, NULL);
	BSON_APPEND_OID(doc, "_id", &id);
	BSON_APPEND_UTF8(doc, "betterAuthUserId", ba_id);
	app_user_repo_append_fields(doc, email, name, now_ms);
	st = db_insert_new(DB_APP_USERS, doc, out);
	return st == DB_DUPLICATE ? app_user_repo_ensure(ba_id, email, name, now_ms, out) : st;
}

/* ---- the account program (delete-user) */

enum db_status
app_user_repo_delete(const char *ba_id, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_UTF8(&filter, "betterAuthUserId", ba_id);
	st = db_find_one_and_delete(DB_APP_USERS, &filter, out);
	bson_destroy(&filter);
	return st;
}
