/*
 * signout.c — see signout.h.
 */
#include "signout.h"

#include "session_repo.h"

#include <stdlib.h>

enum response_error
signout_handle(struct call *c)
{
	char *token = session_cookie_token(c->req);
	enum db_status st = token ? session_repo_delete_by_token(token) : DB_NOT_FOUND;
	enum response_error err = ERR_OK;

	if (st != DB_OK && st != DB_NOT_FOUND) {
		err = app_db_error(st);
		goto done;
	}
	app_event(c, "sign_out", st == DB_OK ? "ok" : "no_session");
	session_cookie_expire_all(c->req, c->res);
	response_json(c->res, 200, bson_string_new("{\"success\":true}"));
done:
	free(token);
	return err;
}
