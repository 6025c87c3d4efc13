/*
 * profile_repo.c — see profile_repo.h.
 */
#include "profile_repo.h"

#include "log.h"

/* A new profile's fields after _id and userId, into doc: the one place
 * the defaults are written, for the upsert and the insert alike. */
static void
profile_repo_append_defaults(bson_t *doc, int64_t now_ms)
{
	bson_t address;

	BSON_APPEND_UTF8(doc, "bio", "");
	BSON_APPEND_NULL(doc, "avatarUrl");
	BSON_APPEND_NULL(doc, "phoneNumber");
	BSON_APPEND_DOCUMENT_BEGIN(doc, "address", &address);
	bson_append_document_end(doc, &address);
	BSON_APPEND_DATE_TIME(doc, "createdAt", now_ms);
	BSON_APPEND_DATE_TIME(doc, "updatedAt", now_ms);
}

static enum db_status
profile_repo_ensure_once(const bson_oid_t *user_id, int64_t now_ms, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, insert;
	enum db_status st;

	BSON_APPEND_OID(&filter, "userId", user_id);
	BSON_APPEND_DOCUMENT_BEGIN(&update, "$setOnInsert", &insert);
	profile_repo_append_defaults(&insert, now_ms);
	bson_append_document_end(&update, &insert);
	st = db_find_and_modify(DB_PROFILES, &filter, &update, true, out);
	bson_destroy(&update);
	bson_destroy(&filter);
	return st;
}

/* Some stores (FerretDB 1.24) drop null values from $setOnInsert, leaving a
 * new profile without avatarUrl/phoneNumber. Sets the missing ones to null,
 * only where still missing (a concurrent PATCH wins), and adds them to doc. */
static enum db_status
profile_repo_fill_nulls(bson_t **doc)
{
	static const char *const fields[] = {"avatarUrl", "phoneNumber"};
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set, cond;
	bson_iter_t it;
	bson_oid_t id;
	bson_t *fixed;
	size_t i, n = 0;
	enum db_status st = DB_OK;

	if (!bson_iter_init_find(&it, *doc, "_id") || !BSON_ITER_HOLDS_OID(&it))
		goto done;
	bson_oid_copy(bson_iter_oid(&it), &id);
	BSON_APPEND_OID(&filter, "_id", &id);
	BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (bson_has_field(*doc, fields[i]))
			continue;
		BSON_APPEND_DOCUMENT_BEGIN(&filter, fields[i], &cond);
		BSON_APPEND_BOOL(&cond, "$exists", false);
		bson_append_document_end(&filter, &cond);
		BSON_APPEND_NULL(&set, fields[i]);
		n++;
	}
	bson_append_document_end(&update, &set);
	if (n == 0)
		goto done;
	log_warn("profiles: the store dropped null defaults of a new profile; setting them again");
	st = db_find_and_modify(DB_PROFILES, &filter, &update, false, &fixed);
	if (st == DB_OK) {
		bson_destroy(*doc);
		*doc = fixed;
	} else if (st == DB_NOT_FOUND) {
		st = DB_OK; /* a concurrent write got there first; keep what we have */
	}
done:
	bson_destroy(&update);
	bson_destroy(&filter);
	return st;
}

enum db_status
profile_repo_ensure(const bson_oid_t *user_id, int64_t now_ms, bson_t **out)
{
	enum db_status st = profile_repo_ensure_once(user_id, now_ms, out);

	if (st == DB_DUPLICATE) /* lost an insert race: the document exists now */
		st = profile_repo_ensure_once(user_id, now_ms, out);
	if (st == DB_OK)
		st = profile_repo_fill_nulls(out);
	if (st != DB_OK && *out) {
		bson_destroy(*out);
		*out = NULL;
	}
	return st;
}

enum db_status
profile_repo_create(const bson_oid_t *user_id, int64_t now_ms, bson_t **out)
{
	bson_t *doc = bson_new();
	bson_oid_t id;
	enum db_status st;

	bson_oid_init(&id, NULL);
	BSON_APPEND_OID(doc, "_id", &id);
	BSON_APPEND_OID(doc, "userId", user_id);
	profile_repo_append_defaults(doc, now_ms);
	st = db_insert_new(DB_PROFILES, doc, out);
	return st == DB_DUPLICATE ? profile_repo_ensure(user_id, now_ms, out) : st;
}

enum db_status
profile_repo_update(const bson_oid_t *user_id, const bson_t *set, int64_t now_ms, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, fields;
	enum db_status st;

	BSON_APPEND_OID(&filter, "userId", user_id);
	BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &fields);
	bson_concat(&fields, set);
	BSON_APPEND_DATE_TIME(&fields, "updatedAt", now_ms);
	bson_append_document_end(&update, &fields);
	st = db_find_and_modify(DB_PROFILES, &filter, &update, false, out);
	bson_destroy(&update);
	bson_destroy(&filter);
	return st;
}

/* ---- the account program (delete-user) */

enum db_status
profile_repo_delete(const bson_oid_t *user_id)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_OID(&filter, "userId", user_id);
	st = db_delete(DB_PROFILES, &filter, false);
	bson_destroy(&filter);
	return st == DB_NOT_FOUND ? DB_OK : st;
}
