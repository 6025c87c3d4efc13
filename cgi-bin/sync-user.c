/*
 * sync-user — POST /api/auth/sync-user
 */
#include "app.h"
#include "profile.h"

static void
handle(struct request *req, struct response *res)
{
	if (app_route(req, "POST", "/api/auth/sync-user"))
		profile_sync_user(req, res);
	else
		response_error(res, ERR_NOT_FOUND);
}

int
main(void)
{
	return app_run("sync-user", handle);
}
