/*
 * test_verification_repo.c — the `verification` collection against a real
 * store (unit_store.h: FerretDB unless MONGODB_URI is set): the document as
 * Better Auth's adapter writes it, newest-by-identifier reads, the cleanup
 * at most once per 60 s (the first read of a process included), and
 * single-use consumption (older duplicates deleted, expired rows taken but
 * refused, a second consume finds nothing).
 */
#include "unit.h"
#include "unit_store.h"
#include "verification_repo.h"

#include <string.h>

#define NOW 1735689600000LL
#define HOUR 3600000LL

static bool
exists(const char *identifier)
{
	bson_t filter = BSON_INITIALIZER, sort = BSON_INITIALIZER, *doc = NULL;
	enum db_status st;

	BSON_APPEND_UTF8(&filter, "identifier", identifier);
	BSON_APPEND_INT32(&sort, "_id", 1);
	st = db_find_first(DB_VERIFICATION, &filter, &sort, &doc);
	bson_destroy(doc);
	bson_destroy(&filter);
	bson_destroy(&sort);
	return st == DB_OK;
}

static void
insert(const char *identifier, const char *value, int64_t expires_at, int64_t created)
{
	bson_t *doc = NULL;
	enum db_status st = verification_repo_insert(identifier, value, expires_at, created, &doc);

	CHECK(st == DB_OK && doc, "insert %s: status %d", identifier, st);
	bson_destroy(doc);
}

static const char *
value_of(const bson_t *doc)
{
	bson_iter_t it;

	return doc && bson_iter_init_find(&it, doc, "value") && BSON_ITER_HOLDS_UTF8(&it)
	               ? bson_iter_utf8(&it, NULL)
	               : "(none)";
}

static void
test_document(void)
{
	static const char *const keys[] = {"identifier", "value",     "expiresAt",
	                                   "createdAt",  "updatedAt", "_id"};
	static const bson_type_t types[] = {BSON_TYPE_UTF8,      BSON_TYPE_UTF8,
	                                    BSON_TYPE_DATE_TIME, BSON_TYPE_DATE_TIME,
	                                    BSON_TYPE_DATE_TIME, BSON_TYPE_OID};
	bson_t *doc = NULL, *stored = NULL, filter = BSON_INITIALIZER, sort = BSON_INITIALIZER;
	bson_iter_t it;
	size_t i = 0;

	CHECK(verification_repo_insert("reset-password:doc", "6b0000000000000000000001",
	                               NOW + HOUR - 1, NOW, &doc) == DB_OK,
	      "insert");
	if (!doc)
		return;
	/* What is sent: the adapter's order and types. */
	bson_iter_init(&it, doc);
	while (bson_iter_next(&it) && i < 6) {
		CHECK_STR(bson_iter_key(&it), keys[i]);
		CHECK(bson_iter_type(&it) == types[i], "%s has type %d", keys[i],
		      bson_iter_type(&it));
		i++;
	}
	CHECK(i == 6 && !bson_iter_next(&it), "six fields");
	/* What is stored: the same values. */
	BSON_APPEND_UTF8(&filter, "identifier", "reset-password:doc");
	BSON_APPEND_INT32(&sort, "_id", 1);
	CHECK(db_find_first(DB_VERIFICATION, &filter, &sort, &stored) == DB_OK, "stored");
	CHECK_STR(value_of(stored), "6b0000000000000000000001");
	CHECK(stored && bson_iter_init_find(&it, stored, "expiresAt") &&
	              BSON_ITER_HOLDS_DATE_TIME(&it) && bson_iter_date_time(&it) == NOW + HOUR - 1,
	      "expiresAt stored as a date");
	CHECK(stored && bson_iter_init_find(&it, stored, "updatedAt") &&
	              bson_iter_date_time(&it) == NOW,
	      "updatedAt = createdAt");

	/* Strict expiry: valid at expiresAt, expired 1 ms later. */
	CHECK(!verification_repo_is_expired(doc, NOW + HOUR - 1), "valid at expiresAt");
	CHECK(verification_repo_is_expired(doc, NOW + HOUR), "expired after expiresAt");
	CHECK(verification_repo_is_expired(&filter, NOW), "no expiresAt: expired");
	bson_destroy(stored);
	bson_destroy(doc);
	bson_destroy(&filter);
	bson_destroy(&sort);
}

