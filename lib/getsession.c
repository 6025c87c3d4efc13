/*
 * getsession.c — see getsession.h.
 */
#include "getsession.h"

#include "metrics.h"
#include "model.h"

#include <string.h>

static void
getsession_body(struct response *res, const bson_t *session, const bson_t *user, bool cached)
{
	bson_string_t *out = bson_string_new("{\"session\":");

	model_write(out, session, cached ? model_session_cache_keys : model_session_keys);
	bson_string_append(out, ",\"user\":");
	model_write(out, user, cached ? model_user_cache_keys : model_user_keys);
	bson_string_append_c(out, '}');
	response_json(res, 200, out);
}

static bool
getsession_query_flag(const struct request *req, const char *name)
{
	size_t n;

	/* JavaScript Boolean(string): any non-empty value is true, even "false". */
	return request_query_param(req, name, &n) && n > 0;
}

enum response_error
getsession_get(struct call *c)
{
	unsigned flags = 0;
	enum db_status st;

	response_header_literal(c->res, "Cache-Control: no-store");
	response_header_literal(c->res, "Pragma: no-cache");
	if (!getsession_query_flag(c->req, "disableCookieCache"))
		flags |= SESSION_ALLOW_CACHE | SESSION_ANSWER;
	if (getsession_query_flag(c->req, "disableRefresh"))
		flags |= SESSION_NO_REFRESH;
	st = session_lookup(c->req, c->res, flags, &c->session);
	if (st == DB_NOT_FOUND) {
		response_json(c->res, 200, bson_string_new("null"));
		return ERR_OK;
	}
	if (st != DB_OK)
		return c->session.refresh_lost ? ERR_FAILED_TO_GET_SESSION : app_db_error(st);
	metrics_count(c->session.from_cache ? METRICS_SESSION_FROM_COOKIE_CACHE
	                                    : METRICS_SESSION_FROM_DATABASE);
	if (c->session.answer) {
		response_json(c->res, 200, c->session.answer);
		c->session.answer = NULL;
	} else {
		getsession_body(c->res, c->session.session, c->session.user, c->session.from_cache);
	}
	return ERR_OK;
}

enum response_error
getsession_post(struct call *c)
{
	response_header_literal(c->res, "Cache-Control: no-store");
	response_header_literal(c->res, "Pragma: no-cache");
	return ERR_METHOD_NOT_ALLOWED_DEFER;
}

enum response_error
getsession_ok(struct call *c)
{
	response_json(c->res, 200, bson_string_new("{\"ok\":true}"));
	return ERR_OK;
}

/* Better Auth's admin plugin: banned, and the ban not yet over. */
static bool
getsession_is_banned(const struct request *req, const bson_t *user)
{
	bson_iter_t it;
	int64_t until;

	if (!bson_iter_init_find(&it, user, "banned") || !BSON_ITER_HOLDS_BOOL(&it) ||
	    !bson_iter_bool(&it))
		return false;
	until = model_date(user, "banExpires", -1);
	return until < 0 || until > req->now_ms;
}

/* role (the admin plugin's field: "admin" or "user,editor") holds one of the
 * comma-separated roles of want. */
static bool
getsession_has_role(const char *role, const char *want)
{
	const char *w = want;

	while (role && *w) {
		size_t wn = strcspn(w, ",");
		const char *r = role;

		while (*r) {
			size_t rn = strcspn(r, ",");
			const char *a = r, *b = w;
			size_t an = rn, bn = wn;

			while (an && *a == ' ')
				a++, an--;
			while (an && a[an - 1] == ' ')
				an--;
			while (bn && *b == ' ')
				b++, bn--;
			while (bn && b[bn - 1] == ' ')
				bn--;
			if (an && an == bn && !strncmp(a, b, an))
				return true;
			r += rn + (r[rn] == ',');
		}
		w += wn + (w[wn] == ',');
	}
	return false;
}

enum response_error
getsession_authorize(struct call *c)
{
	bson_oid_t uid;
	char id[25];
	const char *email, *role;
	enum db_status st;

	st = session_current(c->req, &c->session.session, &c->session.user);
	if (st == DB_NOT_FOUND) {
		app_event(c, "access_denied", "unauthorized");
		return ERR_UNAUTHORIZED;
	}
	if (st != DB_OK)
		return app_db_error(st);
	if (getsession_is_banned(c->req, c->session.user)) {
		app_event(c, "access_denied", "banned");
		return ERR_BANNED_USER;
	}
	role = model_str(c->session.user, "role");
	if (c->req->require_role && *c->req->require_role &&
	    !getsession_has_role(role, c->req->require_role)) {
		app_event(c, "access_denied", "forbidden");
		return ERR_FORBIDDEN;
	}
	metrics_count(METRICS_SESSION_FROM_DATABASE);
	model_oid(c->session.user, "_id", &uid);
	bson_oid_to_string(&uid, id);
	email = model_str(c->session.user, "email");
	if (role)
		response_header(c->res, "Variable-AUTH_USER_ROLE", role);
	response_header(c->res, "Variable-AUTH_USER_ID", id);
	response_header(c->res, "Variable-AUTH_USER_EMAIL", email ? email : "");
	/* REMOTE_USER is the one variable lighttpd's mod_proxy passes on to a
	 * proxied backend (and Apache's REMOTE_USER). */
	response_header(c->res, "Variable-REMOTE_USER", id);
	response_json(c->res, 200, NULL);
	return ERR_OK;
}
