/*
 * sync-user — POST /api/auth/sync-user
 */
#include "app.h"
#include "profile.h"

static const struct app_route routes[] = {
	{"POST", "/api/auth/sync-user", APP_BODY | APP_USER, RATELIMIT_DEFAULT, NULL, NULL,
         profile_sync_user},
	{NULL},
};

int
main(int argc, char **argv)
{
	static const struct app_program program = {.name = "sync-user", .routes = routes};

	return app_run(&program, argc, argv);
}