static void
test_latest_and_cleanup(void)
{
	bson_t *doc = NULL;

	/* Expired rows exist before the process's first read... */
	insert("old:expired", "x", NOW - 1, NOW - HOUR);
	insert("old:exactly-now", "x", NOW, NOW - HOUR);
	insert("latest", "v1", NOW + HOUR, NOW);
	insert("latest", "v3", NOW + HOUR, NOW + 2000);
	insert("latest", "v2", NOW + HOUR, NOW + 1000);
	CHECK(exists("old:expired"), "expired row there before the first read");

	/* ...the first read returns the newest row and cleans. */
	CHECK(verification_repo_find_latest("latest", NOW, &doc) == DB_OK, "find_latest");
	CHECK_STR(value_of(doc), "v3");
	bson_destroy(doc);
	CHECK(!exists("old:expired"), "first read cleaned the expired row");
	CHECK(exists("old:exactly-now"), "a row expiring exactly now is kept ($lt)");

	/* Within 60 s no second cleanup; at 60 s one. */
	insert("old:second", "x", NOW + 10000, NOW);
	CHECK(verification_repo_find_latest("latest", NOW + 30000, &doc) == DB_OK, "read at +30 s");
	bson_destroy(doc);
	CHECK(exists("old:second"), "no cleanup 30 s after the last");
	CHECK(verification_repo_find_latest("nothing-here", NOW + 59999, &doc) == DB_NOT_FOUND &&
	              !doc,
	      "unknown identifier: DB_NOT_FOUND");
	CHECK(exists("old:second"), "no cleanup 59.999 s after the last");
	CHECK(verification_repo_find_latest("nothing-here", NOW + 60000, &doc) == DB_NOT_FOUND,
	      "a read that finds nothing still cleans");
	CHECK(!exists("old:second") && !exists("old:exactly-now"), "cleanup at +60 s");

	/* The row just read may be the one the cleanup deletes: it is still
	 * returned, and the caller's expiry check refuses it. */
	insert("just-read", "x", NOW + 100000, NOW);
	CHECK(verification_repo_find_latest("just-read", NOW + 120000, &doc) == DB_OK,
	      "read an expired row");
	CHECK(doc && verification_repo_is_expired(doc, NOW + 120000), "and it is expired");
	bson_destroy(doc);
	CHECK(!exists("just-read"), "the cleanup removed it");
}

static void
test_consume(void)
{
	bson_t *doc = NULL, filter = BSON_INITIALIZER;
	const int64_t t = NOW + 200000; /* after test_latest_and_cleanup's clock */
	bson_iter_t it;

	insert("reset-password:tok", "u1", t + HOUR, t);
	insert("reset-password:tok", "u3", t + HOUR, t + 2);
	insert("reset-password:tok", "u2", t + HOUR, t + 1);
	insert("reset-password:other", "o", t + HOUR, t);
	CHECK(verification_repo_consume("reset-password:tok", t + 10, &doc) == DB_OK, "consume");
	CHECK_STR(value_of(doc), "u3");
	CHECK(!exists("reset-password:tok"), "every row of the identifier is gone");
	CHECK(exists("reset-password:other"), "other identifiers are untouched");

	/* The same _id a second time: another process won the race. */
	if (!doc || !bson_iter_init_find(&it, doc, "_id")) {
		CHECK(false, "the row taken has an _id");
		return;
	}
	BSON_APPEND_OID(&filter, "_id", bson_iter_oid(&it));
	bson_destroy(doc);
	CHECK(db_find_one_and_delete(DB_VERIFICATION, &filter, &doc) == DB_NOT_FOUND && !doc,
	      "findOneAndDelete of a taken row");
	bson_destroy(&filter);
	CHECK(verification_repo_consume("reset-password:tok", t + 10, &doc) == DB_NOT_FOUND && !doc,
	      "second consume finds nothing");
	CHECK(verification_repo_consume("reset-password:never", t, &doc) == DB_NOT_FOUND && !doc,
	      "unknown identifier");

	/* Expired: refused, and deleted all the same. */
	insert("delete-account-exp", "u", t + 5, t);
	CHECK(verification_repo_consume("delete-account-exp", t + 6, &doc) == DB_NOT_FOUND && !doc,
	      "an expired row is refused");
	CHECK(!exists("delete-account-exp"), "and deleted");
	insert("delete-account-edge", "u", t + 5, t);
	CHECK(verification_repo_consume("delete-account-edge", t + 5, &doc) == DB_OK,
	      "valid at expiresAt");
	bson_destroy(doc);
}

int
main(void)
{
	struct config cfg;

	if (!unit_store_open(&cfg)) {
		CHECK(false, "no store");
		UNIT_END();
	}
	test_document();
	test_latest_and_cleanup();
	test_consume();
	unit_store_close();
	UNIT_END();
}
