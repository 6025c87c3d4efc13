/*
 * session — GET (and POST) /api/auth/get-session, GET /api/auth/ok and GET
 * /api/auth/error (the error page); every
 * other path under /api/auth that reaches it gets Better Auth's empty 404.
 * Started in the FastCGI Authorizer role, it vouches for the signed-in user
 * instead.
 */
#include "app.h"
#include "errorpage.h"
#include "getsession.h"

static const struct app_route routes[] = {
	{"GET", "/api/auth/get-session", 0, RATELIMIT_DEFAULT, NULL, NULL, getsession_get},
	{"POST", "/api/auth/get-session", 0, RATELIMIT_DEFAULT, NULL, NULL, getsession_post},
	{"GET", "/api/auth/ok", 0, RATELIMIT_DEFAULT, NULL, NULL, getsession_ok},
	{"GET", "/api/auth/error", 0, RATELIMIT_DEFAULT, NULL, NULL, errorpage_get},
	{NULL},
};

int
main(int argc, char **argv)
{
	static const struct app_program program = {
		.name = "session", .routes = routes, .authorizer = getsession_authorize};

	return app_run(&program, argc, argv);
}
