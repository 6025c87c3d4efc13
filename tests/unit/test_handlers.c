/*
 * test_handlers.c — the store-failure answers of the signed-in endpoints
 * through app.c's pipeline on the in-memory store (fake_db.h): sign-in's
 * FAILED_TO_CREATE_SESSION (401), then, for each endpoint, every store call
 * of a successful request failed in turn with DB_UNAVAILABLE (503 with
 * Retry-After) and with DB_FAILED (500), except the calls the endpoint
 * tolerates or answers otherwise (listed per row, with that answer): the
 * app-data hooks only log, and sign-in's failed session insert is
 * FAILED_TO_CREATE_SESSION.
 */
#include "unit.h"
#include "unit_app.h"

#include "account.h"
#include "getsession.h"
#include "hooks.h"
#include "profile.h"
#include "sessions.h"
#include "signin.h"
#include "signout.h"
#include "signup.h"

/* The rows of cgi-bin/signup.c, signin.c, session.c, sessions.c,
 * account.c, signout.c that these tests reach. */
static const struct app_route routes[] = {
	{"POST", "/api/auth/sign-up/email", APP_BODY | APP_FORM | APP_FORM_CSRF | APP_RECORD,
         RATELIMIT_STRICT, signup_schema, NULL, signup_email},
	{"POST", "/api/auth/sign-in/email", APP_BODY | APP_FORM | APP_FORM_CSRF, RATELIMIT_STRICT,
         signin_schema, NULL, signin_email},
	{"GET", "/api/auth/get-session", 0, RATELIMIT_DEFAULT, NULL, NULL, getsession_get},
	{"GET", "/api/auth/list-sessions", APP_SESSION | APP_FRESH, RATELIMIT_DEFAULT, NULL, NULL,
         sessions_list},
	{"POST", "/api/auth/revoke-session", APP_BODY | APP_SESSION_DB, RATELIMIT_DEFAULT,
         sessions_revoke_schema, NULL, sessions_revoke},
	{"POST", "/api/auth/revoke-sessions", APP_BODY | APP_SESSION_DB, RATELIMIT_DEFAULT, NULL,
         NULL, sessions_revoke_all},
	{"POST", "/api/auth/revoke-other-sessions", APP_BODY | APP_SESSION_DB, RATELIMIT_DEFAULT,
         NULL, NULL, sessions_revoke_others},
	{"POST", "/api/auth/update-user", APP_BODY | APP_SESSION, RATELIMIT_DEFAULT, NULL,
         account_update_validate, account_update_user},
	{"GET", "/api/auth/list-accounts", APP_SESSION, RATELIMIT_DEFAULT, NULL, NULL,
         account_list},
	{"POST", "/api/auth/sign-out", APP_BODY, RATELIMIT_DEFAULT, NULL, NULL, signout_handle},
	{NULL},
};
static const struct app_program program = {
	.name = "handlers", .routes = routes, .authorizer = getsession_authorize};

static bson_string_t *out;
static char cookie[512], token[64];

/* A call whose failure with st (DB_OK: any) an endpoint answers with
 * status instead of 503/500. */
struct tolerated {
	enum fake_db_op op;
	enum db_collection c;
	enum db_status st;
	int status;
};

struct endpoint {
	const char *method, *url, *body; /* body "%s": the session token */
	bool authorizer;
	int status;             /* answered when nothing fails */
	struct tolerated ok[3]; /* {0}-terminated */
	const char *has;        /* ... with a body that holds this */
};

static const struct endpoint endpoints[] = {
	{"POST",
         "/api/auth/sign-in/email",
         "{\"email\":\"ann@example.com\",\"password\":\"password123\"}",
         false,
         200,
         {{FAKE_DB_INSERT, DB_SESSION, DB_FAILED, 401}},
         "{\"redirect\":false,\"token\":\""},
	{"GET", "/api/auth/get-session", NULL, false, 200, {{0}}, "\"user\":{\"name\":\"Ann\""},
	{"GET", "/fcgi-auth/any", NULL, true, 200, {{0}}, ""},
	{"GET", "/api/auth/list-sessions", NULL, false, 200, {{0}}, "[{\"expiresAt\":"},
	{"POST",
         "/api/auth/revoke-session",
         "{\"token\":\"%s\"}",
         false,
         200,
         {{0}},
         "{\"status\":true}"},
	{"POST", "/api/auth/revoke-sessions", "{}", false, 200, {{0}}, "{\"status\":true}"},
	{"POST", "/api/auth/revoke-other-sessions", "{}", false, 200, {{0}}, "{\"status\":true}"},
	{"POST",
         "/api/auth/update-user",
         "{\"name\":\"Bo\"}",
         false,
         200,
         {{FAKE_DB_FIND_AND_MODIFY, DB_APP_USERS, DB_OK, 200},
          {FAKE_DB_FIND_AND_MODIFY, DB_PROFILES, DB_OK, 200}},
         "{\"status\":true}"},
	{"GET",
         "/api/auth/list-accounts",
         NULL,
         false,
         200,
         {{0}},
         "\"providerId\":\"credential\""},
	{"POST", "/api/auth/sign-out", "{}", false, 200, {{0}}, "{\"success\":true}"},
};

