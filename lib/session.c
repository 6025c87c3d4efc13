/*
 * session.c — see session.h.
 */
#include "session.h"

#include "config.h"
#include "cookie.h"
#include "log.h"
#include "model.h"
#include "session_cache.h"
#include "session_repo.h"
#include "user_repo.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SESSION_DONT_REMEMBER_S 86400 /* rememberMe:false sessions: 1 day, fixed */

/* ---------------------------------------------------------------- cookies */

void
session_cookie_set(const struct request *req, struct response *res, const char *name,
                   const char *encoded_value, long long max_age)
{
	char *line = cookie_format(name, encoded_value, max_age, req->cfg->secure_cookies);

	response_header(res, "Set-Cookie", line);
	free(line);
}

void
session_cookie_set_signed(const struct request *req, struct response *res, const char *name,
                          const char *value, long long max_age)
{
	char *raw = cookie_sign(value);
	bson_string_t *enc = bson_string_new(NULL);

	cookie_encode(enc, raw);
	session_cookie_set(req, res, name, enc->str, max_age);
	bson_string_free(enc, true);
	free(raw);
}

void
session_cookie_set_token(const struct request *req, struct response *res, const char *token,
                         bool remember)
{
	session_cookie_set_signed(req, res, req->cfg->name_token, token,
	                          remember ? req->cfg->expires_in : -1);
}

void
session_cookie_set_data(const struct request *req, struct response *res, const bson_t *session,
                        const bson_t *user, bool remember)
{
	bson_string_t *s = bson_string_new(NULL), *u = bson_string_new(NULL);
	int64_t max_age = remember ? req->cfg->cookie_cache_max_age : 60;
	char *value;

	model_write(s, session, model_session_keys);
	model_write(u, user, model_user_keys);
	value = session_cache_encode(s->str, u->str, req->now_ms, max_age);
	session_cookie_set(req, res, req->cfg->name_data, value, remember ? max_age : -1);
	free(value);
	bson_string_free(s, true);
	bson_string_free(u, true);
}

/* Better Auth's expireCookie: earlier Set-Cookie lines of the name (say the
 * session_data of an authoritative lookup) are dropped first. */
static void
session_cookie_expire(const struct request *req, struct response *res, const char *name)
{
	response_remove_cookie(res, name);
	session_cookie_set(req, res, name, "", 0);
}

void
session_cookie_expire_all(const struct request *req, struct response *res)
{
	session_cookie_expire(req, res, req->cfg->name_token);
	session_cookie_expire(req, res, req->cfg->name_data);
	if (cookie_has_chunks(req->cookie, req->cfg->name_data))
		session_cookie_set(req, res, req->cfg->name_data, "", 0);
	session_cookie_expire(req, res, req->cfg->name_dont_remember);
}

void
session_cookie_reset(const struct request *req, struct response *res, const char *token,
                     const bson_t *session, const bson_t *user)
{
	bool remember = !session_cookie_dont_remember(req);

	session_cookie_set_token(req, res, token, remember);
	if (!remember)
		session_cookie_set_signed(req, res, req->cfg->name_dont_remember, "true", -1);
	if (req->cfg->cookie_cache)
		session_cookie_set_data(req, res, session, user, remember);
}

bool
session_cookie_has(const struct request *req, const char *name)
{
	char *v = cookie_get(req->cookie, name);
	bool present = v != NULL;

	free(v);
	return present;
}

bool
session_cookie_dont_remember(const struct request *req)
{
	char *v = cookie_get(req->cookie, req->cfg->name_dont_remember);
	char *plain = v ? cookie_verify(v) : NULL;
	bool yes = plain && !strcmp(plain, "true");

	free(plain);
	free(v);
	return yes;
}

char *
session_cookie_token(const struct request *req)
{
	char *v = cookie_get(req->cookie, req->cfg->name_token);
	char *token = v ? cookie_verify(v) : NULL;

	free(v);
	return token;
}

/* ---------------------------------------------------------------- store */

const char *
session_client_ip(const struct request *req)
{
	const char *ip = req->remote_addr ? req->remote_addr : "";

	if (!strncasecmp(ip, "::ffff:", 7) && strchr(ip + 7, '.'))
		ip += 7;
	return ip;
}

