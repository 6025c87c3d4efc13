/*
 * config.c — see config.h. One table, config_settings, names every setting
 * and says how config_load reads it; the settings file (settings_file.h) may
 * set exactly those, `<program> --settings` prints them.
 */
#include "config.h"

#include "hashslot.h"
#include "ratetable.h"
#include "settings_file.h"
#include "url.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How config_load reads a setting into its field of struct config. */
enum config_kind {
	CONFIG_INT64,     /* int64_t: an integer from min to max, def when unset */
	CONFIG_INT,       /* int, likewise */
	CONFIG_SIZE,      /* size_t, likewise */
	CONFIG_BOOL,      /* bool: 1/true/on/yes or 0/false/off/no, def when unset */
	CONFIG_STRING,    /* char *: a copy, text_def (may be NULL) when unset */
	CONFIG_TEXT,      /* char *: a copy without control characters, NULL when unset */
	CONFIG_PARSE,     /* its own parser, given the value (NULL or "" when unset) */
	CONFIG_ELSEWHERE, /* read by another module with config_value (log.c) */
	CONFIG_ENV_ONLY,  /* the settings file's path: the environment's, never a file's */
};

struct config_setting {
	const char *name;
	enum config_kind kind;
	size_t offset;         /* of the field in struct config */
	int64_t def, min, max; /* integers; booleans' default */
	const char *text_def;  /* CONFIG_STRING */
	bool (*parse)(struct config *cfg, const char *value, char *err, size_t errlen);
};

#define CONFIG_YEARS_10 (10LL * 365 * 86400)
#define CONFIG_AT(field) offsetof(struct config, field)
#define SET_INT64(n, f, d, lo, hi)                                   \
	{                                                            \
		n, CONFIG_INT64, CONFIG_AT(f), d, lo, hi, NULL, NULL \
	}
#define SET_INT(n, f, d, lo, hi)                                   \
	{                                                          \
		n, CONFIG_INT, CONFIG_AT(f), d, lo, hi, NULL, NULL \
	}
#define SET_SIZE(n, f, d, lo, hi)                                   \
	{                                                           \
		n, CONFIG_SIZE, CONFIG_AT(f), d, lo, hi, NULL, NULL \
	}
#define SET_BOOL(n, f, d)                                         \
	{                                                         \
		n, CONFIG_BOOL, CONFIG_AT(f), d, 0, 1, NULL, NULL \
	}
#define SET_STRING(n, f, d)                                      \
	{                                                        \
		n, CONFIG_STRING, CONFIG_AT(f), 0, 0, 0, d, NULL \
	}
#define SET_TEXT(n, f)                                            \
	{                                                         \
		n, CONFIG_TEXT, CONFIG_AT(f), 0, 0, 0, NULL, NULL \
	}
#define SET_PARSE(n, fn)                              \
	{                                             \
		n, CONFIG_PARSE, 0, 0, 0, 0, NULL, fn \
	}
#define SET_OTHER(n, kind)                      \
	{                                       \
		n, kind, 0, 0, 0, 0, NULL, NULL \
	}

static bool config_parse_secret(struct config *cfg, const char *v, char *err, size_t errlen);
static bool config_parse_url(struct config *cfg, const char *v, char *err, size_t errlen);
static bool config_parse_origins(struct config *cfg, const char *v, char *err, size_t errlen);
static bool config_parse_secure(struct config *cfg, const char *v, char *err, size_t errlen);
static bool config_parse_prefix(struct config *cfg, const char *v, char *err, size_t errlen);
static bool config_parse_runtime_dir(struct config *cfg, const char *v, char *err, size_t errlen);
static bool config_parse_location(struct config *cfg, const char *v, char *err, size_t errlen);
static bool config_parse_hash_slots(struct config *cfg, const char *v, char *err, size_t errlen);
static bool config_parse_hash_lock(struct config *cfg, const char *v, char *err, size_t errlen);
static bool config_parse_proxies(struct config *cfg, const char *v, char *err, size_t errlen);
static bool config_parse_send_on_sign_up(struct config *cfg, const char *v, char *err,
                                         size_t errlen);

