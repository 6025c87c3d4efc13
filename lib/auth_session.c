/*
 * auth_session.c — get-session (spec §2.3, §6): the signed token cookie, the
 * optional cookie cache, the database lookup, expiry and sliding refresh; and
 * auth_current_user for the other services.
 */
#include "auth.h"

#include "auth_internal.h"
#include "config.h"
#include "cookie.h"
#include "db.h"
#include "log.h"
#include "model.h"
#include "origin.h"
#include "session_cache.h"
#include "session_repo.h"
#include "user_repo.h"

#include <stdlib.h>
#include <string.h>

/* Loads token's session and its user. An expired row is deleted. DB_OK,
 * DB_NOT_FOUND (missing, expired, or its user gone) or a store failure. */
static int
auth_load(const struct request *req, const char *token, bson_t **session, bson_t **user)
{
	bson_oid_t uid;
	int st;

	*user = NULL;
	st = session_repo_find_by_token(token, session);
	if (st != DB_OK)
		return st;
	if (model_date(*session, "expiresAt", 0) < req->now_ms) {
		int del = session_repo_delete_by_token(token);

		if (del != DB_OK && del != DB_NOT_FOUND)
			log_warn("get-session: could not delete an expired session");
		st = DB_NOT_FOUND;
	} else if (!model_oid(*session, "userId", &uid)) {
		st = DB_NOT_FOUND;
	} else {
		st = user_repo_find_by_id(&uid, user);
	}
	if (st != DB_OK) {
		bson_destroy(*session);
		*session = NULL;
	}
	return st;
}

bool
auth_current_user(struct request *req, bson_t **session, bson_t **user, int *st)
{
	char *token = auth_session_token(req);

	*session = *user = NULL;
	*st = token ? auth_load(req, token, session, user) : DB_NOT_FOUND;
	free(token);
	return *st == DB_OK;
}

static void
auth_session_body(struct response *res, const bson_t *session, const bson_t *user, bool cached)
{
	bson_string_t *out = bson_string_new("{\"session\":");

	model_write(out, session, cached ? model_session_cache_keys : model_session_keys);
	bson_string_append(out, ",\"user\":");
	model_write(out, user, cached ? model_user_cache_keys : model_user_keys);
	bson_string_append_c(out, '}');
	response_json(res, 200, out);
}

/* Serves from a valid session_data cookie; true when it did. */
static bool
auth_from_cache(const struct request *req, struct response *res, const char *token)
{
	char *value = cookie_get(req->cookie, req->cfg->name_data);
	bson_t session = BSON_INITIALIZER, user = BSON_INITIALIZER;
	bool hit = value && session_cache_decode(value, token, req->now_ms, &session, &user);

	if (hit)
		auth_session_body(res, &session, &user, true);
	bson_destroy(&session);
	bson_destroy(&user);
	free(value);
	return hit;
}

static bool
auth_query_flag(const struct request *req, const char *name)
{
	size_t n;

	/* JavaScript Boolean(string): any non-empty value is true, even "false". */
	return request_query_param(req, name, &n) && n > 0;
}

void
auth_get_session(struct request *req, struct response *res)
{
	const struct config *cfg = req->cfg;
	bson_t *session = NULL, *user = NULL, *fresh = NULL;
	char *token = NULL;
	enum response_error err;
	bool carried_data, stale_data, remember;
	int64_t expires;
	int st;

	response_header(res, "Cache-Control", "no-store");
	response_header(res, "Pragma", "no-cache");
	if (strcmp(req->method, "GET") != 0) {
		if (!origin_check(req, &err))
			response_error(res, err);
		else
			response_error(res, ERR_METHOD_NOT_ALLOWED_DEFER);
		return;
	}
	carried_data = cookie_has_chunks(req->cookie, cfg->name_data);
	token = auth_session_token(req);
	/* A session_data cookie the answer will not renew is expired — first,
	 * and only when a session is answered (a missing session expires all
	 * cookies below, session_data among them). With the cache on, one
	 * without a valid token is left alone (Better Auth's capture 304). */
	stale_data = carried_data && !cfg->cookie_cache;
	if (!token) {
		if (stale_data)
			auth_cookie(req, res, cfg->name_data, "", 0);
		response_json(res, 200, bson_string_new("null"));
		goto done;
	}
	if (carried_data && cfg->cookie_cache && !auth_query_flag(req, "disableCookieCache")) {
		if (auth_from_cache(req, res, token))
			goto done;
		stale_data = true; /* tampered, expired or another session's */
	}
	st = auth_load(req, token, &session, &user);
	if (st == DB_NOT_FOUND) {
		auth_expire_cookies(req, res);
		response_json(res, 200, bson_string_new("null"));
		goto done;
	}
	if (st != DB_OK) {
		auth_error_of(res, st);
		goto done;
	}
	if (stale_data)
		auth_cookie(req, res, cfg->name_data, "", 0);
	remember = !auth_has_dont_remember(req);
	expires = model_date(session, "expiresAt", 0);
	if (remember && !auth_query_flag(req, "disableRefresh") &&
	    expires - cfg->expires_in * 1000 + cfg->update_age * 1000 <= req->now_ms) {
		int64_t until = req->now_ms + cfg->expires_in * 1000;

		st = session_repo_update_expiry(token, until, req->now_ms);
		if (st == DB_NOT_FOUND) {
			response_error(res, ERR_FAILED_TO_GET_SESSION);
			goto done;
		}
		if (st != DB_OK) {
			auth_error_of(res, st);
			goto done;
		}
		fresh = bson_new();
		bson_copy_to_excluding_noinit(session, fresh, "expiresAt", "updatedAt", NULL);
		BSON_APPEND_DATE_TIME(fresh, "expiresAt", until);
		BSON_APPEND_DATE_TIME(fresh, "updatedAt", req->now_ms);
		bson_destroy(session);
		session = fresh;
		auth_cookie_token(req, res, token, true);
	}
	if (cfg->cookie_cache)
		auth_cookie_data(req, res, session, user, remember);
	auth_session_body(res, session, user, false);
done:
	bson_destroy(session);
	bson_destroy(user);
	free(token);
}

void
auth_authorize(struct request *req, struct response *res)
{
	bson_t *session, *user;
	bson_oid_t uid;
	char id[25];
	const char *email;
	int st;

	if (!auth_current_user(req, &session, &user, &st)) {
		if (st == DB_NOT_FOUND)
			response_error(res, ERR_UNAUTHORIZED);
		else
			auth_error_of(res, st);
		return;
	}
	model_oid(user, "_id", &uid);
	bson_oid_to_string(&uid, id);
	email = model_str(user, "email");
	response_header(res, "Variable-AUTH_USER_ID", id);
	response_header(res, "Variable-AUTH_USER_EMAIL", email ? email : "");
	/* REMOTE_USER is the one variable lighttpd's mod_proxy passes on to a
	 * proxied backend (and Apache's REMOTE_USER). */
	response_header(res, "Variable-REMOTE_USER", id);
	response_json(res, 200, NULL);
	bson_destroy(session);
	bson_destroy(user);
}
