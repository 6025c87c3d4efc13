/*
 * sessions.c — see sessions.h.
 */
#include "sessions.h"

#include "model.h"
#include "session_repo.h"

#include <string.h>

#define SESSIONS_LIST_MAX 100 /* Better Auth's findMany default limit */

const struct body_field sessions_revoke_schema[] = {
	{"token", BODY_STRING, 0},
	{NULL, BODY_STRING, 0},
};

static enum response_error
sessions_status_true(struct call *c)
{
	response_json(c->res, 200, bson_string_new("{\"status\":true}"));
	return ERR_OK;
}

/* The signed-in user's id (the pipeline guarantees a session and user). */
static bool
sessions_user_id(const struct call *c, bson_oid_t *uid)
{
	return model_oid(c->session.user, "_id", uid) || model_oid(c->session.user, "id", uid);
}

enum response_error
sessions_list(struct call *c)
{
	bson_t **list = NULL;
	size_t n = 0, i;
	bson_oid_t uid;
	bson_string_t *out;
	enum db_status st;

	if (!sessions_user_id(c, &uid))
		return ERR_UNAUTHORIZED;
	st = session_repo_find_live_by_user(&uid, c->req->now_ms, SESSIONS_LIST_MAX, &list, &n);
	if (st != DB_OK)
		return app_db_error(st);
	out = bson_string_new("[");
	for (i = 0; i < n; i++) {
		if (i)
			bson_string_append_c(out, ',');
		model_write(out, list[i], model_session_keys);
	}
	bson_string_append_c(out, ']');
	response_json(c->res, 200, out);
	session_repo_list_free(list, n);
	return ERR_OK;
}

enum response_error
sessions_revoke(struct call *c)
{
	const char *token = body_string(&c->body, "token");
	bson_oid_t uid;
	enum db_status st;

	if (!sessions_user_id(c, &uid))
		return ERR_UNAUTHORIZED;
	/* One delete filtered by token AND the caller: another user's token (or
	 * an unknown one) matches nothing, and Better Auth answers 200 anyway. */
	st = session_repo_delete_by_token_and_user(token, &uid);
	if (st != DB_OK && st != DB_NOT_FOUND)
		return app_db_error(st);
	if (st == DB_OK)
		app_event(c, "session_revoked", "revoke_session");
	if (!strcmp(token, c->session.token))
		session_cookie_expire_all(c->req, c->res);
	return sessions_status_true(c);
}

enum response_error
sessions_revoke_all(struct call *c)
{
	bson_oid_t uid;
	enum db_status st;

	if (!sessions_user_id(c, &uid))
		return ERR_UNAUTHORIZED;
	st = session_repo_delete_by_user(&uid);
	if (st != DB_OK)
		return app_db_error(st);
	app_event(c, "session_revoked", "revoke_sessions");
	session_cookie_expire_all(c->req, c->res);
	return sessions_status_true(c);
}

enum response_error
sessions_revoke_others(struct call *c)
{
	bson_oid_t uid;
	enum db_status st;

	if (!sessions_user_id(c, &uid))
		return ERR_UNAUTHORIZED;
	/* Better Auth lists the first 100 sessions and deletes the live others
	 * one by one; one deleteMany leaves none behind, however many there are. */
	st = session_repo_delete_others(&uid, c->session.token, c->req->now_ms);
	if (st != DB_OK)
		return app_db_error(st);
	app_event(c, "session_revoked", "revoke_other_sessions");
	return sessions_status_true(c);
}

bool
sessions_update_validate(struct call *c)
{
	bson_string_t *issues = body_validate_record(&c->body);

	if (!issues)
		return true;
	response_error_message(c->res, 400, issues->str, "VALIDATION_ERROR");
	bson_string_free(issues, true);
	return false;
}

enum response_error
sessions_update(struct call *c)
{
	(void)c;
	/* Only session.additionalFields can be updated, and this server has none
	 * (accounts spec §3.4: captures 865, 866): every key is dropped, so
	 * nothing is left to write. */
	return ERR_NO_FIELDS_TO_UPDATE;
}
