/*
 * changeemail.c — see changeemail.h.
 */
#include "changeemail.h"

#include "config.h"
#include "hooks.h"
#include "jwt.h"
#include "log.h"
#include "mailjob.h"
#include "model.h"
#include "user_repo.h"
#include "verify.h"

#include <stdlib.h>
#include <string.h>

const struct body_field changeemail_schema[] = {
	{"newEmail", BODY_EMAIL, BODY_EMAIL_MAX},
	{"callbackURL", BODY_STRING_OPT, BODY_URL_MAX},
	{NULL, BODY_STRING, 0},
};

/* Flow (A): the address changes now; the session cookie is re-set and the
 * new address gets a plain verification link. */
static enum response_error
changeemail_now(struct call *c, const bson_oid_t *uid, const char *new_email, const char *callback)
{
	bson_t *updated = NULL;
	enum db_status st = user_repo_set_email(uid, new_email, -1, c->req->now_ms, &updated);

	if (st != DB_OK)
		return app_db_error(st);
	app_event(c, "email_changed", "without_verification");
	hooks_user_updated(updated, c->req->now_ms);
	session_cookie_reset(c->req, c->res, c->session.token, c->session.session, updated);
	verify_mail_defer(c, updated, callback);
	bson_destroy(updated);
	return ERR_OK;
}

enum response_error
changeemail_request(struct call *c)
{
	const struct config *cfg = c->req->cfg;
	const bson_t *user = c->session.user;
	const char *callback = body_string(&c->body, "callbackURL");
	const char *current = model_str(user, "email");
	char *new_email = NULL, *jwt = NULL, *url = NULL, hex[25];
	bson_t *owner = NULL;
	bson_oid_t uid;
	bool verified = verify_is_verified(user), now, confirm;
	enum response_error err = ERR_OK;
	enum db_status st;

	if (!cfg->change_email) {
		log_error("Change email is disabled.");
		return ERR_CHANGE_EMAIL_DISABLED;
	}
	new_email = model_lower(body_string(&c->body, "newEmail"));
	if (current && !strcmp(current, new_email)) {
		err = ERR_EMAIL_IS_THE_SAME;
		goto done;
	}
	now = cfg->change_email_unverified && !verified;
	confirm = mailjob_is_enabled() && verified && cfg->change_email_confirm;
	if (!now && !mailjob_is_enabled()) {
		err = ERR_VERIFICATION_NOT_ENABLED_NO_CODE;
		goto done;
	}
	mailjob_user_id(user, hex);
	model_oid(user, "_id", &uid);
	st = user_repo_find_by_email(new_email, &owner);
	if (st != DB_OK && st != DB_NOT_FOUND) {
		err = app_db_error(st);
		goto done;
	}
	if (st == DB_OK) {
		/* Someone else's address: the same answer, no mail, a token made
		 * and dropped as Better Auth does. */
		jwt = jwt_format(current, new_email, "change-email-verification", hex,
		                 c->req->now_ms, cfg->verify_expires_in);
		log_info("Change email attempt for existing email");
	} else if (now) {
		err = changeemail_now(c, &uid, new_email, callback);
	} else {
		jwt = jwt_format(current, new_email,
		                 confirm ? "change-email-confirmation"
		                         : "change-email-verification",
		                 hex, c->req->now_ms, cfg->verify_expires_in);
		url = mailjob_verify_link(cfg, jwt, callback);
		mailjob_defer(
			c, &(struct mail_message){.kind = confirm ? MAIL_CHANGE_EMAIL_CONFIRMATION
		                                                  : MAIL_VERIFY_EMAIL,
		                                  .to = confirm ? current : new_email,
		                                  .name = model_str(user, "name"),
		                                  .url = url,
		                                  .email = confirm ? current : new_email,
		                                  .new_email = new_email});
	}
	if (err == ERR_OK)
		response_json(c->res, 200, bson_string_new("{\"status\":true}"));
done:
	free(new_email);
	free(jwt);
	free(url);
	bson_destroy(owner);
	return err;
}
