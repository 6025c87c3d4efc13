/*
 * session — GET (and POST) /api/auth/get-session and GET /api/auth/ok; every
 * other path under /api/auth that reaches it gets Better Auth's empty 404.
 * GET /fcgi-auth/health and /fcgi-auth/metrics are the operator's (lib/health.h).
 * Started in the FastCGI Authorizer role, it vouches for the signed-in user
 * instead.
 */
#include "app.h"
#include "getsession.h"
#include "health.h"

static const struct app_route routes[] = {
	{"GET", "/api/auth/get-session", 0, RATELIMIT_DEFAULT, NULL, NULL, getsession_get},
	{"POST", "/api/auth/get-session", 0, RATELIMIT_DEFAULT, NULL, NULL, getsession_post},
	{"GET", "/api/auth/ok", 0, RATELIMIT_DEFAULT, NULL, NULL, getsession_ok},
	{"GET", "/fcgi-auth/health", APP_NO_LIMIT, RATELIMIT_DEFAULT, NULL, NULL, health_get},
	{"GET", "/fcgi-auth/metrics", APP_NO_LIMIT, RATELIMIT_DEFAULT, NULL, NULL, health_metrics},
	{NULL},
};

int
main(int argc, char **argv)
{
	static const struct app_program program = {
		.name = "session", .routes = routes, .authorizer = getsession_authorize};

	return app_run(&program, argc, argv);
}