/* Every setting (README "Configuration"), in the order config_load reads
 * them: a parser may use the fields of the rows above it. TMPDIR and
 * XDG_RUNTIME_DIR, the system's, only shape two defaults and are not here. */
static const struct config_setting config_settings[] = {
	SET_PARSE("BETTER_AUTH_SECRET", config_parse_secret),
	SET_PARSE("BETTER_AUTH_URL", config_parse_url),
	SET_PARSE("BETTER_AUTH_TRUSTED_ORIGINS", config_parse_origins),
	SET_STRING("MONGODB_URI", mongodb_uri, "mongodb://127.0.0.1:27017"),
	SET_STRING("MONGODB_DB", mongodb_db, "better-auth"),
	SET_PARSE("FCGI_AUTH_SECURE_COOKIES", config_parse_secure),
	SET_PARSE("FCGI_AUTH_COOKIE_PREFIX", config_parse_prefix),
	SET_INT64("FCGI_AUTH_SESSION_EXPIRES_IN", expires_in, 604800, 1, CONFIG_YEARS_10),
	SET_INT64("FCGI_AUTH_SESSION_UPDATE_AGE", update_age, 86400, 0, CONFIG_YEARS_10),
	SET_INT64("FCGI_AUTH_SESSION_FRESH_AGE", fresh_age, 86400, 0, CONFIG_YEARS_10),
	SET_BOOL("FCGI_AUTH_COOKIE_CACHE", cookie_cache, false),
	SET_INT64("FCGI_AUTH_COOKIE_CACHE_MAX_AGE", cookie_cache_max_age, 300, 1, 86400 * 30),
	SET_SIZE("FCGI_AUTH_MAX_BODY", max_body, 65536, 1024, 16 * 1024 * 1024),
	SET_INT("FCGI_AUTH_DB_TIMEOUT_MS", db_timeout_ms, 2000, 100, 60000),
	SET_OTHER("FCGI_AUTH_LOG_LEVEL", CONFIG_ELSEWHERE),
	SET_OTHER("FCGI_AUTH_LOG_FORMAT", CONFIG_ELSEWHERE),
	SET_BOOL("BETTER_AUTH_RATE_LIMIT", rate_limit, true),
	SET_INT64("FCGI_AUTH_RATE_LIMIT_WINDOW", rl_window, 10, 1, 86400),
	SET_INT64("FCGI_AUTH_RATE_LIMIT_MAX", rl_max, 100, 1, 1000000),
	SET_INT64("FCGI_AUTH_RATE_LIMIT_STRICT_MAX", rl_strict_max, 3, 1, 1000000),
	SET_INT64("FCGI_AUTH_RATE_LIMIT_SLOW_WINDOW", rl_slow_window, 60, 1, 86400),
	SET_INT64("FCGI_AUTH_RATE_LIMIT_SLOW_MAX", rl_slow_max, 3, 1, 1000000),
	SET_PARSE("FCGI_AUTH_RUNTIME_DIR", config_parse_runtime_dir),
	SET_PARSE("FCGI_AUTH_LOCATION_HEADER", config_parse_location),
	SET_PARSE("FCGI_AUTH_HASH_SLOTS", config_parse_hash_slots),
	SET_PARSE("FCGI_AUTH_HASH_LOCK", config_parse_hash_lock),
	SET_STRING("FCGI_AUTH_LISTEN", listen, NULL),
	SET_PARSE("FCGI_AUTH_TRUSTED_PROXIES", config_parse_proxies),
	SET_OTHER("FCGI_AUTH_SETTINGS_FILE", CONFIG_ENV_ONLY),
	/* Mail (mail.h checks them further); config_check_mail after the table. */
	SET_TEXT("FCGI_AUTH_SMTP_URL", smtp_url),
	SET_TEXT("FCGI_AUTH_SMTP_USER", smtp_user),
	SET_TEXT("FCGI_AUTH_SMTP_PASSWORD", smtp_password),
	SET_TEXT("FCGI_AUTH_SMTP_CA_FILE", smtp_ca_file),
	SET_TEXT("FCGI_AUTH_SENDMAIL", sendmail),
	SET_TEXT("FCGI_AUTH_MAIL_FROM", mail_from),
	SET_TEXT("FCGI_AUTH_MAIL_TEMPLATES", mail_templates),
	SET_TEXT("FCGI_AUTH_APP_NAME", app_name),
	SET_INT("FCGI_AUTH_MAIL_TIMEOUT_MS", mail_timeout_ms, 10000, 100, 600000),
	/* Account deletion. */
	SET_BOOL("FCGI_AUTH_DELETE_USER", delete_user, false),
	SET_BOOL("FCGI_AUTH_DELETE_USER_VERIFICATION", delete_user_verification, false),
	SET_INT64("FCGI_AUTH_DELETE_TOKEN_EXPIRES_IN", delete_token_expires_in, 86400, 1,
                  CONFIG_YEARS_10),
	/* Mail flows: Better Auth's emailAndPassword / emailVerification /
	 * user.changeEmail options. */
	SET_INT64("FCGI_AUTH_RESET_PASSWORD_EXPIRES_IN", reset_expires_in, 3600, 1,
                  CONFIG_YEARS_10),
	SET_BOOL("FCGI_AUTH_REVOKE_SESSIONS_ON_PASSWORD_RESET", revoke_on_reset, false),
	SET_INT64("FCGI_AUTH_VERIFICATION_EXPIRES_IN", verify_expires_in, 3600, 1, CONFIG_YEARS_10),
	SET_BOOL("FCGI_AUTH_REQUIRE_EMAIL_VERIFICATION", require_verification, false),
	SET_PARSE("FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_UP", config_parse_send_on_sign_up),
	SET_BOOL("FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_IN", send_on_sign_in, false),
	SET_BOOL("FCGI_AUTH_AUTO_SIGN_IN_AFTER_VERIFICATION", auto_sign_in_verified, false),
	SET_BOOL("FCGI_AUTH_CHANGE_EMAIL", change_email, false),
	SET_BOOL("FCGI_AUTH_UPDATE_EMAIL_WITHOUT_VERIFICATION", change_email_unverified, false),
	SET_BOOL("FCGI_AUTH_CHANGE_EMAIL_CONFIRMATION", change_email_confirm, false),
};
#define CONFIG_N_SETTINGS (sizeof config_settings / sizeof config_settings[0])

