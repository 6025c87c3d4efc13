/*
 * deleteuser.c — see deleteuser.h.
 */
#include "deleteuser.h"

#include "account.h"
#include "account_repo.h"
#include "config.h"
#include "cookie.h"
#include "hooks.h"
#include "json_write.h"
#include "log.h"
#include "mail.h"
#include "model.h"
#include "origin.h"
#include "password.h"
#include "session_repo.h"
#include "token.h"
#include "urlcode.h"
#include "user_repo.h"
#include "verification_repo.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define DELETEUSER_TOKEN_LEN 32
#define DELETEUSER_PREFIX "delete-account-"

const struct body_field deleteuser_schema[] = {
	{"callbackURL", BODY_STRING_OPT, 0},
	{"password", BODY_STRING_OPT, 0},
	{"token", BODY_STRING_OPT, 0},
	{NULL, BODY_STRING, 0},
};

/* Deletes the user as Better Auth's deleteUser does (§3.16 step 6):
 * sessions, accounts, the user, sessions again (one created meanwhile),
 * then expires the cookies and runs the user-deleted hook (the app's
 * documents). Separate writes, no transaction, as Better Auth's. */
static enum response_error
deleteuser_now(struct call *c)
{
	const bson_t *user = c->session.user;
	bson_oid_t uid;
	enum db_status st;

	if (!account_user_oid(user, &uid))
		return ERR_INTERNAL;
	st = session_repo_delete_by_user(&uid);
	if (st == DB_OK)
		st = account_repo_delete_by_user(&uid);
	if (st == DB_OK) {
		st = user_repo_delete(&uid);
		if (st == DB_NOT_FOUND)
			st = DB_OK;
	}
	if (st == DB_OK)
		st = session_repo_delete_by_user(&uid);
	if (st != DB_OK)
		return app_db_error(st);
	app_event(c, "user_deleted", "ok");
	session_cookie_expire_all(c->req, c->res);
	hooks_user_deleted(user, c->req->now_ms);
	return ERR_OK;
}

/* Consumes delete-account-<token> (single use; expired or foreign rows are
 * deleted too) and deletes the user when the row is the caller's. */
static enum response_error
deleteuser_with_token(struct call *c, const char *token)
{
	bson_string_t *ident = bson_string_new(DELETEUSER_PREFIX);
	bson_t *row = NULL;
	bson_oid_t uid;
	char hex[25];
	const char *value;
	enum response_error err;
	enum db_status st;

	bson_string_append(ident, token);
	st = verification_repo_consume(ident->str, c->req->now_ms, &row);
	if (st == DB_NOT_FOUND) {
		err = ERR_INVALID_TOKEN_404;
		goto done;
	}
	if (st != DB_OK) {
		err = app_db_error(st);
		goto done;
	}
	value = model_str(row, "value");
	if (!account_user_oid(c->session.user, &uid)) {
		err = ERR_INTERNAL;
		goto done;
	}
	bson_oid_to_string(&uid, hex);
	if (!value || strcmp(value, hex) != 0) {
		err = ERR_INVALID_TOKEN_404;
		goto done;
	}
	err = deleteuser_now(c);
done:
	bson_string_free(ident, true);
	bson_destroy(row);
	return err;
}

/* The deletion mail, sent after the answer (app_defer). */
struct deleteuser_mail {
	char *to, *name, *url;
};

static void
deleteuser_send_mail(void *arg)
{
	struct deleteuser_mail *m = arg;
	struct mail_message msg = {
		.kind = MAIL_DELETE_ACCOUNT, .to = m->to, .name = m->name, .url = m->url};

	mail_send(&msg);
	free(m->to);
	free(m->name);
	free(m->url);
	free(m);
}

/* <baseURL>/api/auth/delete-user/callback?token=<t>&callbackURL=<enc(cb || "/")> */
static char *
deleteuser_callback_url(const struct config *cfg, const char *token, const char *callback)
{
	const char *base = cfg->base_url ? cfg->base_url : "";
	size_t n = strlen(base);
	bson_string_t *u = bson_string_new(NULL);

	while (n && base[n - 1] == '/')
		n--;
	json_write_raw(u, base, n);
	bson_string_append_printf(u, "/api/auth/delete-user/callback?token=%s&callbackURL=", token);
	cookie_encode(u, callback && *callback ? callback : "/");
	return bson_string_free(u, false);
}

