/*
 * profile.c — see profile.h.
 */
#include "profile.h"

#include "app_user_repo.h"
#include "body.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "model.h"
#include "url.h"
#include "password.h"
#include "profile_repo.h"

#include <stdlib.h>
#include <string.h>

#define PROFILE_BIO_MAX 500
#define PROFILE_URL_MAX 2048
#define PROFILE_PHONE_MAX 32
#define PROFILE_ADDRESS_MAX 200

static const char *const profile_address_keys[] = {"street",     "city",    "state",
                                                   "postalCode", "country", NULL};

/* How profile_link writes: overwrite email and name (sync-user), create
 * only what is missing (me), or insert both (a user just signed up). */
enum profile_mode { PROFILE_UPDATE, PROFILE_ENSURE, PROFILE_CREATE };

/* The app user and profile of auth_user, written as mode says. */
static int
profile_link(const bson_t *auth_user, enum profile_mode mode, int64_t now_ms, bson_t **app_user,
             bson_t **profile)
{
	bson_oid_t ba_oid, app_oid;
	char ba_id[25];
	const char *email = model_str(auth_user, "email"), *name = model_str(auth_user, "name");
	int st;

	*app_user = *profile = NULL;
	if (!model_oid(auth_user, "_id", &ba_oid))
		return DB_FAILED;
	bson_oid_to_string(&ba_oid, ba_id);
	if (!email)
		email = "";
	if (!name)
		name = "";
	if (mode == PROFILE_UPDATE)
		st = app_user_repo_upsert(ba_id, email, name, now_ms, app_user);
	else if (mode == PROFILE_ENSURE)
		st = app_user_repo_ensure(ba_id, email, name, now_ms, app_user);
	else
		st = app_user_repo_create(ba_id, email, name, now_ms, app_user);
	if (st != DB_OK)
		return st;
	model_oid(*app_user, "_id", &app_oid);
	return mode == PROFILE_CREATE ? profile_repo_create(&app_oid, now_ms, profile)
	                              : profile_repo_ensure(&app_oid, now_ms, profile);
}

void
profile_on_user_created(const bson_t *auth_user, int64_t now_ms)
{
	bson_t *app_user, *profile;
	int st = profile_link(auth_user, PROFILE_CREATE, now_ms, &app_user, &profile);

	if (st != DB_OK)
		log_error("sign-up: app user/profile not created (status %d); sync-user or me "
		          "repairs it",
		          st);
	bson_destroy(app_user);
	bson_destroy(profile);
}

/* The answer carries personal data: never stored by a cache. */
static void
profile_answer(struct response *res, bool success, const bson_t *app_user, const bson_t *profile)
{
	bson_string_t *out =
		bson_string_new(success ? "{\"success\":true,\"user\":" : "{\"user\":");

	response_header(res, "Cache-Control", "no-store");

	model_write(out, app_user, model_app_user_keys);
	bson_string_append(out, ",\"profile\":");
	model_write(out, profile, model_profile_keys);
	bson_string_append_c(out, '}');
	response_json(res, 200, out);
}

enum response_error
profile_sync_user(struct call *c)
{
	bson_t *app_user = NULL, *profile = NULL;
	int st = profile_link(c->session.user, PROFILE_UPDATE, c->req->now_ms, &app_user, &profile);

	if (st == DB_OK)
		profile_answer(c->res, true, app_user, profile);
	bson_destroy(app_user);
	bson_destroy(profile);
	return st == DB_OK ? ERR_OK : app_db_error(st);
}

static void
profile_issue(bson_string_t *issues, const char *key, const char *msg)
{
	if (issues->len)
		bson_string_append(issues, "; ");
	bson_string_append_printf(issues, "[body.%s] %s", key, msg);
}

/* A string of at most max UTF-16 units (as the browser counts). */
static bool
profile_str_ok(const bson_iter_t *it, long max)
{
	uint32_t n;
	const char *s;

	if (!BSON_ITER_HOLDS_UTF8(it))
		return false;
	s = bson_iter_utf8(it, &n);
	return password_utf16_len(s, n) <= max;
}

static bool
profile_url_ok(const bson_iter_t *it)
{
	uint32_t n, i;
	const char *s;
	char *o;

	if (!profile_str_ok(it, PROFILE_URL_MAX))
		return false;
	s = bson_iter_utf8(it, &n);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return false;
	o = url_origin(s, n);
	free(o);
	return o != NULL;
}

