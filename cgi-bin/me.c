/*
 * me — GET and PATCH /api/user/me
 */
#include "app.h"
#include "profile.h"

static void
handle(struct request *req, struct response *res)
{
	if (app_route(req, "GET", "/api/user/me") || app_route(req, "PATCH", "/api/user/me"))
		profile_me(req, res);
	else
		response_error(res, ERR_NOT_FOUND);
}

int
main(void)
{
	return app_run("me", handle);
}
