/*
 * reset.c — see reset.h.
 */
#include "reset.h"

#include "account_repo.h"
#include "config.h"
#include "json_write.h"
#include "log.h"
#include "mailjob.h"
#include "model.h"
#include "password.h"
#include "session_repo.h"
#include "token.h"
#include "url.h"
#include "urlcode.h"
#include "user_repo.h"
#include "verification_repo.h"
#include "xalloc.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define RESET_TOKEN_LEN 24
#define RESET_PREFIX "reset-password:"
#define RESET_TOKEN_MAX 256 /* ours: longer is never a token we issued */

const struct body_field reset_request_schema[] = {
	{"email", BODY_EMAIL, BODY_EMAIL_MAX},
	{"redirectTo", BODY_STRING_OPT, BODY_URL_MAX},
	{NULL, BODY_STRING, 0},
};

const struct body_field reset_password_schema[] = {
	{"newPassword", BODY_STRING, 0},
	{"token", BODY_STRING_OPT, RESET_TOKEN_MAX},
	{NULL, BODY_STRING, 0},
};

static const char reset_answer[] = "{\"status\":true,\"message\":\"If this email exists in our "
				   "system, check your email for the "
				   "reset link\"}";

/* "reset-password:<token>" for a token of sane length and alphabet, else
 * NULL (no store access: it cannot exist). */
static char *
reset_identifier(const char *token, size_t n)
{
	size_t i;
	char *id;

	if (!n || n > RESET_TOKEN_MAX)
		return NULL;
	for (i = 0; i < n; i++)
		if ((unsigned char)token[i] < 0x21 || (unsigned char)token[i] > 0x7e)
			return NULL;
	if (asprintf(&id, RESET_PREFIX "%.*s", (int)n, token) < 0)
		abort();
	return id;
}

enum response_error
reset_request(struct call *c)
{
	const struct config *cfg = c->req->cfg;
	const char *redirect = body_string(&c->body, "redirectTo");
	char token[RESET_TOKEN_LEN + 1], hex[25], *email = NULL, *identifier = NULL, *url = NULL;
	bson_t *user = NULL, *row = NULL;
	enum response_error err = ERR_OK;
	enum db_status st;

	if (!mailjob_is_enabled()) {
		err = ERR_RESET_PASSWORD_DISABLED;
		goto done;
	}
	email = model_lower(body_string(&c->body, "email"));
	token_generate_n(token, RESET_TOKEN_LEN);
	st = user_repo_find_by_email(email, &user);
	if (st == DB_NOT_FOUND) {
		/* Better Auth's unknown-address path: a token made and thrown away,
		 * one read of the verification collection, the same answer. */
		st = verification_repo_find_latest("dummy-verification-token", c->req->now_ms,
		                                   &row);
		if (st != DB_OK && st != DB_NOT_FOUND) {
			err = app_db_error(st);
			goto done;
		}
		log_warn("Reset Password: User not found");
		app_event(c, "password_reset_requested", "unknown_email");
		goto answer;
	}
	if (st != DB_OK) {
		err = app_db_error(st);
		goto done;
	}
	mailjob_user_id(user, hex);
	if (asprintf(&identifier, RESET_PREFIX "%s", token) < 0)
		abort();
	st = verification_repo_insert(identifier, hex,
	                              c->req->now_ms + cfg->reset_expires_in * 1000, c->req->now_ms,
	                              &row);
	if (st != DB_OK) {
		err = app_db_error(st);
		goto done;
	}
	url = mailjob_link(cfg, "/reset-password/", token,
	                   "?callbackURL=", redirect ? redirect : "");
	mailjob_defer(c, &(struct mail_message){.kind = MAIL_RESET_PASSWORD,
	                                        .to = model_str(user, "email"),
	                                        .name = model_str(user, "name"),
	                                        .url = url});
	app_event(c, "password_reset_requested", "ok");
answer:
	response_json(c->res, 200, bson_string_new(reset_answer));
done:
	OPENSSL_cleanse(token, sizeof(token));
	if (url)
		OPENSSL_cleanse(url, strlen(url));
	free(url);
	free(identifier);
	free(email);
	bson_destroy(user);
	bson_destroy(row);
	return err;
}

