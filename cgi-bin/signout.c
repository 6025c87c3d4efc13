/*
 * signout — POST /api/auth/sign-out
 */
#include "app.h"
#include "signout.h"

static const struct app_route routes[] = {
	{"POST", "/api/auth/sign-out", APP_BODY, RATELIMIT_DEFAULT, NULL, NULL, signout_handle},
	{NULL},
};

int
main(int argc, char **argv)
{
	static const struct app_program program = {.name = "signout", .routes = routes};

	return app_run(&program, argc, argv);
}
