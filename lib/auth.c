/*
 * auth.c — see auth.h. Sign-up, sign-in and sign-out, and the cookie and
 * session helpers they share with get-session (auth_session.c).
 */
#include "auth.h"

#include "account_repo.h"
#include "auth_internal.h"
#include "body.h"
#include "config.h"
#include "cookie.h"
#include "json_write.h"
#include "log.h"
#include "model.h"
#include "origin.h"
#include "password.h"
#include "profile.h"
#include "session_cache.h"
#include "session_repo.h"
#include "token.h"
#include "user_repo.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define AUTH_DONT_REMEMBER_S 86400 /* rememberMe:false sessions: 1 day, fixed */
#define AUTH_ORPHAN_AGE_MS 30000   /* a sign-up finishes well within this */

void
auth_error_of(struct response *res, int st)
{
	response_error(res, st == DB_UNAVAILABLE ? ERR_SERVICE_UNAVAILABLE : ERR_INTERNAL);
}

void
auth_cookie(const struct request *req, struct response *res, const char *name,
            const char *encoded_value, long long max_age)
{
	char *line = cookie_format(name, encoded_value, max_age, req->cfg->secure_cookies);

	response_header(res, "Set-Cookie", line);
	free(line);
}

/* A cookie whose value is signed, then URL-encoded. */
static void
auth_cookie_signed(const struct request *req, struct response *res, const char *name,
                   const char *value, long long max_age)
{
	char *raw = cookie_sign(value);
	bson_string_t *enc = bson_string_new(NULL);

	cookie_encode(enc, raw);
	auth_cookie(req, res, name, enc->str, max_age);
	bson_string_free(enc, true);
	free(raw);
}

void
auth_cookie_token(const struct request *req, struct response *res, const char *token, bool remember)
{
	auth_cookie_signed(req, res, req->cfg->name_token, token, remember ? req->cfg->expires_in : -1);
}

void
auth_cookie_data(const struct request *req, struct response *res, const bson_t *session,
                 const bson_t *user, bool remember)
{
	bson_string_t *s = bson_string_new(NULL), *u = bson_string_new(NULL);
	int64_t max_age = remember ? req->cfg->cookie_cache_max_age : 60;
	char *value;

	model_write(s, session, model_session_keys);
	model_write(u, user, model_user_keys);
	value = session_cache_encode(s->str, u->str, req->now_ms, max_age);
	auth_cookie(req, res, req->cfg->name_data, value, remember ? max_age : -1);
	free(value);
	bson_string_free(s, true);
	bson_string_free(u, true);
}

void
auth_expire_cookies(const struct request *req, struct response *res)
{
	auth_cookie(req, res, req->cfg->name_token, "", 0);
	auth_cookie(req, res, req->cfg->name_data, "", 0);
	if (cookie_has_chunks(req->cookie, req->cfg->name_data))
		auth_cookie(req, res, req->cfg->name_data, "", 0);
	auth_cookie(req, res, req->cfg->name_dont_remember, "", 0);
}

bool
auth_has_cookie(const struct request *req, const char *name)
{
	char *v = cookie_get(req->cookie, name);
	bool present = v != NULL;

	free(v);
	return present;
}

bool
auth_has_dont_remember(const struct request *req)
{
	char *v = cookie_get(req->cookie, req->cfg->name_dont_remember);
	char *plain = v ? cookie_verify(v) : NULL;
	bool yes = plain && !strcmp(plain, "true");

	free(plain);
	free(v);
	return yes;
}

char *
auth_session_token(const struct request *req)
{
	char *v = cookie_get(req->cookie, req->cfg->name_token);
	char *token = v ? cookie_verify(v) : NULL;

	free(v);
	return token;
}

/* The client address the web server saw; IPv4-mapped IPv6 as IPv4. */
static const char *
auth_client_ip(const struct request *req)
{
	const char *ip = req->remote_addr ? req->remote_addr : "";

	if (!strncasecmp(ip, "::ffff:", 7) && strchr(ip + 7, '.'))
		ip += 7;
	return ip;
}

