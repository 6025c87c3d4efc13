/*
 * test_signup.c — POST /sign-up/email (lib/signup.c) through app.c's
 * pipeline on the in-memory store (fake_db.h), where the end-to-end suite
 * cannot reach: the compensating delete of the credential account when the
 * user insert fails (422 FAILED_TO_CREATE_USER on a duplicate, 503 when the
 * store is down, 500 otherwise, and the account gone each time), the
 * FAILED_TO_CREATE_SESSION branch (400), and every store call of a sign-up
 * failed in turn (503 with Retry-After, or 200 when the failure is in the
 * app-data hook, which only logs; never an account without its user).
 */
#include "unit.h"
#include "unit_app.h"

#include "hooks.h"
#include "profile.h"
#include "signup.h"

static const struct app_route routes[] = {
	/* the row of cgi-bin/signup.c */
	{"POST", "/api/auth/sign-up/email", APP_BODY | APP_FORM | APP_FORM_CSRF | APP_RECORD,
         RATELIMIT_STRICT, signup_schema, NULL, signup_email},
	{NULL},
};
static const struct app_program program = {.name = "signup", .routes = routes};

#define URL "/api/auth/sign-up/email"
#define BODY "{\"name\":\"Ann\",\"email\":\"Ann@Example.com\",\"password\":\"password123\"}"

static bson_string_t *out;

static int
sign_up(void)
{
	return unit_app_call(&program, "POST", URL, NULL, BODY, out);
}

static bool
has_session_cookie(void)
{
	char v[256];

	return unit_app_cookie(out, unit_app_cfg.name_token, v, sizeof v) && v[0];
}

/* The user insert fails with st: answered status/body, nothing left. */
static void
check_user_insert_fails(enum db_status st, int status, const char *body)
{
	fake_db_reset();
	fake_db_fail(FAKE_DB_INSERT, DB_USER, 1, st);
	CHECK(sign_up() == status, "user insert %d: %.60s", st, out->str);
	CHECK(fake_db_fault_fired(), "the fault fired");
	if (body)
		CHECK_STR(unit_app_body(out), body);
	CHECK(fake_db_count(DB_ACCOUNT, NULL) == 0, "user insert %d: the account was removed", st);
	CHECK(fake_db_count(DB_USER, NULL) == 0, "no user");
	CHECK(fake_db_count(DB_SESSION, NULL) == 0, "no session");
	CHECK(!has_session_cookie(), "no session cookie");
}