static bool
profile_phone_ok(const bson_iter_t *it)
{
	uint32_t n, i;
	const char *s;

	if (!BSON_ITER_HOLDS_UTF8(it))
		return false;
	s = bson_iter_utf8(it, &n);
	if (n > PROFILE_PHONE_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789 +-()", s[i]) || s[i] == '\0')
			return false;
	return true;
}

/* Checks a PATCH body into set (field → value, address as dotted keys);
 * every problem is listed in issues. */
static void
profile_validate(const struct body *b, bson_t *set, bson_string_t *issues)
{
	bson_iter_t it, sub;
	size_t i;

	if (body_expect_object(b, false, issues))
		return;
	if (bson_empty(&b->doc))
		bson_string_append(issues, "[body] No fields to update");
	bson_iter_init(&it, &b->doc);
	while (bson_iter_next(&it)) {
		const char *key = bson_iter_key(&it);

		if (!strcmp(key, "bio")) {
			if (profile_str_ok(&it, PROFILE_BIO_MAX))
				bson_append_iter(set, key, -1, &it);
			else
				profile_issue(issues, key,
				              "Must be a string of at most 500 characters");
		} else if (!strcmp(key, "avatarUrl")) {
			if (BSON_ITER_HOLDS_NULL(&it) || profile_url_ok(&it))
				bson_append_iter(set, key, -1, &it);
			else
				profile_issue(issues, key,
				              "Must be an http(s) URL of at most 2048 characters, "
				              "or null");
		} else if (!strcmp(key, "phoneNumber")) {
			if (BSON_ITER_HOLDS_NULL(&it) || profile_phone_ok(&it))
				bson_append_iter(set, key, -1, &it);
			else
				profile_issue(
					issues, key,
					"Must be at most 32 digits, spaces and + - ( ), or null");
		} else if (!strcmp(key, "address")) {
			if (!BSON_ITER_HOLDS_DOCUMENT(&it)) {
				profile_issue(issues, key, "Must be an object");
				continue;
			}
			bson_iter_recurse(&it, &sub);
			while (bson_iter_next(&sub)) {
				const char *k = bson_iter_key(&sub);
				char dotted[64];

				for (i = 0; profile_address_keys[i]; i++)
					if (!strcmp(k, profile_address_keys[i]))
						break;
				if (!profile_address_keys[i]) {
					bson_string_t *m =
						bson_string_new("Unknown field address.");

					bson_string_append(m, k);
					profile_issue(issues, key, m->str);
					bson_string_free(m, true);
				} else if (!profile_str_ok(&sub, PROFILE_ADDRESS_MAX)) {
					snprintf(dotted, sizeof(dotted), "address.%s", k);
					profile_issue(issues, dotted,
					              "Must be a string of at most 200 characters");
				} else {
					snprintf(dotted, sizeof(dotted), "address.%s", k);
					bson_append_iter(set, dotted, -1, &sub);
				}
			}
		} else {
			/* _id, userId, betterAuthUserId, email, $-keys, anything else */
			profile_issue(issues, key, "Unknown field");
		}
	}
}

bool
profile_me_validate(struct call *c)
{
	bson_string_t *issues = bson_string_new(NULL);
	bson_t set = BSON_INITIALIZER;
	bool ok;

	profile_validate(&c->body, &set, issues);
	ok = issues->len == 0;
	if (!ok)
		response_error_message(c->res, 400, issues->str, "VALIDATION_ERROR");
	bson_string_free(issues, true);
	bson_destroy(&set);
	return ok;
}

enum response_error
profile_me_patch(struct call *c)
{
	bson_string_t *issues = bson_string_new(NULL);
	bson_t set = BSON_INITIALIZER;
	bson_t *app_user = NULL, *profile = NULL, *updated = NULL;
	bson_oid_t app_oid;
	int st;

	profile_validate(&c->body, &set, issues); /* checked by profile_me_validate */
	st = profile_link(c->session.user, PROFILE_ENSURE, c->req->now_ms, &app_user, &profile);
	if (st == DB_OK) {
		model_oid(app_user, "_id", &app_oid);
		st = profile_repo_update(&app_oid, &set, c->req->now_ms, &updated);
	}
	if (st == DB_OK)
		profile_answer(c->res, false, app_user, updated);
	bson_string_free(issues, true);
	bson_destroy(&set);
	bson_destroy(app_user);
	bson_destroy(profile);
	bson_destroy(updated);
	return st == DB_OK ? ERR_OK : app_db_error(st);
}

enum response_error
profile_me_get(struct call *c)
{
	bson_t *app_user = NULL, *profile = NULL;
	int st = profile_link(c->session.user, PROFILE_ENSURE, c->req->now_ms, &app_user, &profile);

	if (st == DB_OK)
		profile_answer(c->res, false, app_user, profile);
	bson_destroy(app_user);
	bson_destroy(profile);
	return st == DB_OK ? ERR_OK : app_db_error(st);
}

/* ---- the account program's hooks (hooks.h) */

void
profile_on_user_updated(const bson_t *auth_user, int64_t now_ms)
{
	bson_t *app_user, *profile;
	int st = profile_link(auth_user, PROFILE_UPDATE, now_ms, &app_user, &profile);

	if (st != DB_OK)
		log_error(
			"user update: app user not updated (status %d); sync-user or me repairs it",
			st);
	bson_destroy(app_user);
	bson_destroy(profile);
}

void
profile_on_user_deleted(const bson_t *auth_user, int64_t now_ms)
{
	bson_oid_t ba_oid, app_oid;
	bson_t *app_user = NULL;
	char ba_id[25];
	int st = DB_FAILED;

	(void)now_ms;
	if (!model_oid(auth_user, "_id", &ba_oid))
		goto done;
	bson_oid_to_string(&ba_oid, ba_id);
	/* The app user first: once it is gone nothing reaches the profile, and
	 * a profile left by a failure below is unreachable, not wrong. */
	st = app_user_repo_delete(ba_id, &app_user);
	if (st == DB_NOT_FOUND) {
		st = DB_OK;
		goto done;
	}
	if (st == DB_OK && model_oid(app_user, "_id", &app_oid))
		st = profile_repo_delete(&app_oid);
done:
	if (st != DB_OK)
		log_error("delete-user: app user/profile not deleted (status %d)", st);
	bson_destroy(app_user);
}
