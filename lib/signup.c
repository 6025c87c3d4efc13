/*
 * signup.c — see signup.h.
 */
#include "signup.h"

#include "account_repo.h"
#include "config.h"
#include "hooks.h"
#include "json_write.h"
#include "log.h"
#include "model.h"
#include "password.h"
#include "token.h"
#include "user_repo.h"
#include "verify.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

const struct body_field signup_schema[] = {
	{"name", BODY_STRING, BODY_NAME_MAX},     {"email", BODY_EMAIL, BODY_EMAIL_MAX},
	{"password", BODY_STRING_NONEMPTY, 0}, /* 8–128: checked after, as Better Auth */
	{"image", BODY_STRING_OPT, BODY_URL_MAX}, {"callbackURL", BODY_STRING_OPT, BODY_URL_MAX},
	{"rememberMe", BODY_BOOL_OPT, 0},         {NULL, BODY_STRING, 0},
};

/* Writes the credential account, then the user. In that order a sign-up
 * interrupted between the two leaves an account whose user does not exist —
 * unreachable, and no obstacle to signing up again — and never a user
 * without an account, which is what other writers (Better Auth's magic-link,
 * email-OTP, anonymous users) legitimately leave and nobody may take over.
 * *user is the inserted document. */
static enum response_error
signup_write(struct call *c, const char *email, const char *hash, bson_t **user)
{
	const char *name = body_string(&c->body, "name"), *image = body_string(&c->body, "image");
	bson_oid_t uid;
	enum db_status st, del;

	bson_oid_init(&uid, NULL);
	st = account_repo_insert_credential(&uid, hash, c->req->now_ms);
	if (st != DB_OK)
		return app_db_error(st);
	st = user_repo_insert(&uid, name, email, image, c->req->now_ms, user);
	if (st == DB_OK)
		return ERR_OK;
	del = account_repo_delete_credential(&uid);
	if (del != DB_OK && del != DB_NOT_FOUND)
		log_warn("sign-up: an account was left without its user (unreachable; harmless)");
	return st == DB_DUPLICATE ? ERR_FAILED_TO_CREATE_USER : app_db_error(st);
}

/* requireEmailVerification's answer to a taken address (accounts spec
 * §3.14): 200 with token null and a user that does not exist — a 32
 * character id and "image":null as Better Auth makes it — after the same
 * hash as a real sign-up, so the address is not revealed. */
static void
signup_synthetic(struct call *c, const char *email)
{
	const char *image = body_string(&c->body, "image");
	bson_t *user = bson_new();
	bson_string_t *out = bson_string_new("{\"token\":null");
	char id[TOKEN_LEN + 1];

	token_generate(id);
	BSON_APPEND_UTF8(user, "name", body_string(&c->body, "name"));
	BSON_APPEND_UTF8(user, "email", email);
	BSON_APPEND_BOOL(user, "emailVerified", false);
	if (image)
		BSON_APPEND_UTF8(user, "image", image);
	else
		BSON_APPEND_NULL(user, "image");
	BSON_APPEND_DATE_TIME(user, "createdAt", c->req->now_ms);
	BSON_APPEND_DATE_TIME(user, "updatedAt", c->req->now_ms);
	BSON_APPEND_UTF8(user, "id", id);
	model_append_user(out, user);
	response_json(c->res, 200, out);
	bson_destroy(user);
}

enum response_error
signup_email(struct call *c)
{
	struct request *req = c->req;
	const char *password = body_string(&c->body, "password");
	char *email = NULL, hash[PASSWORD_HASH_LEN + 1], token[TOKEN_LEN + 1];
	bson_t *user = NULL, *session = NULL;
	bson_string_t *out;
	long plen = password_utf16_len(password, strlen(password));
	enum response_error err;
	enum db_status st;

	memset(hash, 0, sizeof(hash));
	if (plen < 8 || plen > 128) {
		err = plen < 8 ? ERR_PASSWORD_TOO_SHORT : ERR_PASSWORD_TOO_LONG;
		goto done;
	}
	email = model_lower(body_string(&c->body, "email"));
	st = user_repo_find_by_email(email, &user);
	if (st == DB_OK && req->cfg->require_verification) {
		err = password_hash(password, strlen(password), hash) == PASSWORD_OK ? ERR_OK
		                                                                     : ERR_INTERNAL;
		if (err == ERR_OK) {
			/* The client sees a sign-up; the operator, what it was. */
			signup_synthetic(c, email);
			app_event(c, "sign_up_failed", "user_exists");
		}
		goto done;
	}
	if (st != DB_NOT_FOUND) {
		if (st == DB_OK)
			app_event(c, "sign_up_failed", "user_exists");
		err = st == DB_OK ? ERR_USER_EXISTS : app_db_error(st);
		goto done;
	}
	if (password_hash(password, strlen(password), hash) != PASSWORD_OK) {
		err = ERR_INTERNAL;
		goto done;
	}
	if ((err = signup_write(c, email, hash, &user)) != ERR_OK) {
		if (err == ERR_FAILED_TO_CREATE_USER) /* the address taken meanwhile */
			app_event(c, "sign_up_failed", "user_exists");
		goto done;
	}
	app_event(c, "sign_up", "ok");
	hooks_user_created(user, req->now_ms); /* the app's documents; logged on failure */
	if (req->cfg->send_on_sign_up)
		verify_mail_defer(c, user, body_string(&c->body, "callbackURL"));
	if (req->cfg->require_verification) {
		out = bson_string_new("{\"token\":null");
		model_append_user(out, user);
		response_json(c->res, 200, out);
		goto done;
	}
	st = session_create(req, c->res, user, body_bool(&c->body, "rememberMe", true), false,
	                    token, &session);
	if (st != DB_OK) {
		err = st == DB_UNAVAILABLE ? ERR_SERVICE_UNAVAILABLE : ERR_FAILED_TO_CREATE_SESSION;
		goto done;
	}
	out = bson_string_new("{\"token\":");
	json_write_string(out, token, TOKEN_LEN);
	model_append_user(out, user);
	response_json(c->res, 200, out);
done:
	OPENSSL_cleanse(hash, sizeof(hash));
	free(email);
	bson_destroy(user);
	bson_destroy(session);
	return err;
}
