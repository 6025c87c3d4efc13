/*
 * password — POST /api/auth/change-password and /api/auth/verify-password
 */
#include "app.h"
#include "password_change.h"

static const struct app_route routes[] = {
	{"POST", "/api/auth/change-password", APP_BODY | APP_SESSION_DB, RATELIMIT_STRICT,
         password_change_schema, NULL, password_change_post},
	{"POST", "/api/auth/verify-password", APP_BODY | APP_SESSION_DB, RATELIMIT_DEFAULT,
         password_change_verify_schema, NULL, password_change_verify},
	{NULL},
};

int
main(int argc, char **argv)
{
	static const struct app_program program = {.name = "password", .routes = routes};

	return app_run(&program, argc, argv);
}