static int
call(const struct endpoint *e)
{
	char body[256];
	int status;

	if (e->body)
		snprintf(body, sizeof body, e->body, token);
	unit_app_extra = e->authorizer ? "FCGI_ROLE=AUTHORIZER" : NULL;
	status = unit_app_call(&program, e->method, e->url, cookie, e->body ? body : NULL, out);
	unit_app_extra = NULL;
	return status;
}

static const struct tolerated *
tolerated(const struct endpoint *e, enum fake_db_op op, enum db_collection c, enum db_status st)
{
	size_t i;

	for (i = 0; i < 3 && e->ok[i].op; i++)
		if (e->ok[i].op == op && e->ok[i].c == c && (!e->ok[i].st || e->ok[i].st == st))
			return &e->ok[i];
	return NULL;
}

/* Fails each store call of e in turn with DB_UNAVAILABLE and DB_FAILED. */
static void
torture(const struct endpoint *e)
{
	enum fake_db_op ops[32] = {FAKE_DB_ANY};
	enum db_collection colls[32] = {DB_USER};
	size_t calls, i, k;

	fake_db_restore();
	CHECK(call(e) == e->status, "%s %s: %.80s", e->method, e->url, out->str);
	CHECK(strstr(unit_app_body(out), e->has), "%s: body %.120s", e->url, unit_app_body(out));
	calls = fake_db_calls();
	CHECK(calls >= 1 && calls <= 32, "%s: %zu calls", e->url, calls);
	for (i = 0; i < calls && i < 32; i++)
		fake_db_call(i, &ops[i], &colls[i]);
	for (i = 0; i < calls && i < 32; i++) {
		for (k = 0; k < 2; k++) {
			enum db_status st = k ? DB_FAILED : DB_UNAVAILABLE;
			const struct tolerated *t = tolerated(e, ops[i], colls[i], st);
			int status;

			fake_db_restore();
			fake_db_fail(FAKE_DB_ANY, DB__COUNT, (unsigned)i + 1, st);
			status = call(e);
			CHECK(fake_db_fault_fired(), "%s call %zu fired", e->url, i + 1);
			if (t) {
				CHECK(status == t->status, "%s call %zu (%s, tolerated): %d",
				      e->url, i + 1, fake_db_op_name(ops[i]), status);
			} else if (st == DB_UNAVAILABLE) {
				CHECK(status == 503, "%s call %zu (%s) unavailable: %d", e->url,
				      i + 1, fake_db_op_name(ops[i]), status);
				CHECK_503(out, e->url);
			} else {
				CHECK(status == 500, "%s call %zu (%s) failed: %d", e->url, i + 1,
				      fake_db_op_name(ops[i]), status);
			}
		}
	}
}

int
main(void)
{
	size_t i;
	char *dot;

	hooks_set_user_created(profile_on_user_created);
	hooks_set_user_updated(profile_on_user_updated);
	unit_app_init(NULL);
	out = bson_string_new(NULL);

	/* One user and its session, saved: every case starts from it. */
	fake_db_reset();
	CHECK(unit_app_call(&program, "POST", "/api/auth/sign-up/email", NULL,
	                    "{\"name\":\"Ann\",\"email\":\"ann@example.com\",\"password\":"
	                    "\"password123\"}",
	                    out) == 200,
	      "sign-up: %.80s", out->str);
	snprintf(cookie, sizeof cookie, "%s=", unit_app_cfg.name_token);
	CHECK(unit_app_cookie(out, unit_app_cfg.name_token, cookie + strlen(cookie),
	                      sizeof cookie - strlen(cookie)),
	      "session cookie");
	snprintf(token, sizeof token, "%s", strchr(cookie, '=') + 1);
	if ((dot = strchr(token, '.')))
		*dot = '\0';
	fake_db_save();

	/* Sign-in's FAILED_TO_CREATE_SESSION is a 401 (sign-up's a 400). */
	fake_db_restore();
	fake_db_fail(FAKE_DB_INSERT, DB_SESSION, 1, DB_DUPLICATE);
	CHECK(call(&endpoints[0]) == 401, "sign-in, session insert fails: %.60s", out->str);
	CHECK_STR(
		unit_app_body(out),
		"{\"message\":\"Failed to create session\",\"code\":\"FAILED_TO_CREATE_SESSION\"}");
	{
		char v[256];

		CHECK(!unit_app_cookie(out, unit_app_cfg.name_token, v, sizeof v), "no cookie");
	}
	fake_db_restore();
	fake_db_fail(FAKE_DB_INSERT, DB_SESSION, 1, DB_UNAVAILABLE);
	CHECK(call(&endpoints[0]) == 503, "sign-in, store down: %.60s", out->str);
	CHECK_503(out, "sign-in session insert");

	/* get-session with the store down: 503, not "null" (signed out). */
	fake_db_restore();
	fake_db_fail(FAKE_DB_ANY, DB__COUNT, 0, DB_UNAVAILABLE);
	CHECK(call(&endpoints[1]) == 503, "get-session, store down: %.60s", out->str);
	CHECK_STR(unit_app_body(out),
	          "{\"message\":\"Service temporarily unavailable, please retry\","
	          "\"code\":\"SERVICE_UNAVAILABLE\"}");

	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
		torture(&endpoints[i]);

	fake_db_reset();
	bson_string_free(out, true);
	config_cleanup(&unit_app_cfg);
	crypto_cleanup();
	UNIT_END();
}
