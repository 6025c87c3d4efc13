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
	enum db_status st = token ? session_repo_delete_by_token(token) : DB_OK;

	free(token);
	if (st != DB_OK && st != DB_NOT_FOUND)
		return app_db_error(st);
	session_cookie_expire_all(c->req, c->res);
	response_json(c->res, 200, bson_string_new("{\"success\":true}"));
	return ERR_OK;
}