/* Appends one name=value pair, form-encoded as URLSearchParams writes it. */
static void
reset_append_pair(bson_string_t *out, const char *name, size_t nlen, const char *value, size_t vlen)
{
	if (out->len && out->str[out->len - 1] != '?')
		bson_string_append_c(out, '&');
	urlcode_encode(out, name, nlen, URLCODE_FORM);
	bson_string_append_c(out, '=');
	urlcode_encode(out, value, vlen, URLCODE_FORM);
}

/* new URL(callback, baseURL) with searchParams.set(name, value): always
 * absolute; the query re-serialised as URLSearchParams does; the fragment
 * kept. Malloc'd. */
static char *
reset_redirect_url(const struct config *cfg, const char *callback, const char *name,
                   const char *value)
{
	bson_string_t *out = bson_string_new(NULL);
	const char *hash = strchr(callback, '#'), *q;
	size_t end = hash ? (size_t)(hash - callback) : strlen(callback), pathlen;
	bool set = false;

	if (callback[0] == '/' && cfg->base_url) {
		char *origin = url_origin(cfg->base_url, strlen(cfg->base_url));

		if (origin)
			bson_string_append(out, origin);
		free(origin);
	}
	q = memchr(callback, '?', end);
	pathlen = q ? (size_t)(q - callback) : end;
	bson_string_append_printf(out, "%.*s?", (int)pathlen, callback);
	for (q = q ? q + 1 : callback + end; q < callback + end;) {
		const char *amp = memchr(q, '&', (size_t)(callback + end - q));
		size_t seg = amp ? (size_t)(amp - q) : (size_t)(callback + end - q);
		const char *eq = memchr(q, '=', seg);
		size_t klen = eq ? (size_t)(eq - q) : seg, kn = 0, vn = 0;
		char *k = urlcode_decode(q, klen, URLCODE_FORM, &kn);
		char *v = eq ? urlcode_decode(eq + 1, seg - klen - 1, URLCODE_FORM, &vn)
		             : xstrdup("");

		if (seg && k && v) {
			if (strcmp(k, name))
				reset_append_pair(out, k, kn, v, vn);
			else if (!set)
				reset_append_pair(out, name, strlen(name), value, strlen(value));
			set = set || !strcmp(k, name);
		}
		free(k);
		free(v);
		q += seg + 1;
	}
	if (!set)
		reset_append_pair(out, name, strlen(name), value, strlen(value));
	if (hash)
		bson_string_append(out, hash);
	return bson_string_free(out, false);
}

enum response_error
reset_link(struct call *c)
{
	const struct config *cfg = c->req->cfg;
	bson_string_t *issues = bson_string_new(NULL);
	char *callback = NULL, *identifier = NULL, *url = NULL, *token = NULL;
	bson_t *row = NULL;
	enum response_error err = ERR_OK;
	enum db_status st = DB_NOT_FOUND;

	mailjob_query_string(c->req, "callbackURL", true, &callback, issues);
	if (!mailjob_query_done(c, issues, callback))
		goto done;
	if (!*callback) {
		url = mailjob_link(cfg, "/error?error=INVALID_TOKEN", "", "", "");
		response_redirect(c->res, cfg->location_header, url);
		goto done;
	}
	token = urlcode_decode(c->param, c->param_len, URLCODE_COMPONENT, NULL);
	identifier = token ? reset_identifier(token, strlen(token)) : NULL;
	if (identifier)
		st = verification_repo_find_latest(identifier, c->req->now_ms, &row);
	if (st != DB_OK && st != DB_NOT_FOUND) {
		err = app_db_error(st);
		goto done;
	}
	if (st == DB_OK && !verification_repo_is_expired(row, c->req->now_ms))
		url = reset_redirect_url(cfg, callback, "token", token);
	else
		url = reset_redirect_url(cfg, callback, "error", "INVALID_TOKEN");
	response_redirect(c->res, cfg->location_header, url);
done:
	free(callback);
	free(identifier);
	free(token);
	free(url);
	bson_destroy(row);
	return err;
}

