/*
 * test_config.c — config_load (lib/config.c): the defaults, values it
 * accepts, and each invalid value's one-line error (what the program prints
 * before it exits 1). Each row starts from an environment holding only a
 * valid secret and the row's variables.
 */
#include "config.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#define SECRET "0123456789abcdef0123456789abcdef"

/* Every variable a row sets, cleared before each row. */
static const char *const vars[] = {
	"BETTER_AUTH_SECRET",
	"BETTER_AUTH_URL",
	"BETTER_AUTH_TRUSTED_ORIGINS",
	"FCGI_AUTH_SECURE_COOKIES",
	"FCGI_AUTH_COOKIE_PREFIX",
	"FCGI_AUTH_SESSION_EXPIRES_IN",
	"FCGI_AUTH_MAX_BODY",
	"FCGI_AUTH_DB_TIMEOUT_MS",
	"BETTER_AUTH_RATE_LIMIT",
	"FCGI_AUTH_RUNTIME_DIR",
	"FCGI_AUTH_LOCATION_HEADER",
	"FCGI_AUTH_HASH_SLOTS",
	"FCGI_AUTH_TRUSTED_PROXIES",
	"FCGI_AUTH_SMTP_URL",
	"FCGI_AUTH_SENDMAIL",
	"FCGI_AUTH_MAIL_FROM",
	"FCGI_AUTH_REQUIRE_EMAIL_VERIFICATION",
	"FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_UP",
	"FCGI_AUTH_APP_NAME",
	NULL,
};

