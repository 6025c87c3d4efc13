/*
 * signin — POST /api/auth/sign-in/email
 */
#include "app.h"
#include "auth.h"

static void
handle(struct request *req, struct response *res)
{
	if (app_route(req, "POST", "/api/auth/sign-in/email"))
		auth_sign_in(req, res);
	else
		response_error(res, ERR_NOT_FOUND);
}

int
main(void)
{
	return app_run("signin", handle);
}
