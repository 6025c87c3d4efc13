/*
 * me — GET and PATCH /api/user/me
 */
#include "app.h"
#include "profile.h"

static const struct app_route routes[] = {
	{"GET", "/api/user/me", APP_USER, RATELIMIT_DEFAULT, NULL, NULL, profile_me_get},
	{"PATCH", "/api/user/me", APP_BODY | APP_USER, RATELIMIT_DEFAULT, NULL, profile_me_validate,
         profile_me_patch},
	{NULL},
};

int
main(int argc, char **argv)
{
	static const struct app_program program = {.name = "me", .routes = routes};

	return app_run(&program, argc, argv);
}
