/*
 * test_session_repo.c — the per-user operations of the `session` collection
 * against a real store (unit_store.h): live sessions in storage order within
 * a limit, delete by token only together with the owner's id (another
 * user's token is never deleted), the others of a user (expired ones and the
 * kept token stay), and every session of a user (another user's stay).
 */
#include "unit.h"
#include "unit_store.h"
#include "session_repo.h"

#include <string.h>

#define NOW 1735689600000LL
#define DAY 86400000LL

static void
insert(const char *token, const bson_oid_t *uid, int64_t expires_at)
{
	bson_t *doc = NULL;

	CHECK(session_repo_insert(token, uid, expires_at, NOW, "127.0.0.1", "ua", &doc) == DB_OK,
	      "insert %s", token);
	bson_destroy(doc);
}

static bool
exists(const char *token)
{
	bson_t *doc = NULL;
	enum db_status st = session_repo_find_by_token(token, &doc);

	bson_destroy(doc);
	return st == DB_OK;
}

/* The tokens of the user's live sessions, joined by ',' into buf. */
static const char *
live(const bson_oid_t *uid, size_t limit, char *buf, size_t len)
{
	bson_t **list = NULL;
	size_t n = 0, i;
	bson_iter_t it;

	buf[0] = '\0';
	CHECK(session_repo_find_live_by_user(uid, NOW, limit, &list, &n) == DB_OK, "list");
	for (i = 0; i < n; i++) {
		if (i)
			strncat(buf, ",", len - strlen(buf) - 1);
		if (bson_iter_init_find(&it, list[i], "token"))
			strncat(buf, bson_iter_utf8(&it, NULL), len - strlen(buf) - 1);
	}
	session_repo_list_free(list, n);
	return buf;
}

int
main(void)
{
	struct config cfg;
	bson_oid_t alice, bob;
	char buf[256];

	if (!unit_store_open(&cfg)) {
		CHECK(false, "no store");
		UNIT_END();
	}
	bson_oid_init(&alice, NULL);
	bson_oid_init(&bob, NULL);
	insert("a1", &alice, NOW + DAY);
	insert("a2", &alice, NOW + DAY);
	insert("a-expired", &alice, NOW);
	insert("a3", &alice, NOW + DAY);
	insert("b1", &bob, NOW + DAY);

	CHECK_STR(live(&alice, 100, buf, sizeof buf), "a1,a2,a3");
	CHECK_STR(live(&alice, 2, buf, sizeof buf), "a1,a2");
	CHECK_STR(live(&bob, 100, buf, sizeof buf), "b1");

	CHECK(session_repo_delete_by_token_and_user("b1", &alice) == DB_NOT_FOUND,
	      "another user's token matches nothing");
	CHECK(exists("b1"), "and stays");
	CHECK(session_repo_delete_by_token_and_user("a2", &alice) == DB_OK, "own token");
	CHECK(!exists("a2"), "deleted");

	CHECK(session_repo_delete_others(&alice, "a1", NOW) == DB_OK, "others");
	CHECK(exists("a1") && !exists("a3") && exists("a-expired") && exists("b1"),
	      "the kept token, the expired row and bob's stay");
	CHECK(session_repo_delete_others(&alice, "a1", NOW) == DB_OK, "nothing left is DB_OK");

	CHECK(session_repo_delete_by_user(&alice) == DB_OK, "all of alice's");
	CHECK(!exists("a1") && !exists("a-expired") && exists("b1"), "bob's stays");
	CHECK(session_repo_delete_by_user(&alice) == DB_OK, "none is DB_OK");
	CHECK_STR(live(&alice, 100, buf, sizeof buf), "");

	unit_store_close();
	UNIT_END();
}