const char *
config_setting_name(size_t i)
{
	return i < CONFIG_N_SETTINGS ? config_settings[i].name : NULL;
}

bool
config_is_setting(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < CONFIG_N_SETTINGS; i++)
		if (config_settings[i].kind != CONFIG_ENV_ONLY &&
		    strlen(config_settings[i].name) == n &&
		    !strncmp(config_settings[i].name, name, n))
			return true;
	return false;
}

bool
config_settings_load(char *err, size_t errlen)
{
	return settings_file_load(getenv("FCGI_AUTH_SETTINGS_FILE"), config_is_setting, err,
	                          errlen);
}

const char *
config_value(const char *name)
{
	const char *v = getenv(name), *f;
	char err[256];

	if (v && *v)
		return v;
	if (!settings_file_is_loaded())
		(void)config_settings_load(err, sizeof err); /* config_load reports a bad file */
	f = settings_file_value(name);
	return f ? f : v;
}

/* v as an integer from min to max into *out (def when v is unset or empty);
 * false with err set. */
static bool
config_int(const char *name, const char *v, int64_t def, int64_t min, int64_t max, int64_t *out,
           char *err, size_t errlen)
{
	char *end;
	long long n;

	*out = def;
	if (!v || !*v)
		return true;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < min || n > max) {
		snprintf(err, errlen, "%s must be an integer from %lld to %lld, got \"%.40s\"",
		         name, (long long)min, (long long)max, v);
		return false;
	}
	*out = n;
	return true;
}

bool
config_env_int(const char *name, int64_t def, int64_t min, int64_t max, int64_t *out, char *err,
               size_t errlen)
{
	return config_int(name, config_value(name), def, min, max, out, err, errlen);
}