/* Creates a session for user and sets its cookies; *session gets the row. */
static int
auth_start_session(const struct request *req, struct response *res, const bson_t *user,
                   bool remember, bool expire_dont_remember, char token[TOKEN_LEN + 1],
                   bson_t **session)
{
	bson_oid_t uid;
	int64_t life = remember ? req->cfg->expires_in : AUTH_DONT_REMEMBER_S;
	int st;

	model_oid(user, "_id", &uid);
	token_generate(token);
	st = session_repo_insert(token, &uid, req->now_ms + life * 1000, req->now_ms,
	                         auth_client_ip(req), req->user_agent, session);
	if (st != DB_OK)
		return st;
	auth_cookie_token(req, res, token, remember);
	if (!remember)
		auth_cookie_signed(req, res, req->cfg->name_dont_remember, "true", -1);
	else if (expire_dont_remember)
		auth_cookie(req, res, req->cfg->name_dont_remember, "", 0);
	if (req->cfg->cookie_cache)
		auth_cookie_data(req, res, *session, user, remember);
	return DB_OK;
}

/* Ends the 200 body begun in out with ,"user":{…}} and sets it. */
static void
auth_answer_user(struct response *res, bson_string_t *out, const bson_t *user)
{
	bson_string_append(out, ",\"user\":");
	model_write(out, user, model_user_keys);
	bson_string_append_c(out, '}');
	response_json(res, 200, out);
}

/* Steps 4–5 of Better Auth's pipeline for a body-taking endpoint: the body,
 * then the origin check and the callback-URL fields. */
bool
auth_read_body(const struct request *req, struct response *res, bool allow_form, struct body *b)
{
	enum response_error err;

	if (!body_read(req, res, allow_form, b))
		return false;
	if (!origin_check(req, &err)) {
		response_error(res, err);
		return false;
	}
	return body_check_callbacks(req, res, b);
}

/* Field limits of ours (Better Auth has none but the password's): far above
 * any real value, they keep one request from storing 64 KiB of name. */
#define AUTH_EMAIL_MAX 320
#define AUTH_NAME_MAX 1000
#define AUTH_URL_MAX 2048

static const struct body_field auth_sign_up_schema[] = {
	{"name", BODY_STRING, AUTH_NAME_MAX},
	{"email", BODY_EMAIL, AUTH_EMAIL_MAX},
	{"password", BODY_STRING_NONEMPTY, 0}, /* 8–128: checked after, as Better Auth */
	{"image", BODY_STRING_OPT, AUTH_URL_MAX},
	{"callbackURL", BODY_STRING_OPT, AUTH_URL_MAX},
	{"rememberMe", BODY_BOOL_OPT, 0},
	{NULL, BODY_STRING, 0},
};

static const struct body_field auth_sign_in_schema[] = {
	{"email", BODY_STRING, AUTH_EMAIL_MAX},
	{"password", BODY_STRING, 0},
	{"callbackURL", BODY_STRING_OPT, AUTH_URL_MAX},
	{"rememberMe", BODY_BOOL_OPT, 0},
	{NULL, BODY_STRING, 0},
};

/* Steps 4–7 for sign-in and sign-up: body, origin and callback URLs, schema
 * validation (400 VALIDATION_ERROR), then the form-CSRF check. */
static bool
auth_credential_body(const struct request *req, struct response *res,
                     const struct body_field *schema, bool with_record, struct body *b)
{
	bson_string_t *issues;
	enum response_error err;

	if (!auth_read_body(req, res, true, b))
		return false;
	issues = body_validate(b, schema, with_record);
	if (issues) {
		response_error_message(res, 400, issues->str, "VALIDATION_ERROR");
		bson_string_free(issues, true);
		return false;
	}
	if (!origin_check_form(req, &err)) {
		response_error(res, err);
		return false;
	}
	return true;
}

