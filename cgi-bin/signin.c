/*
 * signin — POST /api/auth/sign-in/email
 */
#include "app.h"
#include "mailjob.h"
#include "signin.h"

static const struct app_route routes[] = {
	{"POST", "/api/auth/sign-in/email", APP_BODY | APP_FORM | APP_FORM_CSRF, RATELIMIT_STRICT,
         signin_schema, NULL, signin_email},
	{NULL},
};

int
main(int argc, char **argv)
{
	static const struct app_program program = {.name = "signin",
	                                           .routes = routes,
	                                           .metric = APP_METRIC_SIGN_IN,
	                                           .init = mailjob_init,
	                                           .cleanup = mail_cleanup};

	return app_run(&program, argc, argv);
}
