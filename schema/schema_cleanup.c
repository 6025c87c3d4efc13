/*
 * schema_cleanup.c — see schema_cleanup.h.
 *
 * Each collection is read in pages of at most `batch` candidates, in _id
 * order from just after the last one read, so a candidate that stays (a
 * bucket that came back to life) is read once and the run always ends. Each
 * page is deleted in one unordered bulk of delete-one's by _id that repeat
 * the expiry condition: on MongoDB a row refreshed between the read and the
 * delete (a session extended, a bucket counting again) no longer matches and
 * stays. Sessions and verification rows never come back once expired (the
 * programs and Better Auth refuse, and delete, an expired row rather than
 * extend it), so for them that is all.
 *
 * Rate-limit buckets do come back: the next request from that client resets
 * a stale bucket to count 1. On stores whose findAndModify is a read then a
 * write (FerretDB 1.24) a delete landing between the two would lose that
 * count, and the strict limits (3 a window) are exact only because each
 * count runs under the bucket's lock document, "<key>#lock", which the
 * unique index on `key` lets one process insert at a time (ratelimit.c). So
 * a bucket is deleted only while this process holds its lock: the page's
 * locks are inserted in one unordered bulk, a bucket whose lock is held by a
 * request (duplicate key) is left for the next run, and the locks are
 * removed by _id and nonce afterwards. A lock document is itself deleted
 * only when older than the longest window — a live holder keeps one for
 * milliseconds, and the limiter takes over any older than 2 s.
 */
#include "schema_cleanup.h"

#include "crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLEANUP_LOCK_SUFFIX "#lock"

struct cleanup_row {
	bson_value_t id;
	char *key;    /* rateLimit only */
	bool is_lock; /* a "<key>#lock" document */
	bool locked;  /* a bucket whose lock we inserted */
	bson_oid_t lock_id;
};

static int64_t
cleanup_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
cleanup_pause(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	if (ms > 0)
		nanosleep(&ts, NULL);
}

static void
cleanup_rows_clear(struct cleanup_row *rows, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		bson_value_destroy(&rows[i].id);
		free(rows[i].key);
		memset(&rows[i], 0, sizeof(rows[i]));
	}
}

static bool
cleanup_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Up to batch candidates matching cond with _id > *last (when has_last), in
 * _id order, into rows[0..*n). false + error on a store error. */
static bool
cleanup_page(mongoc_collection_t *coll, const bson_t *cond, const bson_value_t *last, bool has_last,
             int batch, struct cleanup_row *rows, int *n, bson_error_t *error)
{
	bson_t filter = BSON_INITIALIZER, *opts, gt;
	mongoc_cursor_t *cursor;
	const bson_t *doc;
	bool ok;

	*n = 0;
	bson_concat(&filter, cond);
	if (has_last) {
		BSON_APPEND_DOCUMENT_BEGIN(&filter, "_id", &gt);
		BSON_APPEND_VALUE(&gt, "$gt", last);
		bson_append_document_end(&filter, &gt);
	}
	opts = BCON_NEW("projection", "{", "_id", BCON_INT32(1), "key", BCON_INT32(1), "}", "sort",
	                "{", "_id", BCON_INT32(1), "}", "limit", BCON_INT64(batch));
	cursor = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
	while (*n < batch && mongoc_cursor_next(cursor, &doc)) {
		bson_iter_t it;

		if (!bson_iter_init_find(&it, doc, "_id"))
			continue;
		bson_value_copy(bson_iter_value(&it), &rows[*n].id);
		if (bson_iter_init_find(&it, doc, "key") && BSON_ITER_HOLDS_UTF8(&it)) {
			rows[*n].key = strdup(bson_iter_utf8(&it, NULL));
			rows[*n].is_lock = cleanup_has_suffix(rows[*n].key, CLEANUP_LOCK_SUFFIX);
		}
		(*n)++;
	}
	ok = !mongoc_cursor_error(cursor, error);
	mongoc_cursor_destroy(cursor);
	bson_destroy(opts);
	bson_destroy(&filter);
	return ok;
}

/* The bulk's reply: false on any error except duplicate keys, whose
 * operation indexes are marked in dup[] (when dup is not NULL). The error
 * itself is the one mongoc_bulk_operation_execute filled in. */