int
main(void)
{
	enum fake_db_op ops[32] = {FAKE_DB_ANY};
	enum db_collection colls[32] = {DB_USER};
	size_t calls, i;
	bson_t *by_email = BCON_NEW("email", BCON_UTF8("ann@example.com"));

	hooks_set_user_created(profile_on_user_created);
	unit_app_init(NULL);
	out = bson_string_new(NULL);

	/* The path every other case departs from, and its store calls. */
	fake_db_reset();
	CHECK(sign_up() == 200, "sign-up: %.80s", out->str);
	CHECK(has_session_cookie(), "session cookie set");
	CHECK(fake_db_count(DB_USER, by_email) == 1, "user stored lower-cased");
	CHECK(fake_db_count(DB_ACCOUNT, NULL) == 1 && fake_db_count(DB_SESSION, NULL) == 1,
	      "account and session");
	CHECK(fake_db_count(DB_APP_USERS, NULL) == 1 && fake_db_count(DB_PROFILES, NULL) == 1,
	      "the hook's documents");
	calls = fake_db_calls();
	CHECK(calls >= 5 && calls <= 32, "%zu calls", calls);
	for (i = 0; i < calls && i < 32; i++)
		fake_db_call(i, &ops[i], &colls[i]);
	CHECK(ops[0] == FAKE_DB_FIND_ONE && colls[0] == DB_USER, "first: the email looked up");
	CHECK(ops[1] == FAKE_DB_INSERT && colls[1] == DB_ACCOUNT, "then the account written");
	CHECK(ops[2] == FAKE_DB_INSERT && colls[2] == DB_USER, "then the user");
	CHECK(ops[3] == FAKE_DB_INSERT && colls[3] == DB_APP_USERS,
	      "then the app user, inserted (nobody can know the new user yet)");
	CHECK(ops[4] == FAKE_DB_INSERT && colls[4] == DB_PROFILES, "then its profile, inserted");
	for (i = 0; i < calls && i < 32; i++)
		CHECK(ops[i] != FAKE_DB_FIND_AND_MODIFY, "no upsert (call %zu)", i);

	/* The app user or the profile made meanwhile after all (a duplicate
	 * key): the upsert takes over, and finds or makes it. */
	for (i = 0; i < 2; i++) {
		enum db_collection dup = i == 0 ? DB_APP_USERS : DB_PROFILES;
		size_t j, n;
		bool upserted = false;

		fake_db_reset();
		fake_db_fail(FAKE_DB_INSERT, dup, 1, DB_DUPLICATE);
		CHECK(sign_up() == 200, "duplicate %s: %.60s", i == 0 ? "app user" : "profile",
		      out->str);
		CHECK(fake_db_fault_fired(), "the insert was refused");
		CHECK(fake_db_count(DB_APP_USERS, NULL) == 1 &&
		              fake_db_count(DB_PROFILES, NULL) == 1,
		      "one app user and one profile all the same");
		n = fake_db_calls();
		for (j = 0; j < n; j++) {
			enum fake_db_op op;
			enum db_collection c;

			fake_db_call(j, &op, &c);
			upserted |= op == FAKE_DB_FIND_AND_MODIFY && c == dup;
		}
		CHECK(upserted, "then upserted");
	}
	fake_db_reset();
	CHECK(sign_up() == 200, "sign-up again: %.60s", out->str);

	/* Taken address: 422, nothing more written. */
	CHECK(sign_up() == 422, "again: %.60s", out->str);
	CHECK_STR(unit_app_body(out), "{\"message\":\"User already exists. Use another email.\","
	                              "\"code\":\"USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL\"}");
	CHECK(fake_db_count(DB_ACCOUNT, NULL) == 1, "no second account");

	/* The compensating delete. */
	check_user_insert_fails(
		DB_DUPLICATE, 422,
		"{\"message\":\"Failed to create user\",\"code\":\"FAILED_TO_CREATE_USER\"}");
	check_user_insert_fails(DB_UNAVAILABLE, 503,
	                        "{\"message\":\"Service temporarily unavailable, please retry\","
	                        "\"code\":\"SERVICE_UNAVAILABLE\"}");
	CHECK_503(out, "user insert unavailable");
	check_user_insert_fails(
		DB_FAILED, 500,
		"{\"message\":\"Internal Server Error\",\"code\":\"INTERNAL_SERVER_ERROR\"}");
	/* ... which may fail too: the answer stays, the orphan is logged. */
	fake_db_reset();
	fake_db_fail(FAKE_DB_INSERT, DB_USER, 1, DB_DUPLICATE);
	fake_db_fail(FAKE_DB_DELETE, DB_ACCOUNT, 1, DB_UNAVAILABLE);
	CHECK(sign_up() == 422, "delete fails too: %.60s", out->str);
	CHECK(fake_db_count(DB_ACCOUNT, NULL) == 1 && fake_db_count(DB_USER, NULL) == 0,
	      "the account left behind (unreachable)");

	/* FAILED_TO_CREATE_SESSION (400): the user stays, no cookie. */
	fake_db_reset();
	fake_db_fail(FAKE_DB_INSERT, DB_SESSION, 1, DB_FAILED);
	CHECK(sign_up() == 400, "session insert fails: %.60s", out->str);
	CHECK_STR(
		unit_app_body(out),
		"{\"message\":\"Failed to create session\",\"code\":\"FAILED_TO_CREATE_SESSION\"}");
	CHECK(!has_session_cookie(), "no session cookie");
	CHECK(fake_db_count(DB_USER, NULL) == 1 && fake_db_count(DB_SESSION, NULL) == 0,
	      "user kept, no session");
	fake_db_reset();
	fake_db_fail(FAKE_DB_INSERT, DB_SESSION, 1, DB_UNAVAILABLE);
	CHECK(sign_up() == 503, "session insert unavailable: %.60s", out->str);
	CHECK_503(out, "session insert unavailable");

	/* Every call of a sign-up failed in turn (curl's torture): the store
	 * down answers 503 + Retry-After, except in the hook, which only logs;
	 * an account is never left without its user. */
	for (i = 0; i < calls && i < 32; i++) {
		bool in_hook = colls[i] == DB_APP_USERS || colls[i] == DB_PROFILES;
		int status;

		fake_db_reset();
		fake_db_fail(FAKE_DB_ANY, DB__COUNT, (unsigned)i + 1, DB_UNAVAILABLE);
		status = sign_up();
		CHECK(fake_db_fault_fired(), "call %zu fired", i + 1);
		if (in_hook) {
			CHECK(status == 200, "call %zu (%s in the hook): %d", i + 1,
			      fake_db_op_name(ops[i]), status);
		} else {
			CHECK(status == 503, "call %zu (%s): %d", i + 1, fake_db_op_name(ops[i]),
			      status);
			CHECK_503(out, fake_db_op_name(ops[i]));
		}
		CHECK(fake_db_count(DB_ACCOUNT, NULL) == fake_db_count(DB_USER, NULL),
		      "call %zu: accounts == users", i + 1);
	}

	fake_db_reset();
	bson_destroy(by_email);
	bson_string_free(out, true);
	config_cleanup(&unit_app_cfg);
	crypto_cleanup();
	UNIT_END();
}
