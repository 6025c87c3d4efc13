/*
 * signup — POST /api/auth/sign-up/email. The app's users/profiles documents
 * of the new user are made by the user-created hook.
 */
#include "app.h"
#include "mailjob.h"
#include "hooks.h"
#include "profile.h"
#include "signup.h"

static const struct app_route routes[] = {
	{"POST", "/api/auth/sign-up/email", APP_BODY | APP_FORM | APP_FORM_CSRF | APP_RECORD,
         RATELIMIT_STRICT, signup_schema, NULL, signup_email},
	{NULL},
};

int
main(int argc, char **argv)
{
	static const struct app_program program = {.name = "signup",
	                                           .routes = routes,
	                                           .metric = APP_METRIC_SIGN_UP,
	                                           .init = mailjob_init,
	                                           .cleanup = mail_cleanup};

	hooks_set_user_created(profile_on_user_created);
	return app_run(&program, argc, argv);
}
