/*
 * verification_repo.c — see verification_repo.h.
 *
 * Better Auth's adapter reads with aggregate [$match, $sort, $limit]; a find
 * with sort and limit 1 is the same query. Its cleanup first fetches up to
 * 100 expired rows for database hooks, which we do not have, so only the
 * deleteMany is issued. Where Better Auth runs the consume inside a
 * transaction (only with a client configured), findOneAndDelete alone is
 * what makes a token single-use, here as there.
 */
#include "verification_repo.h"

#define VERIFICATION_CLEANUP_INTERVAL_MS 60000

static int64_t verification_next_cleanup_ms; /* 0: the first read cleans */

enum db_status
verification_repo_insert(const char *identifier, const char *value, int64_t expires_at_ms,
                         int64_t now_ms, bson_t **out)
{
	bson_t *doc = bson_new();
	bson_oid_t oid;

	bson_oid_init(&oid, NULL);
	BSON_APPEND_UTF8(doc, "identifier", identifier);
	BSON_APPEND_UTF8(doc, "value", value);
	BSON_APPEND_DATE_TIME(doc, "expiresAt", expires_at_ms);
	BSON_APPEND_DATE_TIME(doc, "createdAt", now_ms);
	BSON_APPEND_DATE_TIME(doc, "updatedAt", now_ms);
	BSON_APPEND_OID(doc, "_id", &oid);
	return db_insert_new(DB_VERIFICATION, doc, out);
}

/* find {identifier} sort {createdAt: -1} limit 1. */
static enum db_status
verification_find_newest(const char *identifier, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER, sort = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_UTF8(&filter, "identifier", identifier);
	BSON_APPEND_INT32(&sort, "createdAt", -1);
	st = db_find_first(DB_VERIFICATION, &filter, &sort, out);
	bson_destroy(&sort);
	bson_destroy(&filter);
	return st;
}

static void
verification_cleanup(int64_t now_ms)
{
	bson_t *filter;

	if (now_ms < verification_next_cleanup_ms)
		return;
	verification_next_cleanup_ms = now_ms + VERIFICATION_CLEANUP_INTERVAL_MS;
	filter = BCON_NEW("expiresAt", "{", "$lt", BCON_DATE_TIME(now_ms), "}");
	(void)db_delete(DB_VERIFICATION, filter, true); /* failures are logged there */
	bson_destroy(filter);
}

enum db_status
verification_repo_find_latest(const char *identifier, int64_t now_ms, bson_t **out)
{
	enum db_status st = verification_find_newest(identifier, out);

	if (st == DB_OK || st == DB_NOT_FOUND)
		verification_cleanup(now_ms);
	return st;
}

enum db_status
verification_repo_consume(const char *identifier, int64_t now_ms, bson_t **out)
{
	bson_t *latest = NULL, *older = NULL, by_id = BSON_INITIALIZER;
	const bson_oid_t *oid;
	bson_iter_t it;
	int64_t created;
	enum db_status st;

	*out = NULL;
	st = verification_find_newest(identifier, &latest);
	if (st != DB_OK)
		goto done;
	st = DB_FAILED;
	if (!bson_iter_init_find(&it, latest, "_id") || !BSON_ITER_HOLDS_OID(&it))
		goto done;
	oid = bson_iter_oid(&it);
	if (!bson_iter_init_find(&it, latest, "createdAt") || !BSON_ITER_HOLDS_DATE_TIME(&it))
		goto done;
	created = bson_iter_date_time(&it);
	older = BCON_NEW("$and", "[", "{", "identifier", BCON_UTF8(identifier), "}", "{", "_id",
	                 "{", "$ne", BCON_OID(oid), "}", "}", "{", "createdAt", "{", "$lte",
	                 BCON_DATE_TIME(created), "}", "}", "]");
	st = db_delete(DB_VERIFICATION, older, true);
	if (st != DB_OK && st != DB_NOT_FOUND)
		goto done;
	BSON_APPEND_OID(&by_id, "_id", oid);
	st = db_find_one_and_delete(DB_VERIFICATION, &by_id, out);
	if (st == DB_OK && verification_repo_is_expired(*out, now_ms)) {
		bson_destroy(*out);
		*out = NULL;
		st = DB_NOT_FOUND;
	}
done:
	bson_destroy(older);
	bson_destroy(&by_id);
	bson_destroy(latest);
	return st;
}

bool
verification_repo_is_expired(const bson_t *row, int64_t now_ms)
{
	bson_iter_t it;

	return !bson_iter_init_find(&it, row, "expiresAt") || !BSON_ITER_HOLDS_DATE_TIME(&it) ||
	       bson_iter_date_time(&it) < now_ms;
}