/* FCGI_AUTH_DELETE_USER_VERIFICATION: a delete-account-<token> row and the
 * mail with its link, instead of deleting. */
static enum response_error
deleteuser_request(struct call *c)
{
	const struct config *cfg = c->req->cfg;
	const bson_t *user = c->session.user;
	const char *email = model_str(user, "email"), *name = model_str(user, "name");
	char token[DELETEUSER_TOKEN_LEN + 1], hex[25];
	bson_string_t *ident = bson_string_new(DELETEUSER_PREFIX);
	bson_t *row = NULL;
	bson_oid_t uid;
	struct deleteuser_mail *m;
	enum response_error err = ERR_OK;
	enum db_status st;

	if (!account_user_oid(user, &uid)) {
		err = ERR_INTERNAL;
		goto done;
	}
	bson_oid_to_string(&uid, hex);
	token_generate_lower(token, DELETEUSER_TOKEN_LEN);
	bson_string_append(ident, token);
	st = verification_repo_insert(ident->str, hex,
	                              c->req->now_ms + cfg->delete_token_expires_in * 1000,
	                              c->req->now_ms, &row);
	if (st != DB_OK) {
		err = app_db_error(st);
		goto done;
	}
	if (!cfg->base_url)
		log_warn("delete-user: BETTER_AUTH_URL is not set; the mailed link is relative");
	m = xcalloc(1, sizeof(*m));
	m->to = xstrdup(email ? email : "");
	m->name = name ? xstrdup(name) : NULL;
	m->url = deleteuser_callback_url(cfg, token, body_string(&c->body, "callbackURL"));
	app_defer(c, deleteuser_send_mail, m);
	app_event(c, "user_deletion_requested", "ok");
	response_json(
		c->res, 200,
		bson_string_new("{\"success\":true,\"message\":\"Verification email sent\"}"));
done:
	bson_string_free(ident, true);
	bson_destroy(row);
	return err;
}

/* The password of the request against the user's credential account. */
static enum response_error
deleteuser_check_password(struct call *c, const char *password)
{
	bson_t *account = NULL;
	bson_oid_t uid;
	const char *stored;
	enum password_status ps;
	enum response_error err = ERR_OK;
	enum db_status st;

	if (password_utf16_len(password, strlen(password)) > 128) {
		err = ERR_PASSWORD_TOO_LONG;
		goto done;
	}
	if (!account_user_oid(c->session.user, &uid)) {
		err = ERR_INTERNAL;
		goto done;
	}
	st = account_repo_find_credential(&uid, &account);
	if (st != DB_OK && st != DB_NOT_FOUND) {
		err = app_db_error(st);
		goto done;
	}
	stored = account ? model_str(account, "password") : NULL;
	if (!stored || !*stored) {
		err = ERR_CREDENTIAL_ACCOUNT_NOT_FOUND;
		goto done;
	}
	ps = password_verify(password, strlen(password), stored);
	if (ps == PASSWORD_MISMATCH || ps == PASSWORD_BAD_HASH) {
		if (ps == PASSWORD_BAD_HASH)
			log_error("delete-user: stored password hash is malformed");
		err = ERR_INVALID_PASSWORD;
	} else if (ps != PASSWORD_OK) {
		err = ERR_INTERNAL;
	}
done:
	bson_destroy(account);
	return err;
}

static void
deleteuser_answer_deleted(struct response *res)
{
	response_json(res, 200, bson_string_new("{\"success\":true,\"message\":\"User deleted\"}"));
}