static bool
config_bool(const char *name, const char *v, bool def, bool *out, char *err, size_t errlen)
{
	*out = def;
	if (!v || !*v)
		return true;
	if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "no"))
		*out = false;
	else {
		snprintf(err, errlen, "%s must be 0 or 1, got \"%.40s\"", name, v);
		return false;
	}
	return true;
}

static bool
config_add_origin(struct config *cfg, const char *s, size_t n, char *err, size_t errlen)
{
	char *o;

	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n)
		return true;
	if (cfg->n_origins == CONFIG_MAX_ORIGINS) {
		snprintf(err, errlen, "too many trusted origins (at most %d)", CONFIG_MAX_ORIGINS);
		return false;
	}
	o = url_origin(s, n);
	if (!o) {
		snprintf(err, errlen, "trusted origin \"%.*s\" is not an http(s) URL",
		         (int)(n > 80 ? 80 : n), s);
		return false;
	}
	cfg->origins[cfg->n_origins++] = o;
	return true;
}

static bool
config_parse_secret(struct config *cfg, const char *v, char *err, size_t errlen)
{
	if (!v || !*v) {
		snprintf(err, errlen,
		         "BETTER_AUTH_SECRET is not set (32 or more characters required)");
		return false;
	}
	if (strlen(v) < 32) {
		snprintf(err, errlen,
		         "BETTER_AUTH_SECRET is too short: %zu characters, 32 or more required",
		         strlen(v));
		return false;
	}
	cfg->secret = xstrdup(v);
	cfg->secret_len = strlen(v);
	return true;
}

static bool
config_parse_url(struct config *cfg, const char *v, char *err, size_t errlen)
{
	if (!v || !*v)
		return true;
	cfg->base_url = xstrdup(v);
	return config_add_origin(cfg, v, strlen(v), err, errlen);
}

static bool
config_parse_origins(struct config *cfg, const char *v, char *err, size_t errlen)
{
	const char *p;

	for (p = v; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (!config_add_origin(cfg, p, n, err, errlen))
			return false;
		p += n + (comma ? 1 : 0);
	}
	return true;
}

/* Better Auth: useSecureCookies if set, else whether baseURL is https. */
static bool
config_parse_secure(struct config *cfg, const char *v, char *err, size_t errlen)
{
	return config_bool("FCGI_AUTH_SECURE_COOKIES", v,
	                   cfg->base_url && !strncmp(cfg->base_url, "https://", 8),
	                   &cfg->secure_cookies, err, errlen);
}

static bool
config_parse_prefix(struct config *cfg, const char *v, char *err, size_t errlen)
{
	const char *prefix = v && *v ? v : "better-auth", *p;
	const char *secure = cfg->secure_cookies ? "__Secure-" : "";

	for (p = prefix; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p)) {
			snprintf(err, errlen,
			         "FCGI_AUTH_COOKIE_PREFIX may hold only letters, digits, '-', '_' "
			         "and '.'");
			return false;
		}
	if (strlen(prefix) > 64) {
		snprintf(err, errlen, "FCGI_AUTH_COOKIE_PREFIX is longer than 64 characters");
		return false;
	}
	snprintf(cfg->name_token, sizeof(cfg->name_token), "%s%s.session_token", secure, prefix);
	snprintf(cfg->name_data, sizeof(cfg->name_data), "%s%s.session_data", secure, prefix);
	snprintf(cfg->name_dont_remember, sizeof(cfg->name_dont_remember), "%s%s.dont_remember",
	         secure, prefix);
	return true;
}

/* TMPDIR, or /tmp when unset or empty. */
static const char *
config_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

