/*
 * sessions — GET /api/auth/list-sessions; POST /api/auth/revoke-session,
 * /revoke-sessions, /revoke-other-sessions, /update-session
 */
#include "app.h"
#include "sessions.h"

static const struct app_route routes[] = {
	{"GET", "/api/auth/list-sessions", APP_SESSION | APP_FRESH, RATELIMIT_DEFAULT, NULL, NULL,
         sessions_list},
	{"POST", "/api/auth/revoke-session", APP_BODY | APP_SESSION_DB, RATELIMIT_DEFAULT,
         sessions_revoke_schema, NULL, sessions_revoke},
	{"POST", "/api/auth/revoke-sessions", APP_BODY | APP_SESSION_DB, RATELIMIT_DEFAULT, NULL,
         NULL, sessions_revoke_all},
	{"POST", "/api/auth/revoke-other-sessions", APP_BODY | APP_SESSION_DB, RATELIMIT_DEFAULT,
         NULL, NULL, sessions_revoke_others},
	{"POST", "/api/auth/update-session", APP_BODY | APP_SESSION, RATELIMIT_DEFAULT, NULL,
         sessions_update_validate, sessions_update},
	{NULL},
};

int
main(int argc, char **argv)
{
	static const struct app_program program = {.name = "sessions", .routes = routes};

	return app_run(&program, argc, argv);
}