static bool
cleanup_bulk_reply(bool executed, const bson_t *reply, bool *dup, size_t n)
{
	bson_iter_t it, errs;
	bool other = false, any = false;

	if (bson_iter_init_find(&it, reply, "writeConcernErrors") && BSON_ITER_HOLDS_ARRAY(&it) &&
	    bson_iter_recurse(&it, &errs) && bson_iter_next(&errs))
		return false;
	if (bson_iter_init_find(&it, reply, "writeErrors") && BSON_ITER_HOLDS_ARRAY(&it) &&
	    bson_iter_recurse(&it, &errs)) {
		while (bson_iter_next(&errs)) {
			bson_iter_t e;
			int64_t index = -1, code = 0;

			any = true;
			if (BSON_ITER_HOLDS_DOCUMENT(&errs) && bson_iter_recurse(&errs, &e))
				while (bson_iter_next(&e)) {
					if (!strcmp(bson_iter_key(&e), "index") &&
					    BSON_ITER_HOLDS_NUMBER(&e))
						index = bson_iter_as_int64(&e);
					else if (!strcmp(bson_iter_key(&e), "code") &&
					         BSON_ITER_HOLDS_NUMBER(&e))
						code = bson_iter_as_int64(&e);
				}
			if (code == 11000 && dup && index >= 0 && (size_t)index < n)
				dup[index] = true;
			else
				other = true;
		}
	}
	if (other)
		return false;
	return executed || any; /* not executed, no write error: no server, timeout */
}

static int64_t
cleanup_removed(const bson_t *reply)
{
	bson_iter_t it;

	return bson_iter_init_find(&it, reply, "nRemoved") && BSON_ITER_HOLDS_NUMBER(&it)
	               ? bson_iter_as_int64(&it)
	               : 0;
}

/* Deletes the rows of the page — all, or with under_lock only the buckets
 * we locked and the lock documents — each only if it still matches cond. */
static bool
cleanup_delete(mongoc_collection_t *coll, const bson_t *cond, const struct cleanup_row *rows, int n,
               bool under_lock, int64_t *deleted, bson_error_t *error)
{
	mongoc_bulk_operation_t *bulk;
	bson_t *bopts = BCON_NEW("ordered", BCON_BOOL(false)), reply;
	bool ok, any = false;
	int i;

	bulk = mongoc_collection_create_bulk_operation_with_opts(coll, bopts);
	for (i = 0; i < n; i++) {
		bson_t sel = BSON_INITIALIZER;

		if (under_lock && !rows[i].locked && !rows[i].is_lock)
			continue;
		BSON_APPEND_VALUE(&sel, "_id", &rows[i].id);
		bson_concat(&sel, cond);
		mongoc_bulk_operation_remove_one_with_opts(bulk, &sel, NULL, NULL);
		bson_destroy(&sel);
		any = true;
	}
	if (!any) {
		mongoc_bulk_operation_destroy(bulk);
		bson_destroy(bopts);
		return true;
	}
	ok = mongoc_bulk_operation_execute(bulk, &reply, error) != 0;
	ok = cleanup_bulk_reply(ok, &reply, NULL, 0);
	if (ok)
		*deleted += cleanup_removed(&reply);
	bson_destroy(&reply);
	mongoc_bulk_operation_destroy(bulk);
	bson_destroy(bopts);
	return ok;
}

/* Inserts "<key>#lock" for each bucket of the page (not for lock documents
 * themselves), as ratelimit.c does: {_id, key, count: nonce, lastRequest}.
 * Marks the rows whose lock we got. */
static bool
cleanup_lock(mongoc_collection_t *coll, struct cleanup_row *rows, int n, int32_t nonce,
             bson_error_t *error)
{
	mongoc_bulk_operation_t *bulk;
	bson_t *bopts = BCON_NEW("ordered", BCON_BOOL(false)), reply;
	bool *dup = calloc((size_t)n, sizeof(bool)), ok = true;
	int *op_row = calloc((size_t)n, sizeof(int)), ops = 0, i;
	double now = (double)cleanup_now_ms();

	if (!dup || !op_row)
		abort();
	bulk = mongoc_collection_create_bulk_operation_with_opts(coll, bopts);
	for (i = 0; i < n; i++) {
		bson_t *doc;
		char *lock_key;

		if (!rows[i].key || rows[i].is_lock)
			continue;
		lock_key = bson_strdup_printf("%s%s", rows[i].key, CLEANUP_LOCK_SUFFIX);
		bson_oid_init(&rows[i].lock_id, NULL);
		doc = BCON_NEW("_id", BCON_OID(&rows[i].lock_id), "key", BCON_UTF8(lock_key),
		               "count", BCON_INT32(nonce), "lastRequest", BCON_DOUBLE(now));
		mongoc_bulk_operation_insert_with_opts(bulk, doc, NULL, NULL);
		bson_destroy(doc);
		bson_free(lock_key);
		op_row[ops++] = i;
	}
	if (ops > 0) {
		ok = mongoc_bulk_operation_execute(bulk, &reply, error) != 0;
		ok = cleanup_bulk_reply(ok, &reply, dup, (size_t)ops);
		bson_destroy(&reply);
		for (i = 0; i < ops; i++)
			rows[op_row[i]].locked = !dup[i];
		/* On a failure some locks may be in: the caller removes all of ours. */
	}
	mongoc_bulk_operation_destroy(bulk);
	bson_destroy(bopts);
	free(op_row);
	free(dup);
	return ok;
}

