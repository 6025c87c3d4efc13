/*
 * signout — POST /api/auth/sign-out
 */
#include "app.h"
#include "auth.h"

static void
handle(struct request *req, struct response *res)
{
	if (app_route(req, "POST", "/api/auth/sign-out"))
		auth_sign_out(req, res);
	else
		response_error(res, ERR_NOT_FOUND);
}

int
main(void)
{
	return app_run("signout", handle);
}