static const struct {
	const char *env[4]; /* "NAME=value" */
	const char *err;    /* NULL: loads */
} rows[] = {
	{{"BETTER_AUTH_SECRET="}, "BETTER_AUTH_SECRET is not set (32 or more characters required)"},
	{{"BETTER_AUTH_SECRET=0123456789abcdef0123456789abcde"},
         "BETTER_AUTH_SECRET is too short: 31 characters, 32 or more required"},
	{{"BETTER_AUTH_URL=ftp://x"}, "trusted origin \"ftp://x\" is not an http(s) URL"},
	{{"BETTER_AUTH_TRUSTED_ORIGINS=http://a, nope"},
         "trusted origin \"nope\" is not an http(s) URL"},
	{{"FCGI_AUTH_SECURE_COOKIES=maybe"},
         "FCGI_AUTH_SECURE_COOKIES must be 0 or 1, got \"maybe\""},
	{{"FCGI_AUTH_COOKIE_PREFIX=a b"},
         "FCGI_AUTH_COOKIE_PREFIX may hold only letters, digits, '-', '_' and '.'"},
	{{"FCGI_AUTH_COOKIE_PREFIX="
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
         "FCGI_AUTH_COOKIE_PREFIX is longer than 64 characters"},
	{{"FCGI_AUTH_SESSION_EXPIRES_IN=0"},
         "FCGI_AUTH_SESSION_EXPIRES_IN must be an integer from 1 to 315360000, got \"0\""},
	{{"FCGI_AUTH_SESSION_EXPIRES_IN=12s"},
         "FCGI_AUTH_SESSION_EXPIRES_IN must be an integer from 1 to 315360000, got \"12s\""},
	{{"FCGI_AUTH_MAX_BODY=1023"},
         "FCGI_AUTH_MAX_BODY must be an integer from 1024 to 16777216, got \"1023\""},
	{{"FCGI_AUTH_MAX_BODY=1024"}, NULL},
	{{"FCGI_AUTH_DB_TIMEOUT_MS=99999999999999999999"},
         "FCGI_AUTH_DB_TIMEOUT_MS must be an integer from 100 to 60000, got "
         "\"99999999999999999999\""},
	{{"BETTER_AUTH_RATE_LIMIT=2"}, "BETTER_AUTH_RATE_LIMIT must be 0 or 1, got \"2\""},
	{{"FCGI_AUTH_RUNTIME_DIR=run"}, "FCGI_AUTH_RUNTIME_DIR must be an absolute path"},
	{{"FCGI_AUTH_LOCATION_HEADER=X Location"},
         "FCGI_AUTH_LOCATION_HEADER must be a header name"},
	{{"FCGI_AUTH_HASH_SLOTS=-1"},
         "FCGI_AUTH_HASH_SLOTS must be an integer from 0 to 1024, got \"-1\""},
	{{"FCGI_AUTH_SMTP_URL=smtp://h", "FCGI_AUTH_SENDMAIL=/usr/sbin/sendmail -t",
          "FCGI_AUTH_MAIL_FROM=a@b"},
         "FCGI_AUTH_SMTP_URL and FCGI_AUTH_SENDMAIL are both set: choose one"},
	{{"FCGI_AUTH_SMTP_URL=smtp://h"},
         "FCGI_AUTH_MAIL_FROM is required when FCGI_AUTH_SMTP_URL is set"},
	{{"FCGI_AUTH_SMTP_URL=http://h", "FCGI_AUTH_MAIL_FROM=a@b"},
         "FCGI_AUTH_SMTP_URL must start with smtp:// or smtps://"},
	{{"FCGI_AUTH_SENDMAIL=sendmail -t", "FCGI_AUTH_MAIL_FROM=a@b"},
         "FCGI_AUTH_SENDMAIL must start with an absolute path (/usr/sbin/sendmail -t -i)"},
	{{"FCGI_AUTH_APP_NAME=a\tb"}, "FCGI_AUTH_APP_NAME holds a control character"},
	{{"FCGI_AUTH_REQUIRE_EMAIL_VERIFICATION=yes", "FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_UP=x"},
         "FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_UP must be 0 or 1, got \"x\""},
};

static void
env(const char *const *set)
{
	size_t i;

	for (i = 0; vars[i]; i++)
		unsetenv(vars[i]);
	setenv("BETTER_AUTH_SECRET", SECRET, 1);
	setenv("FCGI_AUTH_RUNTIME_DIR", "/tmp/fcgi-auth-test-config", 1);
	for (; set && *set; set++)
		putenv((char *)*set);
}

int
main(void)
{
	struct config cfg;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		bool ok;

		env(rows[i].env);
		err[0] = '\0';
		ok = config_load(&cfg, err, sizeof err);
		if (rows[i].err) {
			CHECK(!ok && !strcmp(err, rows[i].err), "%s: got \"%s\"", rows[i].env[0],
			      err);
			CHECK(!cfg.secret && !cfg.mongodb_uri, "%s: cfg zeroed", rows[i].env[0]);
		} else {
			CHECK(ok, "%s: %s", rows[i].env[0], err);
		}
		config_cleanup(&cfg);
	}

	/* The defaults. */
	env(NULL);
	CHECK(config_load(&cfg, err, sizeof err), "defaults: %s", err);
	CHECK_STR(cfg.mongodb_uri, "mongodb://127.0.0.1:27017");
	CHECK_STR(cfg.mongodb_db, "better-auth");
	CHECK_STR(cfg.name_token, "better-auth.session_token");
	CHECK_STR(cfg.name_data, "better-auth.session_data");
	CHECK_STR(cfg.name_dont_remember, "better-auth.dont_remember");
	CHECK_STR(cfg.location_header, "Location");
	CHECK(!cfg.secure_cookies && cfg.rate_limit && !cfg.cookie_cache, "booleans");
	CHECK(cfg.expires_in == 604800 && cfg.update_age == 86400 && cfg.fresh_age == 86400,
	      "session ages");
	CHECK(cfg.max_body == 65536 && cfg.db_timeout_ms == 2000, "body cap, timeout");
	CHECK(cfg.rl_window == 10 && cfg.rl_max == 100 && cfg.rl_strict_max == 3, "rate limits");
	CHECK(cfg.n_origins == 0 && cfg.n_proxies == 0 && !cfg.base_url, "no origins");
	config_cleanup(&cfg);

	/* https base URL: secure cookies, __Secure- names; origins normalised;
	 * proxies trimmed, empty ones dropped. */
	{
		static const char *const set[] = {
			"BETTER_AUTH_URL=https://Example.COM:443/app",
			"BETTER_AUTH_TRUSTED_ORIGINS= http://a:8080 ,,http://b/x",
			"FCGI_AUTH_TRUSTED_PROXIES= 127.0.0.1 ,, ::1", NULL};

		env(set);
		CHECK(config_load(&cfg, err, sizeof err), "https: %s", err);
		CHECK(cfg.secure_cookies, "secure from https");
		CHECK_STR(cfg.name_token, "__Secure-better-auth.session_token");
		CHECK(cfg.n_origins == 3, "%zu origins", cfg.n_origins);
		CHECK(config_is_trusted_origin(&cfg, "https://example.com"), "base URL's origin");
		CHECK(config_is_trusted_origin(&cfg, "http://a:8080"), "trimmed");
		CHECK(config_is_trusted_origin(&cfg, "http://b"), "path dropped");
		CHECK(!config_is_trusted_origin(&cfg, "http://c"), "others not");
		CHECK(cfg.n_proxies == 2, "%zu proxies", cfg.n_proxies);
		CHECK(config_is_trusted_proxy(&cfg, "127.0.0.1", 9) &&
		              config_is_trusted_proxy(&cfg, "::1", 3),
		      "proxies trimmed");
		CHECK(!config_is_trusted_proxy(&cfg, "127.0.0.", 8), "no prefix match");
		config_cleanup(&cfg);
	}
	UNIT_END();
}