enum response_error
deleteuser_post(struct call *c)
{
	const struct config *cfg = c->req->cfg;
	const char *password = body_string(&c->body, "password");
	const char *token = body_string(&c->body, "token");
	bool has_password = password && *password;
	enum response_error err;

	if (!cfg->delete_user) {
		log_error("delete-user: disabled (set FCGI_AUTH_DELETE_USER=1 to enable it)");
		response_json(c->res, 404, bson_string_new("")); /* empty, but JSON's type */
		return ERR_OK;
	}
	if (has_password && (err = deleteuser_check_password(c, password)) != ERR_OK)
		return err;
	if (token && *token)
		err = deleteuser_with_token(c, token);
	else if (cfg->delete_user_verification)
		return deleteuser_request(c);
	else if (!has_password && !session_is_fresh(c->req, c->session.session))
		return ERR_SESSION_EXPIRED;
	else
		err = deleteuser_now(c);
	if (err == ERR_OK)
		deleteuser_answer_deleted(c->res);
	return err;
}

/* ---------------------------------------------------------------- the mailed link */

/* How often key appears in the query (the router makes an array of a
 * repeated key), and its first raw value. */
static int
deleteuser_query_count(const struct request *req, const char *key, const char **first, size_t *len)
{
	const char *p = req->query;
	size_t klen = strlen(key);
	int count = 0;

	*first = NULL;
	*len = 0;
	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t n = amp ? (size_t)(amp - p) : strlen(p);

		if (n >= klen && !strncmp(p, key, klen) && (n == klen || p[klen] == '=')) {
			if (!count++) {
				*first = n == klen ? p + n : p + klen + 1;
				*len = n == klen ? 0 : n - klen - 1;
			}
		}
		p = amp ? amp + 1 : NULL;
	}
	return count;
}

/* The decoded value of a query parameter given once, else NULL. */
static char *
deleteuser_query_value(const struct request *req, const char *key)
{
	const char *v;
	size_t n;

	if (deleteuser_query_count(req, key, &v, &n) != 1)
		return NULL;
	return urlcode_decode(v, n, URLCODE_FORM, NULL);
}

bool
deleteuser_callback_validate(struct call *c)
{
	bson_string_t *issues = bson_string_new(NULL);
	const char *v;
	size_t n;
	int tokens = deleteuser_query_count(c->req, "token", &v, &n);
	int callbacks = deleteuser_query_count(c->req, "callbackURL", &v, &n);
	char *callback = NULL;
	bool ok = false;

	if (tokens != 1)
		bson_string_append_printf(
			issues, "[query.token] Invalid input: expected string, received %s",
			tokens ? "array" : "undefined");
	if (callbacks > 1)
		bson_string_append_printf(
			issues,
			"%s[query.callbackURL] Invalid input: expected string, received array",
			issues->len ? "; " : "");
	if (issues->len) {
		response_error_message(c->res, 400, issues->str, "VALIDATION_ERROR");
		goto done;
	}
	callback = deleteuser_query_value(c->req, "callbackURL");
	if (callbacks && n &&
	    (!callback || !origin_callback_ok(c->req, callback, strlen(callback)))) {
		log_error("delete-user/callback: untrusted callbackURL refused");
		response_error(c->res, ERR_INVALID_CALLBACK_URL);
		goto done;
	}
	ok = true;
done:
	free(callback);
	bson_string_free(issues, true);
	return ok;
}

enum response_error
deleteuser_callback(struct call *c)
{
	char *token = NULL, *callback = NULL;
	enum response_error err;
	enum db_status st;

	if (!c->req->cfg->delete_user) {
		log_error("delete-user/callback: disabled (set FCGI_AUTH_DELETE_USER=1 to enable "
		          "it)");
		return ERR_NOT_FOUND_JSON;
	}
	st = session_lookup(c->req, c->res, 0, &c->session);
	if (st == DB_NOT_FOUND) {
		err = ERR_FAILED_TO_GET_USER_INFO;
		goto done;
	}
	if (st != DB_OK) {
		err = app_db_error(st);
		goto done;
	}
	token = deleteuser_query_value(c->req, "token");
	err = token ? deleteuser_with_token(c, token) : ERR_INVALID_TOKEN_404;
	if (err != ERR_OK)
		goto done;
	callback = deleteuser_query_value(c->req, "callbackURL");
	if (callback && *callback) {
		response_header(c->res, c->req->cfg->location_header, callback);
		response_json(c->res, 302, bson_string_new(""));
	} else {
		deleteuser_answer_deleted(c->res);
	}
done:
	free(token);
	free(callback);
	return err;
}