/* Writes the new hash: the credential account's password, or a new
 * credential account when the user has none (Better Auth does the same). */
static enum db_status
reset_write_password(const bson_oid_t *uid, const char *hash, int64_t now_ms)
{
	enum db_status st = account_repo_set_password(uid, hash, now_ms);

	if (st == DB_NOT_FOUND)
		st = account_repo_insert_credential(uid, hash, now_ms);
	return st;
}

enum response_error
reset_password(struct call *c)
{
	const struct config *cfg = c->req->cfg;
	const char *password = body_string(&c->body, "newPassword"), *value;
	const char *token = body_string(&c->body, "token");
	bson_string_t *issues = bson_string_new(NULL);
	char *query_token = NULL, *identifier = NULL, hash[PASSWORD_HASH_LEN + 1];
	bson_t *row = NULL, *user = NULL, *taken = NULL;
	bson_oid_t uid;
	long plen = password_utf16_len(password, strlen(password));
	enum response_error err = ERR_OK;
	enum db_status st;

	memset(hash, 0, sizeof(hash));
	mailjob_query_string(c->req, "token", false, &query_token, issues);
	if (!mailjob_query_done(c, issues, NULL))
		goto done;
	if (!token || !*token)
		token = query_token;
	if (!token || !*token) {
		err = ERR_INVALID_TOKEN;
		goto done;
	}
	if (plen < 8 || plen > 128) {
		err = plen < 8 ? ERR_PASSWORD_TOO_SHORT : ERR_PASSWORD_TOO_LONG;
		goto done;
	}
	if (!(identifier = reset_identifier(token, strlen(token)))) {
		app_event(c, "password_reset_failed", "invalid_token");
		err = ERR_INVALID_TOKEN;
		goto done;
	}
	st = verification_repo_find_latest(identifier, c->req->now_ms, &row);
	if (st != DB_OK || verification_repo_is_expired(row, c->req->now_ms)) {
		if (st == DB_OK || st == DB_NOT_FOUND)
			app_event(c, "password_reset_failed", "invalid_token");
		err = st == DB_OK || st == DB_NOT_FOUND ? ERR_INVALID_TOKEN : app_db_error(st);
		goto done;
	}
	value = model_str(row, "value");
	if (!value || !bson_oid_is_valid(value, strlen(value))) {
		err = ERR_USER_NOT_FOUND;
		goto done;
	}
	bson_oid_init_from_string(&uid, value);
	st = user_repo_find_by_id(&uid, &user);
	if (st != DB_OK) {
		err = st == DB_NOT_FOUND ? ERR_USER_NOT_FOUND : app_db_error(st);
		goto done;
	}
	if (password_hash(password, strlen(password), hash) != PASSWORD_OK) {
		err = ERR_INTERNAL;
		goto done;
	}
	/* Single use: whoever takes the row resets; a second use finds none. */
	st = verification_repo_consume(identifier, c->req->now_ms, &taken);
	if (st != DB_OK) {
		if (st == DB_NOT_FOUND) /* used meanwhile */
			app_event(c, "password_reset_failed", "invalid_token");
		err = st == DB_NOT_FOUND ? ERR_INVALID_TOKEN : app_db_error(st);
		goto done;
	}
	if (cfg->revoke_on_reset) {
		st = session_repo_delete_by_user(&uid);
		if (st != DB_OK && st != DB_NOT_FOUND) {
			err = app_db_error(st);
			goto done;
		}
	}
	st = reset_write_password(&uid, hash, c->req->now_ms);
	if (st != DB_OK) {
		log_error("reset-password: token consumed but the password was not written");
		err = app_db_error(st);
		goto done;
	}
	response_json(c->res, 200, bson_string_new("{\"status\":true}"));
	app_event(c, "password_reset", "ok");
	if (cfg->revoke_on_reset)
		app_event(c, "session_revoked", "password_reset");
done:
	OPENSSL_cleanse(hash, sizeof(hash));
	free(query_token);
	free(identifier);
	bson_destroy(row);
	bson_destroy(user);
	bson_destroy(taken);
	return err;
}
