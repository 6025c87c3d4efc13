/*
 * verify.c — see verify.h.
 */
#include "verify.h"

#include "config.h"
#include "hooks.h"
#include "jwt.h"
#include "log.h"
#include "mailjob.h"
#include "model.h"
#include "user_repo.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Better Auth's floor for send-verification-email without a session. */
#define VERIFY_ANON_FLOOR_MS 500
/* The legacy change token's re-issue ignores emailVerification.expiresIn. */
#define VERIFY_LEGACY_EXPIRES_IN 3600

const struct body_field verify_send_schema[] = {
	{"email", BODY_EMAIL, BODY_EMAIL_MAX},
	{"callbackURL", BODY_STRING_OPT, BODY_URL_MAX},
	{NULL, BODY_STRING, 0},
};

bool
verify_is_verified(const bson_t *user)
{
	bson_iter_t it;

	return bson_iter_init_find(&it, user, "emailVerified") && BSON_ITER_HOLDS_BOOL(&it) &&
	       bson_iter_bool(&it);
}

/* Mails the link of token to `to` (kind, the user's name, the new address
 * for the change flows). */
static void
verify_defer(struct call *c, enum mail_kind kind, const char *to, const bson_t *user,
             const char *new_email, const char *jwt, const char *callback)
{
	char *url = mailjob_verify_link(c->req->cfg, jwt, callback);

	mailjob_defer(c, &(struct mail_message){.kind = kind,
	                                        .to = to,
	                                        .name = model_str(user, "name"),
	                                        .url = url,
	                                        .email = to,
	                                        .new_email = new_email});
	free(url);
}

void
verify_mail_defer(struct call *c, const bson_t *user, const char *callback)
{
	const char *email = model_str(user, "email");
	char hex[25], *jwt;

	if (!mailjob_is_enabled() || !email)
		return;
	mailjob_user_id(user, hex);
	jwt = jwt_format(email, NULL, NULL, hex, c->req->now_ms, c->req->cfg->verify_expires_in);
	verify_defer(c, MAIL_VERIFY_EMAIL, email, user, NULL, jwt, callback);
	free(jwt);
}

