/*
 * session — GET /api/auth/get-session and GET /api/auth/ok; every other path
 * under /api/auth that reaches it gets Better Auth's empty 404. Started in
 * the FastCGI Authorizer role, it vouches for the signed-in user instead.
 */
#include "app.h"
#include "auth.h"

#include <string.h>

static void
handle(struct request *req, struct response *res)
{
	if (req->role && !strcmp(req->role, "AUTHORIZER"))
		auth_authorize(req, res);
	else if (!strcmp(req->path, "/api/auth/get-session") &&
	    (!strcmp(req->method, "GET") || !strcmp(req->method, "POST")))
		auth_get_session(req, res);
	else if (app_route(req, "GET", "/api/auth/ok"))
		response_json(res, 200, bson_string_new("{\"ok\":true}"));
	else
		response_error(res, ERR_NOT_FOUND);
}

int
main(void)
{
	return app_run("session", handle);
}
