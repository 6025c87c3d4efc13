/*
 * account — the signed-in user's record: POST /api/auth/update-user,
 * POST /api/auth/delete-user, GET /api/auth/delete-user/callback,
 * GET /api/auth/list-accounts, POST /api/auth/unlink-account. The app's
 * users/profiles documents follow through the hooks.
 */
#include "account.h"
#include "app.h"
#include "deleteuser.h"
#include "hooks.h"
#include "mail.h"
#include "profile.h"

static const struct app_route routes[] = {
	{"POST", "/api/auth/update-user", APP_BODY | APP_SESSION, RATELIMIT_DEFAULT, NULL,
         account_update_validate, account_update_user},
	{"POST", "/api/auth/delete-user", APP_BODY | APP_SESSION_DB, RATELIMIT_DEFAULT,
         deleteuser_schema, NULL, deleteuser_post},
	{"GET", "/api/auth/delete-user/callback", 0, RATELIMIT_DEFAULT, NULL,
         deleteuser_callback_validate, deleteuser_callback},
	{"GET", "/api/auth/list-accounts", APP_SESSION, RATELIMIT_DEFAULT, NULL, NULL,
         account_list},
	{"POST", "/api/auth/unlink-account", APP_BODY | APP_SESSION | APP_FRESH, RATELIMIT_DEFAULT,
         account_unlink_schema, NULL, account_unlink},
	{NULL},
};

int
main(int argc, char **argv)
{
	static const struct app_program program = {
		.name = "account", .routes = routes, .init = mail_init, .cleanup = mail_cleanup};

	hooks_set_user_updated(profile_on_user_updated);
	hooks_set_user_deleted(profile_on_user_deleted);
	return app_run(&program, argc, argv);
}