static bool
config_parse_runtime_dir(struct config *cfg, const char *v, char *err, size_t errlen)
{
	char path[4096];

	if (v && *v) {
		if (*v != '/') {
			snprintf(err, errlen, "FCGI_AUTH_RUNTIME_DIR must be an absolute path");
			return false;
		}
		cfg->runtime_dir = xstrdup(v);
		return true;
	}
	/* The user's private runtime directory if it has one (systemd), else a
	 * directory in the temporary one whose name nobody without the secret
	 * can know first (ratetable_open refuses it anyway if someone else made
	 * it). */
	if (!ratetable_default_dir(path, sizeof path, getenv("XDG_RUNTIME_DIR"), config_tmpdir(),
	                           cfg->secret, cfg->secret_len)) {
		snprintf(err, errlen,
		         "FCGI_AUTH_RUNTIME_DIR: no default (TMPDIR too long?); set it");
		return false;
	}
	cfg->runtime_dir = xstrdup(path);
	return true;
}

/* mod_fcgid and mod_cgid turn a 200 with Location into an internal redirect;
 * their configs have us send it under another name and rename it back with
 * mod_headers. */
static bool
config_parse_location(struct config *cfg, const char *v, char *err, size_t errlen)
{
	const char *name = v && *v ? v : "Location", *p;

	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-') {
			snprintf(err, errlen, "FCGI_AUTH_LOCATION_HEADER must be a header name");
			return false;
		}
	cfg->location_header = xstrdup(name);
	return true;
}

static bool
config_parse_hash_slots(struct config *cfg, const char *v, char *err, size_t errlen)
{
	int64_t cores = sysconf(_SC_NPROCESSORS_ONLN), n;

	if (!config_int("FCGI_AUTH_HASH_SLOTS", v, cores > 0 ? cores : 1, 0, 1024, &n, err, errlen))
		return false;
	cfg->hash_slots = (int)n;
	return true;
}

static bool
config_parse_hash_lock(struct config *cfg, const char *v, char *err, size_t errlen)
{
	char path[4096];

	if (v && *v) {
		cfg->hash_lock = xstrdup(v);
		return true;
	}
	/* Where only this user can write, shared by its processes. */
	if (!hashslot_default_path(path, sizeof path, getenv("XDG_RUNTIME_DIR"), config_tmpdir(),
	                           cfg->secret, cfg->secret_len)) {
		snprintf(err, errlen, "FCGI_AUTH_HASH_LOCK: no default (TMPDIR too long?); set it");
		return false;
	}
	cfg->hash_lock = xstrdup(path);
	return true;
}

static bool
config_parse_proxies(struct config *cfg, const char *v, char *err, size_t errlen)
{
	const char *p;

	(void)err;
	(void)errlen;
	for (p = v; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char *ip;

		while (n && isspace((unsigned char)*p))
			p++, n--;
		ip = xstrndup(p, n);
		while (ip && *ip && isspace((unsigned char)ip[strlen(ip) - 1]))
			ip[strlen(ip) - 1] = '\0';
		if (ip && *ip && cfg->n_proxies < CONFIG_MAX_ORIGINS)
			cfg->proxies[cfg->n_proxies++] = ip;
		else
			free(ip);
		p += n + (comma ? 1 : 0);
	}
	return true;
}

/* Better Auth: sendOnSignUp defaults to requireEmailVerification. */
static bool
config_parse_send_on_sign_up(struct config *cfg, const char *v, char *err, size_t errlen)
{
	return config_bool("FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_UP", v, cfg->require_verification,
	                   &cfg->send_on_sign_up, err, errlen);
}

/* One row of the table: v (NULL or "" when unset) into its field. */
static bool
config_setting_load(struct config *cfg, const struct config_setting *s, const char *v, char *err,
                    size_t errlen)
{
	void *field = (char *)cfg + s->offset;
	const char *p;
	int64_t n;

	switch (s->kind) {
	case CONFIG_INT64:
	case CONFIG_INT:
	case CONFIG_SIZE:
		if (!config_int(s->name, v, s->def, s->min, s->max, &n, err, errlen))
			return false;
		if (s->kind == CONFIG_INT64)
			*(int64_t *)field = n;
		else if (s->kind == CONFIG_INT)
			*(int *)field = (int)n;
		else
			*(size_t *)field = (size_t)n;
		return true;
	case CONFIG_BOOL: return config_bool(s->name, v, s->def != 0, field, err, errlen);
	case CONFIG_TEXT:
		for (p = v; p && *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f) {
				snprintf(err, errlen, "%s holds a control character", s->name);
				return false;
			}
		/* fall through */
	case CONFIG_STRING:
		p = v && *v ? v : s->text_def;
		*(char **)field = p ? xstrdup(p) : NULL;
		return true;
	case CONFIG_PARSE: return s->parse(cfg, v, err, errlen);
	case CONFIG_ELSEWHERE:
	case CONFIG_ENV_ONLY: return true;
	}
	return true;
}