/* Sleeps until VERIFY_ANON_FLOOR_MS after the request began. */
static void
verify_floor(const struct request *req)
{
	int64_t left = req->now_ms + VERIFY_ANON_FLOOR_MS - request_now_ms();
	struct timespec ts;

	if (left <= 0)
		return;
	ts.tv_sec = left / 1000;
	ts.tv_nsec = (long)(left % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
}

enum response_error
verify_send(struct call *c)
{
	const char *callback = body_string(&c->body, "callbackURL");
	char *email = NULL;
	bson_t *user = NULL;
	enum response_error err = ERR_OK;
	enum db_status st;

	if (!mailjob_is_enabled())
		return ERR_VERIFICATION_EMAIL_NOT_ENABLED;
	email = model_lower(body_string(&c->body, "email"));
	st = session_lookup(c->req, c->res, SESSION_ALLOW_CACHE, &c->session);
	if (st == DB_OK) {
		const char *mine = model_str(c->session.user, "email");

		if (!mine || strcasecmp(mine, email))
			err = ERR_EMAIL_MISMATCH;
		else if (verify_is_verified(c->session.user))
			err = ERR_EMAIL_ALREADY_VERIFIED;
		else
			verify_mail_defer(c, c->session.user, callback);
		goto answer;
	}
	if (st != DB_NOT_FOUND) {
		err = app_db_error(st);
		goto done;
	}
	/* No session: the same answer, and at least the same time, whether the
	 * address is unknown, verified or waiting. */
	st = user_repo_find_by_email(email, &user);
	if (st != DB_OK && st != DB_NOT_FOUND) {
		err = app_db_error(st);
		goto done;
	}
	if (st == DB_OK && !verify_is_verified(user)) {
		verify_mail_defer(c, user, callback);
	} else {
		char *discard = jwt_format(email, NULL, NULL, NULL, c->req->now_ms,
		                           c->req->cfg->verify_expires_in);

		free(discard);
	}
	verify_floor(c->req);
answer:
	if (err == ERR_OK)
		response_json(c->res, 200, bson_string_new("{\"status\":true}"));
done:
	free(email);
	bson_destroy(user);
	return err;
}

/* The answer to a failed verification: with a callbackURL a 302 to it with
 * error=<CODE> appended, else the 401. */
static enum response_error
verify_fail(struct call *c, const char *callback, enum response_error err, const char *code)
{
	char *url;

	if (!callback || !*callback)
		return err;
	if (asprintf(&url, "%s%serror=%s", callback, strchr(callback, '?') ? "&" : "?", code) < 0)
		abort();
	response_redirect(c->res, c->req->cfg->location_header, url);
	free(url);
	return ERR_OK;
}

/* The answer to a verification that went through: a 302 to callbackURL, or
 * the JSON (user NULL: "user":null; with_user false: {"status":true}). */
static void
verify_ok(struct call *c, const char *callback, bool with_user, const bson_t *user)
{
	bson_string_t *out;

	if (callback && *callback) {
		response_redirect(c->res, c->req->cfg->location_header, callback);
		return;
	}
	out = bson_string_new("{\"status\":true");
	if (!with_user)
		bson_string_append_c(out, '}');
	else if (!user)
		bson_string_append(out, ",\"user\":null}");
	else
		model_append_user(out, user);
	response_json(c->res, 200, out);
}

/* The optional session of the request (verify-email): DB_OK with
 * c->session filled, DB_NOT_FOUND when there is none. */
static enum db_status
verify_session(struct call *c)
{
	if (c->session.user)
		return DB_OK;
	return session_lookup(c->req, c->res, SESSION_ALLOW_CACHE, &c->session);
}

/* A plain token: emailVerified set, then the auto sign-in. */
static enum response_error
verify_plain(struct call *c, const struct jwt_claims *claims, const char *callback)
{
	const struct config *cfg = c->req->cfg;
	bson_t *user = NULL, *updated = NULL, *session = NULL;
	char hex[25], token[TOKEN_LEN + 1];
	enum response_error err = ERR_OK;
	enum db_status st;

	st = user_repo_find_by_email(claims->email, &user);
	if (st != DB_OK) {
		err = st == DB_NOT_FOUND
		              ? verify_fail(c, callback, ERR_USER_NOT_FOUND_401, "USER_NOT_FOUND")
		              : app_db_error(st);
		goto done;
	}
	mailjob_user_id(user, hex);
	if (claims->user_id && strcmp(claims->user_id, hex)) {
		err = verify_fail(c, callback, ERR_INVALID_TOKEN_401, "INVALID_TOKEN");
		goto done;
	}
	if (verify_is_verified(user)) {
		verify_ok(c, callback, true, NULL);
		goto done;
	}
	st = user_repo_set_verified(claims->email, c->req->now_ms, &updated);
	if (st != DB_OK) {
		err = app_db_error(st);
		goto done;
	}
	app_event(c, "email_verified", "ok");
	if (cfg->auto_sign_in_verified) {
		const char *mine;

		st = verify_session(c);
		if (st != DB_OK && st != DB_NOT_FOUND) {
			err = app_db_error(st);
			goto done;
		}
		mine = st == DB_OK ? model_str(c->session.user, "email") : NULL;
		if (mine && !strcmp(mine, claims->email)) {
			session_cookie_reset(c->req, c->res, c->session.token, c->session.session,
			                     updated);
		} else {
			st = session_create(c->req, c->res, updated, true, false, token, &session);
			if (st != DB_OK) {
				err = app_db_error(st);
				goto done;
			}
		}
	}
	verify_ok(c, callback, true, NULL);
done:
	bson_destroy(user);
	bson_destroy(updated);
	bson_destroy(session);
	return err;
}

/* A change-of-address token (updateTo): the confirmation's next mail, the
 * change itself, or the legacy change. */
static enum response_error
verify_change(struct call *c, const struct jwt_claims *claims, const char *callback)
{
	const struct config *cfg = c->req->cfg;
	const char *type = claims->request_type ? claims->request_type : "";
	bson_t *user = NULL, *updated = NULL;
	bson_oid_t uid;
	char hex[25], *jwt = NULL;
	bool legacy = strcmp(type, "change-email-verification") != 0;
	enum response_error err = ERR_OK;
	enum db_status st;

	if (!claims->user_id)
		return verify_fail(c, callback, ERR_INVALID_TOKEN_401, "INVALID_TOKEN");
	st = DB_NOT_FOUND;
	if (bson_oid_is_valid(claims->user_id, strlen(claims->user_id))) {
		bson_oid_init_from_string(&uid, claims->user_id);
		st = user_repo_find_by_id(&uid, &user);
	}
	if (st != DB_OK) {
		err = st == DB_NOT_FOUND
		              ? verify_fail(c, callback, ERR_USER_NOT_FOUND_401, "USER_NOT_FOUND")
		              : app_db_error(st);
		goto done;
	}
	/* The current address must still be the token's: single use. */
	if (!model_str(user, "email") || strcmp(model_str(user, "email"), claims->email)) {
		err = verify_fail(c, callback, ERR_INVALID_TOKEN_401, "INVALID_TOKEN");
		goto done;
	}
	st = verify_session(c);
	if (st != DB_OK && st != DB_NOT_FOUND) {
		err = app_db_error(st);
		goto done;
	}
	mailjob_user_id(st == DB_OK ? c->session.user : user, hex);
	if (st == DB_OK && strcmp(hex, claims->user_id)) {
		err = verify_fail(c, callback, ERR_INVALID_USER_401, "INVALID_USER");
		goto done;
	}
	if (!strcmp(type, "change-email-confirmation")) {
		/* Confirmed from the old address: now the link to the new one. */
		if (mailjob_is_enabled()) {
			jwt = jwt_format(claims->email, claims->update_to,
			                 "change-email-verification", claims->user_id,
			                 c->req->now_ms, cfg->verify_expires_in);
			verify_defer(c, MAIL_VERIFY_EMAIL, claims->update_to, user,
			             claims->update_to, jwt, callback);
		}
		verify_ok(c, callback, false, NULL);
		goto done;
	}
	st = user_repo_set_email(&uid, claims->update_to, legacy ? 0 : -1, c->req->now_ms,
	                         &updated);
	if (st != DB_OK) {
		err = app_db_error(st);
		goto done;
	}
	app_event(c, "email_changed", "verified");
	hooks_user_updated(updated, c->req->now_ms);
	if (legacy && mailjob_is_enabled()) {
		jwt = jwt_format(claims->update_to, NULL, NULL, claims->user_id, c->req->now_ms,
		                 VERIFY_LEGACY_EXPIRES_IN);
		verify_defer(c, MAIL_VERIFY_EMAIL, claims->update_to, updated, NULL, jwt, callback);
	}
	if (c->session.user)
		session_cookie_reset(c->req, c->res, c->session.token, c->session.session, updated);
	verify_ok(c, callback, true, updated);
done:
	free(jwt);
	bson_destroy(user);
	bson_destroy(updated);
	return err;
}

enum response_error
verify_email(struct call *c)
{
	bson_string_t *issues = bson_string_new(NULL);
	char *token = NULL, *callback = NULL;
	struct jwt_claims claims;
	enum response_error err = ERR_OK;

	memset(&claims, 0, sizeof(claims));
	mailjob_query_string(c->req, "token", true, &token, issues);
	mailjob_query_string(c->req, "callbackURL", false, &callback, issues);
	if (!mailjob_query_done(c, issues, callback))
		goto done;
	switch (jwt_verify(token, strlen(token), c->req->now_ms, &claims)) {
	case JWT_OK: break;
	case JWT_EXPIRED:
		err = verify_fail(c, callback, ERR_TOKEN_EXPIRED_401, "TOKEN_EXPIRED");
		goto done;
	case JWT_BAD_PAYLOAD: err = ERR_INTERNAL_EMPTY; goto done;
	default: err = verify_fail(c, callback, ERR_INVALID_TOKEN_401, "INVALID_TOKEN"); goto done;
	}
	if (claims.update_to && *claims.update_to)
		err = verify_change(c, &claims, callback);
	else
		err = verify_plain(c, &claims, callback);
done:
	jwt_claims_cleanup(&claims);
	free(token);
	free(callback);
	return err;
}