static char *
auth_lower(const char *s)
{
	char *out = strdup(s), *p;

	if (!out)
		abort();
	for (p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

/* A user with no account at all, older than AUTH_ORPHAN_AGE_MS, is what an
 * interrupted sign-up leaves (the process died between the user and the
 * account insert): nobody can sign in as it, and its email could never sign up
 * again. Removes it so this sign-up proceeds; the unique email index keeps
 * concurrent sign-ups of the same email to one winner. true when removed. */
static bool
auth_remove_orphan(const bson_t *user, int64_t now_ms)
{
	bson_t *account = NULL;
	bson_oid_t uid;
	bool removed = false;

	if (!model_oid(user, "_id", &uid) ||
	    model_date(user, "createdAt", now_ms) > now_ms - AUTH_ORPHAN_AGE_MS)
		return false;
	if (account_repo_find_any(&uid, &account) == DB_NOT_FOUND && user_repo_delete(&uid) == DB_OK) {
		log_warn("sign-up: removed a user left without any account by an interrupted sign-up");
		removed = true;
	}
	bson_destroy(account);
	return removed;
}

void
auth_sign_up(struct request *req, struct response *res)
{
	struct body b;
	const char *name, *password, *image;
	char *email = NULL, hash[PASSWORD_HASH_LEN + 1], token[TOKEN_LEN + 1];
	bson_t *user = NULL, *session = NULL;
	bson_string_t *out;
	bool remember;
	long plen;
	int st;
	bson_oid_t uid;

	memset(hash, 0, sizeof(hash));
	if (!auth_credential_body(req, res, auth_sign_up_schema, true, &b))
		goto done;
	name = body_string(&b, "name");
	password = body_string(&b, "password");
	image = body_string(&b, "image");
	remember = body_bool(&b, "rememberMe", true);
	plen = password_utf16_len(password, strlen(password));
	if (plen < 8) {
		response_error(res, ERR_PASSWORD_TOO_SHORT);
		goto done;
	}
	if (plen > 128) {
		response_error(res, ERR_PASSWORD_TOO_LONG);
		goto done;
	}
	email = auth_lower(body_string(&b, "email"));
	st = user_repo_find_by_email(email, &user);
	if (st == DB_OK && auth_remove_orphan(user, req->now_ms)) {
		bson_destroy(user);
		user = NULL;
		st = DB_NOT_FOUND;
	}
	if (st == DB_OK) {
		response_error(res, ERR_USER_EXISTS);
		goto done;
	}
	if (st != DB_NOT_FOUND) {
		auth_error_of(res, st);
		goto done;
	}
	if (password_hash(password, strlen(password), hash) != PASSWORD_OK) {
		response_error(res, ERR_INTERNAL);
		goto done;
	}
	st = user_repo_insert(name, email, image, req->now_ms, &user);
	if (st == DB_DUPLICATE) {
		response_error(res, ERR_FAILED_TO_CREATE_USER);
		goto done;
	}
	if (st != DB_OK) {
		auth_error_of(res, st);
		goto done;
	}
	model_oid(user, "_id", &uid);
	st = account_repo_insert_credential(&uid, hash, req->now_ms);
	if (st != DB_OK) {
		/* Without its credential account the user could neither sign in nor
		 * sign up again: take the user back out. */
		int del = user_repo_delete(&uid);

		if (del != DB_OK && del != DB_NOT_FOUND)
			log_error("sign-up: user left without a credential account; the next sign-up "
			          "of this email repairs it");
		auth_error_of(res, st);
		goto done;
	}
	profile_link_new_user(user, req->now_ms); /* best effort; logged */
	st = auth_start_session(req, res, user, remember, false, token, &session);
	if (st != DB_OK) {
		if (st == DB_UNAVAILABLE)
			auth_error_of(res, st);
		else
			response_error(res, ERR_FAILED_TO_CREATE_SESSION);
		goto done;
	}
	out = bson_string_new("{\"token\":");
	json_write_string(out, token, TOKEN_LEN);
	auth_answer_user(res, out, user);
done:
	OPENSSL_cleanse(hash, sizeof(hash));
	free(email);
	bson_destroy(user);
	bson_destroy(session);
	body_cleanup(&b);
}

void
auth_sign_in(struct request *req, struct response *res)
{
	struct body b;
	bson_string_t *out;
	const char *password, *callback, *stored;
	char *email = NULL, hash[PASSWORD_HASH_LEN + 1], token[TOKEN_LEN + 1];
	bson_t *user = NULL, *account = NULL, *session = NULL;
	enum password_status ps;
	bson_oid_t uid;
	bool remember;
	int st;

	memset(hash, 0, sizeof(hash));
	if (!auth_credential_body(req, res, auth_sign_in_schema, false, &b))
		goto done;
	if (!body_is_email(body_string(&b, "email"))) {
		response_error(res, ERR_INVALID_EMAIL);
		goto done;
	}
	password = body_string(&b, "password");
	if (password_utf16_len(password, strlen(password)) > 128) {
		response_error(res, ERR_PASSWORD_TOO_LONG);
		goto done;
	}
	callback = body_string(&b, "callbackURL");
	remember = body_bool(&b, "rememberMe", true);
	email = auth_lower(body_string(&b, "email"));
	st = user_repo_find_by_email(email, &user);
	if (st == DB_OK) {
		model_oid(user, "_id", &uid);
		st = account_repo_find_credential(&uid, &account);
	}
	if (st != DB_OK && st != DB_NOT_FOUND) {
		auth_error_of(res, st);
		goto done;
	}
	stored = account ? model_str(account, "password") : NULL;
	if (!stored || !*stored) {
		/* Same work and answer as a wrong password: no account enumeration. */
		password_hash(password, strlen(password), hash);
		response_error(res, ERR_INVALID_EMAIL_OR_PASSWORD);
		goto done;
	}
	ps = password_verify(password, strlen(password), stored);
	if (ps == PASSWORD_MISMATCH) {
		response_error(res, ERR_INVALID_EMAIL_OR_PASSWORD);
		goto done;
	}
	if (ps != PASSWORD_OK) {
		log_error("sign-in: stored password hash is malformed");
		response_error(res, ERR_INTERNAL);
		goto done;
	}
	st = auth_start_session(req, res, user, remember,
	                        remember && auth_has_cookie(req, req->cfg->name_dont_remember),
	                        token, &session);
	if (st != DB_OK) {
		if (st == DB_UNAVAILABLE)
			auth_error_of(res, st);
		else
			response_error_message(res, 401, "Failed to create session", "FAILED_TO_CREATE_SESSION");
		goto done;
	}
	out = bson_string_new(callback ? "{\"redirect\":true,\"token\":" : "{\"redirect\":false,\"token\":");
	json_write_string(out, token, TOKEN_LEN);
	if (callback) {
		bson_string_append(out, ",\"url\":");
		json_write_string(out, callback, strlen(callback));
		response_header(res, req->cfg->location_header, callback);
	}
	auth_answer_user(res, out, user);
done:
	OPENSSL_cleanse(hash, sizeof(hash));
	free(email);
	bson_destroy(user);
	bson_destroy(account);
	bson_destroy(session);
	body_cleanup(&b);
}

void
auth_sign_out(struct request *req, struct response *res)
{
	struct body b;
	char *token = NULL;
	int st;

	if (!auth_read_body(req, res, false, &b))
		goto done;
	token = auth_session_token(req);
	if (token && (st = session_repo_delete_by_token(token)) != DB_OK && st != DB_NOT_FOUND) {
		auth_error_of(res, st);
		goto done;
	}
	auth_expire_cookies(req, res);
	response_json(res, 200, bson_string_new("{\"success\":true}"));
done:
	free(token);
	body_cleanup(&b);
}
