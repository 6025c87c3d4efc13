/*
 * mail — the endpoints that mail a link and the ones the links lead to:
 * password reset, e-mail verification, change of address. Mails go out
 * after the answer (mailjob.h).
 */
#include "app.h"
#include "changeemail.h"
#include "hooks.h"
#include "mailjob.h"
#include "profile.h"
#include "reset.h"
#include "verify.h"

static const struct app_route routes[] = {
	{"POST", "/api/auth/request-password-reset", APP_BODY, RATELIMIT_SLOW, reset_request_schema,
         NULL, reset_request},
	{"GET", "/api/auth/reset-password/", 0, RATELIMIT_DEFAULT, NULL, NULL, reset_link},
	{"POST", "/api/auth/reset-password", APP_BODY, RATELIMIT_DEFAULT, reset_password_schema,
         NULL, reset_password},
	{"POST", "/api/auth/send-verification-email", APP_BODY, RATELIMIT_SLOW, verify_send_schema,
         NULL, verify_send},
	{"GET", "/api/auth/verify-email", 0, RATELIMIT_DEFAULT, NULL, NULL, verify_email},
	{"POST", "/api/auth/change-email", APP_BODY | APP_SESSION_DB, RATELIMIT_STRICT,
         changeemail_schema, NULL, changeemail_request},
	{NULL},
};

int
main(int argc, char **argv)
{
	static const struct app_program program = {
		.name = "mail", .routes = routes, .init = mailjob_init, .cleanup = mail_cleanup};

	hooks_set_user_updated(profile_on_user_updated);
	return app_run(&program, argc, argv);
}
