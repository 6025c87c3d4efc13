/*
 * signup — POST /api/auth/sign-up/email
 */
#include "app.h"
#include "auth.h"

static void
handle(struct request *req, struct response *res)
{
	if (app_route(req, "POST", "/api/auth/sign-up/email"))
		auth_sign_up(req, res);
	else
		response_error(res, ERR_NOT_FOUND);
}

int
main(void)
{
	return app_run("signup", handle);
}
