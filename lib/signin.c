/*
 * signin.c — see signin.h.
 */
#include "signin.h"

#include "account_repo.h"
#include "config.h"
#include "json_write.h"
#include "log.h"
#include "metrics.h"
#include "model.h"
#include "password.h"
#include "user_repo.h"
#include "verify.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

const struct body_field signin_schema[] = {
	{"email", BODY_STRING, BODY_EMAIL_MAX},
	{"password", BODY_STRING, 0},
	{"callbackURL", BODY_STRING_OPT, BODY_URL_MAX},
	{"rememberMe", BODY_BOOL_OPT, 0},
	{NULL, BODY_STRING, 0},
};

/* The user of email and its credential account (either may come back NULL). */
static enum db_status
signin_find(const char *email, bson_t **user, bson_t **account)
{
	bson_oid_t uid;
	enum db_status st;

	*account = NULL;
	st = user_repo_find_by_email(email, user);
	if (st == DB_OK) {
		model_oid(*user, "_id", &uid);
		st = account_repo_find_credential(&uid, account);
	}
	return st;
}

enum response_error
signin_email(struct call *c)
{
	struct request *req = c->req;
	const char *password = body_string(&c->body, "password");
	const char *callback = body_string(&c->body, "callbackURL"), *stored;
	char *email = NULL, hash[PASSWORD_HASH_LEN + 1], token[TOKEN_LEN + 1];
	bson_t *user = NULL, *account = NULL, *session = NULL;
	bson_string_t *out;
	bool remember = body_bool(&c->body, "rememberMe", true);
	enum password_status ps;
	enum response_error err = ERR_OK;
	enum db_status st;

	memset(hash, 0, sizeof(hash));
	if (!body_is_email(body_string(&c->body, "email"))) {
		err = ERR_INVALID_EMAIL;
		goto done;
	}
	if (password_utf16_len(password, strlen(password)) > 128) {
		err = ERR_PASSWORD_TOO_LONG;
		goto done;
	}
	email = model_lower(body_string(&c->body, "email"));
	st = signin_find(email, &user, &account);
	if (st != DB_OK && st != DB_NOT_FOUND) {
		err = app_db_error(st);
		goto done;
	}
	stored = account ? model_str(account, "password") : NULL;
	if (!stored || !*stored) {
		/* Same work and answer as a wrong password: no account enumeration. */
		password_hash(password, strlen(password), hash);
		metrics_count(METRICS_SIGN_IN_UNKNOWN_EMAIL);
		app_event(c, "sign_in_failed", "invalid_credentials");
		err = ERR_INVALID_EMAIL_OR_PASSWORD;
		goto done;
	}
	ps = password_verify(password, strlen(password), stored);
	if (ps != PASSWORD_OK) {
		if (ps != PASSWORD_MISMATCH) {
			log_error("sign-in: stored password hash is malformed");
			err = ERR_INTERNAL;
			goto done;
		}
		metrics_count(METRICS_SIGN_IN_WRONG_PASSWORD);
		app_event(c, "sign_in_failed", "invalid_credentials");
		err = ERR_INVALID_EMAIL_OR_PASSWORD;
		goto done;
	}
	if (req->cfg->require_verification && !verify_is_verified(user)) {
		if (req->cfg->send_on_sign_in)
			verify_mail_defer(c, user, callback);
		app_event(c, "sign_in_failed", "email_not_verified");
		err = ERR_EMAIL_NOT_VERIFIED;
		goto done;
	}
	st = session_create(req, c->res, user, remember,
	                    remember && session_cookie_has(req, req->cfg->name_dont_remember),
	                    token, &session);
	if (st != DB_OK) {
		if (st != DB_UNAVAILABLE)
			app_event(c, "sign_in_failed", "session_not_created");
		err = st == DB_UNAVAILABLE ? ERR_SERVICE_UNAVAILABLE
		                           : ERR_FAILED_TO_CREATE_SESSION_401;
		goto done;
	}
	out = bson_string_new(callback ? "{\"redirect\":true,\"token\":"
	                               : "{\"redirect\":false,\"token\":");
	json_write_string(out, token, TOKEN_LEN);
	if (callback) {
		bson_string_append(out, ",\"url\":");
		json_write_string(out, callback, strlen(callback));
		response_header(c->res, req->cfg->location_header, callback);
	}
	model_append_user(out, user);
	response_json(c->res, 200, out);
	app_event(c, "sign_in", "ok");
done:
	OPENSSL_cleanse(hash, sizeof(hash));
	free(email);
	bson_destroy(user);
	bson_destroy(account);
	bson_destroy(session);
	return err;
}
