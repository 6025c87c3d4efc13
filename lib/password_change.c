/*
 * password_change.c — see password_change.h.
 */
#include "password_change.h"

#include "account_repo.h"
#include "config.h"
#include "log.h"
#include "model.h"
#include "password.h"
#include "session_repo.h"

#include <openssl/crypto.h>
#include <string.h>

#define PASSWORD_CHANGE_MIN 8   /* emailAndPassword.minPasswordLength */
#define PASSWORD_CHANGE_MAX 128 /* emailAndPassword.maxPasswordLength */

const struct body_field password_change_schema[] = {
	{"newPassword", BODY_STRING, 0},
	{"currentPassword", BODY_STRING, 0},
	{"revokeOtherSessions", BODY_BOOL_OPT, 0},
	{NULL, BODY_STRING, 0},
};

const struct body_field password_change_verify_schema[] = {
	{"password", BODY_STRING, 0},
	{NULL, BODY_STRING, 0},
};

/* JavaScript's password.length (UTF-16 units). */
static long
password_change_len(const char *pw)
{
	return password_utf16_len(pw, strlen(pw));
}

/* The caller's credential account and its stored hash (*stored points into
 * *account). DB_NOT_FOUND when there is none or it has no password. */
static enum db_status
password_change_account(const struct call *c, bson_t **account, const char **stored)
{
	bson_oid_t uid;
	enum db_status st;

	*account = NULL;
	*stored = NULL;
	if (!model_oid(c->session.user, "_id", &uid))
		return DB_NOT_FOUND;
	st = account_repo_find_credential(&uid, account);
	if (st != DB_OK)
		return st;
	*stored = model_str(*account, "password");
	if (!*stored || !**stored) {
		bson_destroy(*account);
		*account = NULL;
		*stored = NULL;
		return DB_NOT_FOUND;
	}
	return DB_OK;
}

/* password against the stored hash: ERR_OK, ERR_INVALID_PASSWORD, or 500 for
 * a malformed stored hash (Better Auth throws). */
static enum response_error
password_change_check(const char *pw, const char *stored)
{
	enum password_status ps = password_verify(pw, strlen(pw), stored);

	if (ps == PASSWORD_OK)
		return ERR_OK;
	if (ps == PASSWORD_MISMATCH)
		return ERR_INVALID_PASSWORD;
	log_error("password: stored password hash is malformed");
	return ERR_INTERNAL;
}

/* revokeOtherSessions: a new session with the full expiresIn (even from a
 * rememberMe:false session — Better Auth's quirk, capture 1333), its cookie
 * derived from the request (§2.4). token gets it. */
static enum db_status
password_change_new_session(struct call *c, char token[TOKEN_LEN + 1])
{
	const struct request *req = c->req;
	bson_t *session = NULL;
	bson_oid_t uid;
	enum db_status st;

	model_oid(c->session.user, "_id", &uid);
	token_generate(token);
	st = session_repo_insert(token, &uid, req->now_ms + req->cfg->expires_in * 1000,
	                         req->now_ms, session_client_ip(req), req->user_agent, &session);
	if (st == DB_OK)
		session_cookie_reset(req, c->res, token, session, c->session.user);
	bson_destroy(session);
	return st;
}

enum response_error
password_change_post(struct call *c)
{
	const char *next = body_string(&c->body, "newPassword");
	const char *current = body_string(&c->body, "currentPassword");
	bool revoke = body_bool(&c->body, "revokeOtherSessions", false);
	char hash[PASSWORD_HASH_LEN + 1], token[TOKEN_LEN + 1];
	bson_t *account = NULL;
	const char *stored;
	bson_oid_t account_id, uid;
	bson_string_t *out;
	enum response_error err = ERR_OK;
	enum db_status st;

	memset(hash, 0, sizeof(hash));
	if (password_change_len(next) < PASSWORD_CHANGE_MIN) {
		err = ERR_PASSWORD_TOO_SHORT;
		goto done;
	}
	if (password_change_len(next) > PASSWORD_CHANGE_MAX ||
	    password_change_len(current) > PASSWORD_CHANGE_MAX) {
		err = ERR_PASSWORD_TOO_LONG;
		goto done;
	}
	st = password_change_account(c, &account, &stored);
	if (st != DB_OK) {
		err = st == DB_NOT_FOUND ? ERR_CREDENTIAL_ACCOUNT_NOT_FOUND : app_db_error(st);
		goto done;
	}
	/* Better Auth hashes the new password before it checks the current one
	 * (capture 820): the same work whichever way the check goes. */
	if (password_hash(next, strlen(next), hash) != PASSWORD_OK) {
		err = ERR_INTERNAL;
		goto done;
	}
	if ((err = password_change_check(current, stored)) != ERR_OK) {
		if (err == ERR_INVALID_PASSWORD)
			app_event(c, "password_change_failed", "invalid_password");
		goto done;
	}
	model_oid(account, "_id", &account_id);
	model_oid(c->session.user, "_id", &uid);
	/* Sessions go before the new hash is written, as Better Auth orders it:
	 * a failure in between leaves the old password, not a new one with the
	 * old sessions still valid. */
	if (revoke && (st = session_repo_delete_by_user(&uid)) != DB_OK) {
		err = app_db_error(st);
		goto done;
	}
	st = account_repo_update_password(&account_id, hash, c->req->now_ms);
	if (st != DB_OK) {
		err = st == DB_NOT_FOUND ? ERR_CREDENTIAL_ACCOUNT_NOT_FOUND : app_db_error(st);
		goto done;
	}
	if (revoke && (st = password_change_new_session(c, token)) != DB_OK) {
		err = app_db_error(st);
		goto done;
	}
	out = bson_string_new("{\"token\":");
	if (revoke)
		bson_string_append_printf(out, "\"%s\"", token);
	else
		bson_string_append(out, "null");
	model_append_user(out, c->session.user);
	response_json(c->res, 200, out);
	app_event(c, "password_changed", "ok");
	if (revoke)
		app_event(c, "session_revoked", "password_changed");
done:
	OPENSSL_cleanse(hash, sizeof(hash));
	bson_destroy(account);
	return err;
}

enum response_error
password_change_verify(struct call *c)
{
	const char *pw = body_string(&c->body, "password");
	bson_t *account = NULL;
	const char *stored;
	enum response_error err;
	enum db_status st;

	if (password_change_len(pw) > PASSWORD_CHANGE_MAX)
		return ERR_PASSWORD_TOO_LONG;
	st = password_change_account(c, &account, &stored);
	if (st == DB_OK)
		err = password_change_check(pw, stored);
	else /* no credential account: the same answer, without a hash (889) */
		err = st == DB_NOT_FOUND ? ERR_INVALID_PASSWORD : app_db_error(st);
	if (err == ERR_OK)
		response_json(c->res, 200, bson_string_new("{\"status\":true}"));
	bson_destroy(account);
	return err;
}