/* Removes the locks inserted by cleanup_lock (by _id and nonce). */
static bool
cleanup_unlock(mongoc_collection_t *coll, const struct cleanup_row *rows, int n, int32_t nonce,
               bson_error_t *error)
{
	mongoc_bulk_operation_t *bulk;
	bson_t *bopts = BCON_NEW("ordered", BCON_BOOL(false)), reply;
	bool ok = true;
	int i, ops = 0;

	bulk = mongoc_collection_create_bulk_operation_with_opts(coll, bopts);
	for (i = 0; i < n; i++) {
		bson_t *sel;

		if (!rows[i].key || rows[i].is_lock)
			continue;
		sel = BCON_NEW("_id", BCON_OID(&rows[i].lock_id), "count", BCON_INT32(nonce));
		mongoc_bulk_operation_remove_one_with_opts(bulk, sel, NULL, NULL);
		bson_destroy(sel);
		ops++;
	}
	if (ops > 0) {
		ok = mongoc_bulk_operation_execute(bulk, &reply, error) != 0;
		ok = cleanup_bulk_reply(ok, &reply, NULL, 0);
		bson_destroy(&reply);
	}
	mongoc_bulk_operation_destroy(bulk);
	bson_destroy(bopts);
	return ok;
}

/* One collection: pages of candidates matching cond, deleted (under their
 * locks when with_locks). */
static bool
cleanup_collection(mongoc_database_t *db, const char *name, const bson_t *cond, bool with_locks,
                   const struct schema_cleanup_opts *o, int64_t *deleted, bson_error_t *error)
{
	mongoc_collection_t *coll = mongoc_database_get_collection(db, name);
	struct cleanup_row *rows = calloc((size_t)o->batch, sizeof(*rows));
	bson_value_t last;
	bool has_last = false, ok = true;
	int n = 0;

	if (!rows)
		abort();
	*deleted = 0;
	memset(&last, 0, sizeof(last));
	for (;;) {
		if (!(ok = cleanup_page(coll, cond, &last, has_last, o->batch, rows, &n, error)) ||
		    n == 0)
			break;
		if (with_locks) {
			int32_t nonce;
			bson_error_t unlock_error;

			crypto_random(&nonce, sizeof(nonce));
			ok = cleanup_lock(coll, rows, n, nonce, error) &&
			     cleanup_delete(coll, cond, rows, n, true, deleted, error);
			if (!cleanup_unlock(coll, rows, n, nonce, &unlock_error) && ok) {
				*error = unlock_error;
				ok = false;
			}
		} else {
			ok = cleanup_delete(coll, cond, rows, n, false, deleted, error);
		}
		if (!ok)
			break;
		if (has_last)
			bson_value_destroy(&last);
		bson_value_copy(&rows[n - 1].id, &last);
		has_last = true;
		if (n < o->batch)
			break;
		cleanup_rows_clear(rows, n);
		n = 0;
		cleanup_pause(o->pause_ms);
	}
	cleanup_rows_clear(rows, n);
	if (has_last)
		bson_value_destroy(&last);
	free(rows);
	mongoc_collection_destroy(coll);
	return ok;
}

bool
schema_cleanup_run(mongoc_database_t *db, const struct schema_cleanup_opts *opts)
{
	static const char *const dated[] = {"session", "verification"};
	int64_t keep_s = opts->rl_window_s > SCHEMA_CLEANUP_SLOW_WINDOW_S
	                         ? opts->rl_window_s
	                         : SCHEMA_CLEANUP_SLOW_WINDOW_S;
	bson_error_t error;
	int64_t deleted;
	bool ok = true;
	size_t i;

	for (i = 0; i < sizeof(dated) / sizeof(dated[0]); i++) {
		bson_t *cond =
			BCON_NEW("expiresAt", "{", "$lt", BCON_DATE_TIME(cleanup_now_ms()), "}");

		if (cleanup_collection(db, dated[i], cond, false, opts, &deleted, &error)) {
			printf("%s: %lld deleted\n", dated[i], (long long)deleted);
		} else {
			fprintf(stderr, "schema-apply --cleanup: %s: %s (%lld deleted before)\n",
			        dated[i], error.message, (long long)deleted);
			ok = false;
		}
		bson_destroy(cond);
	}
	{
		bson_t *cond =
			BCON_NEW("lastRequest", "{", "$lt",
		                 BCON_DOUBLE((double)(cleanup_now_ms() - keep_s * 1000)), "}");

		if (cleanup_collection(db, "rateLimit", cond, true, opts, &deleted, &error)) {
			printf("rateLimit: %lld deleted\n", (long long)deleted);
		} else {
			fprintf(stderr,
			        "schema-apply --cleanup: rateLimit: %s (%lld deleted before)\n",
			        error.message, (long long)deleted);
			ok = false;
		}
		bson_destroy(cond);
	}
	fflush(stdout);
	return ok;
}