enum db_status
session_load(const struct request *req, const char *token, bson_t **session, bson_t **user)
{
	bson_oid_t uid;
	enum db_status st;

	*user = NULL;
	st = session_repo_find_by_token(token, session);
	if (st != DB_OK)
		return st;
	if (model_date(*session, "expiresAt", 0) < req->now_ms) {
		enum db_status del = session_repo_delete_by_token(token);

		if (del != DB_OK && del != DB_NOT_FOUND)
			log_warn("session: could not delete an expired session");
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

enum db_status
session_current(const struct request *req, bson_t **session, bson_t **user)
{
	char *token = session_cookie_token(req);
	enum db_status st;

	*session = *user = NULL;
	st = token ? session_load(req, token, session, user) : DB_NOT_FOUND;
	free(token);
	return st;
}

enum db_status
session_create(const struct request *req, struct response *res, const bson_t *user, bool remember,
               bool expire_dont_remember, char token[TOKEN_LEN + 1], bson_t **session)
{
	bson_oid_t uid;
	int64_t life = remember ? req->cfg->expires_in : SESSION_DONT_REMEMBER_S;
	enum db_status st;

	model_oid(user, "_id", &uid);
	token_generate(token);
	st = session_repo_insert(token, &uid, req->now_ms + life * 1000, req->now_ms,
	                         session_client_ip(req), req->user_agent, session);
	if (st != DB_OK)
		return st;
	session_cookie_set_token(req, res, token, remember);
	if (!remember)
		session_cookie_set_signed(req, res, req->cfg->name_dont_remember, "true", -1);
	else if (expire_dont_remember)
		session_cookie_set(req, res, req->cfg->name_dont_remember, "", 0);
	if (req->cfg->cookie_cache)
		session_cookie_set_data(req, res, *session, user, remember);
	return DB_OK;
}

/* ---------------------------------------------------------------- lookup */

void
session_state_cleanup(struct session_state *st)
{
	bson_destroy(st->session);
	bson_destroy(st->user);
	if (st->answer)
		bson_string_free(st->answer, true);
	free(st->token);
	memset(st, 0, sizeof(*st));
}

/* Fills st from a valid session_data cookie; true when it did (false when
 * there is none). With SESSION_ANSWER, a cookie in JSON.stringify's form
 * gives the answer without building documents; any other goes through the
 * generic reader. */
static bool
session_from_cache(const struct request *req, unsigned flags, struct session_state *st)
{
	const char *raw;
	char *value = NULL, *decoded;
	size_t raw_len;
	bson_t *session = NULL, *user = NULL;
	bool hit = false;

	/* The fast reader reads the value where it is in the header. */
	if (!cookie_find(req->cookie, req->cfg->name_data, &raw, &raw_len, &decoded))
		goto done;
	if ((flags & SESSION_ANSWER) &&
	    session_cache_answer(raw, raw_len, st->token, req->now_ms, &st->answer)) {
		hit = true;
		goto done;
	}
	value = decoded ? decoded : xstrndup(raw, raw_len);
	decoded = NULL;
	session = bson_new();
	user = bson_new();
	hit = session_cache_decode(value, st->token, req->now_ms, session, user);
	if (hit) {
		st->session = session;
		st->user = user;
		session = user = NULL;
	}
done:
	if (session)
		bson_destroy(session);
	if (user)
		bson_destroy(user);
	free(value);
	free(decoded);
	st->from_cache = hit;
	return hit;
}

/* The sliding refresh (spec §6.3): once updateAge has passed since the last
 * extension, expiresAt moves to now + expiresIn and session_token is re-set. */
static enum db_status
session_refresh(const struct request *req, struct response *res, struct session_state *st)
{
	const struct config *cfg = req->cfg;
	int64_t expires = model_date(st->session, "expiresAt", 0);
	int64_t until = req->now_ms + cfg->expires_in * 1000;
	bson_t *fresh;
	enum db_status rc;

	if (expires - cfg->expires_in * 1000 + cfg->update_age * 1000 > req->now_ms)
		return DB_OK;
	rc = session_repo_update_expiry(st->token, until, req->now_ms);
	if (rc != DB_OK)
		return rc;
	fresh = bson_new();
	bson_copy_to_excluding_noinit(st->session, fresh, "expiresAt", "updatedAt", NULL);
	BSON_APPEND_DATE_TIME(fresh, "expiresAt", until);
	BSON_APPEND_DATE_TIME(fresh, "updatedAt", req->now_ms);
	bson_destroy(st->session);
	st->session = fresh;
	session_cookie_set_token(req, res, st->token, true);
	return DB_OK;
}

enum db_status
session_lookup(const struct request *req, struct response *res, unsigned flags,
               struct session_state *st)
{
	const struct config *cfg = req->cfg;
	/* A session_data cookie (or its chunks) the answer will not renew is
	 * expired — first, and only when a session is answered (a missing
	 * session expires all cookies, session_data among them). With the
	 * cache on, one without a valid token is left alone (Better Auth's
	 * capture 304). A cache hit renews nothing and expires nothing, so the
	 * header is searched for chunks only when it is not one. */
	bool stale_data;
	enum db_status rc;

	memset(st, 0, sizeof(*st));
	st->token = session_cookie_token(req);
	if (!st->token) {
		if (!cfg->cookie_cache && cookie_has_chunks(req->cookie, cfg->name_data))
			session_cookie_set(req, res, cfg->name_data, "", 0);
		return DB_NOT_FOUND;
	}
	if (cfg->cookie_cache && (flags & SESSION_ALLOW_CACHE)) {
		if (session_from_cache(req, flags, st))
			return DB_OK;
		/* absent, or tampered, expired or another session's */
		stale_data = cookie_has_chunks(req->cookie, cfg->name_data);
	} else {
		stale_data = !cfg->cookie_cache && cookie_has_chunks(req->cookie, cfg->name_data);
	}
	rc = session_load(req, st->token, &st->session, &st->user);
	if (rc == DB_NOT_FOUND)
		session_cookie_expire_all(req, res);
	if (rc != DB_OK)
		return rc;
	if (stale_data)
		session_cookie_set(req, res, cfg->name_data, "", 0);
	st->remember = !session_cookie_dont_remember(req);
	if (st->remember && !(flags & SESSION_NO_REFRESH)) {
		rc = session_refresh(req, res, st);
		if (rc == DB_NOT_FOUND) { /* the row vanished under the refresh */
			st->refresh_lost = true;
			return DB_FAILED;
		}
		if (rc != DB_OK)
			return rc;
	}
	if (cfg->cookie_cache)
		session_cookie_set_data(req, res, st->session, st->user, st->remember);
	return DB_OK;
}

bool
session_is_fresh(const struct request *req, const bson_t *session)
{
	int64_t age = req->cfg->fresh_age;

	return age == 0 || req->now_ms - model_date(session, "createdAt", 0) < age * 1000;
}