/* The mail settings together: at most one sender, and a From with it. */
static bool
config_check_mail(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->smtp_url && cfg->sendmail) {
		snprintf(err, errlen,
		         "FCGI_AUTH_SMTP_URL and FCGI_AUTH_SENDMAIL are both set: choose one");
		return false;
	}
	if ((cfg->smtp_url || cfg->sendmail) && !cfg->mail_from) {
		snprintf(err, errlen, "FCGI_AUTH_MAIL_FROM is required when %s is set",
		         cfg->smtp_url ? "FCGI_AUTH_SMTP_URL" : "FCGI_AUTH_SENDMAIL");
		return false;
	}
	if (cfg->smtp_url && strncmp(cfg->smtp_url, "smtp://", 7) &&
	    strncmp(cfg->smtp_url, "smtps://", 8)) {
		snprintf(err, errlen, "FCGI_AUTH_SMTP_URL must start with smtp:// or smtps://");
		return false;
	}
	if (cfg->sendmail && cfg->sendmail[0] != '/') {
		snprintf(err, errlen,
		         "FCGI_AUTH_SENDMAIL must start with an absolute path "
		         "(/usr/sbin/sendmail -t -i)");
		return false;
	}
	return true;
}

bool
config_load(struct config *cfg, char *err, size_t errlen)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	if (!config_settings_load(err, errlen))
		return false;
	for (i = 0; i < CONFIG_N_SETTINGS; i++)
		if (!config_setting_load(cfg, &config_settings[i],
		                         config_value(config_settings[i].name), err, errlen))
			goto fail;
	if (!config_check_mail(cfg, err, errlen))
		goto fail;
	return true;
fail:
	config_cleanup(cfg);
	return false;
}

void
config_cleanup(struct config *cfg)
{
	size_t i;

	if (cfg->secret) {
		memset(cfg->secret, 0, cfg->secret_len);
		free(cfg->secret);
	}
	free(cfg->base_url);
	for (i = 0; i < cfg->n_origins; i++)
		free(cfg->origins[i]);
	for (i = 0; i < cfg->n_proxies; i++)
		free(cfg->proxies[i]);
	free(cfg->listen);
	free(cfg->location_header);
	free(cfg->hash_lock);
	free(cfg->runtime_dir);
	free(cfg->mongodb_uri);
	free(cfg->mongodb_db);
	/* Mail: the URL may carry the SMTP password. */
	if (cfg->smtp_url)
		explicit_bzero(cfg->smtp_url, strlen(cfg->smtp_url));
	if (cfg->smtp_password)
		explicit_bzero(cfg->smtp_password, strlen(cfg->smtp_password));
	free(cfg->smtp_url);
	free(cfg->smtp_user);
	free(cfg->smtp_password);
	free(cfg->smtp_ca_file);
	free(cfg->sendmail);
	free(cfg->mail_from);
	free(cfg->mail_templates);
	free(cfg->app_name);
	memset(cfg, 0, sizeof(*cfg));
	settings_file_forget();
}

bool
config_is_trusted_origin(const struct config *cfg, const char *origin)
{
	size_t i;

	for (i = 0; i < cfg->n_origins; i++)
		if (!strcmp(cfg->origins[i], origin))
			return true;
	return false;
}

bool
config_is_trusted_proxy(const struct config *cfg, const char *ip, size_t n)
{
	size_t i;

	for (i = 0; i < cfg->n_proxies; i++)
		if (strlen(cfg->proxies[i]) == n && !strncmp(cfg->proxies[i], ip, n))
			return true;
	return false;
}
