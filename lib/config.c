/*
 * config.c — see config.h.
 */
#include "config.h"

#include "hashslot.h"
#include "ratetable.h"
#include "url.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every setting (README "Configuration"): a settings file may name only these. */
static const char *const config_names[] = {
	"BETTER_AUTH_SECRET",
	"BETTER_AUTH_URL",
	"BETTER_AUTH_TRUSTED_ORIGINS",
	"BETTER_AUTH_RATE_LIMIT",
	"MONGODB_URI",
	"MONGODB_DB",
	"FCGI_AUTH_COOKIE_PREFIX",
	"FCGI_AUTH_SECURE_COOKIES",
	"FCGI_AUTH_SESSION_EXPIRES_IN",
	"FCGI_AUTH_SESSION_UPDATE_AGE",
	"FCGI_AUTH_SESSION_FRESH_AGE",
	"FCGI_AUTH_COOKIE_CACHE",
	"FCGI_AUTH_COOKIE_CACHE_MAX_AGE",
	"FCGI_AUTH_MAX_BODY",
	"FCGI_AUTH_DB_TIMEOUT_MS",
	"FCGI_AUTH_LOG_LEVEL",
	"FCGI_AUTH_LOG_FORMAT",
	"FCGI_AUTH_RATE_LIMIT_WINDOW",
	"FCGI_AUTH_RATE_LIMIT_MAX",
	"FCGI_AUTH_RATE_LIMIT_STRICT_MAX",
	"FCGI_AUTH_RATE_LIMIT_SLOW_MAX",
	"FCGI_AUTH_RATE_LIMIT_SLOW_WINDOW",
	"FCGI_AUTH_RUNTIME_DIR",
	"FCGI_AUTH_TRUSTED_PROXIES",
	"FCGI_AUTH_LOCATION_HEADER",
	"FCGI_AUTH_HASH_SLOTS",
	"FCGI_AUTH_HASH_LOCK",
	"FCGI_AUTH_LISTEN",
	"FCGI_AUTH_SMTP_URL",
	"FCGI_AUTH_SMTP_USER",
	"FCGI_AUTH_SMTP_PASSWORD",
	"FCGI_AUTH_SMTP_CA_FILE",
	"FCGI_AUTH_SENDMAIL",
	"FCGI_AUTH_MAIL_FROM",
	"FCGI_AUTH_MAIL_TEMPLATES",
	"FCGI_AUTH_APP_NAME",
	"FCGI_AUTH_MAIL_TIMEOUT_MS",
	"FCGI_AUTH_DELETE_USER",
	"FCGI_AUTH_DELETE_USER_VERIFICATION",
	"FCGI_AUTH_DELETE_TOKEN_EXPIRES_IN",
	"FCGI_AUTH_RESET_PASSWORD_EXPIRES_IN",
	"FCGI_AUTH_REVOKE_SESSIONS_ON_PASSWORD_RESET",
	"FCGI_AUTH_VERIFICATION_EXPIRES_IN",
	"FCGI_AUTH_REQUIRE_EMAIL_VERIFICATION",
	"FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_UP",
	"FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_IN",
	"FCGI_AUTH_AUTO_SIGN_IN_AFTER_VERIFICATION",
	"FCGI_AUTH_CHANGE_EMAIL",
	"FCGI_AUTH_UPDATE_EMAIL_WITHOUT_VERIFICATION",
	"FCGI_AUTH_CHANGE_EMAIL_CONFIRMATION",
};
#define CONFIG_N_NAMES (sizeof config_names / sizeof config_names[0])

/* The settings file in use: its text, split in place into values indexed
 * like config_names (NULL: not in the file). Wiped when replaced. */
static struct {
	bool loaded;         /* config_settings_load ran (successfully or not) */
	char path[PATH_MAX]; /* "" when there is no file */
	char *text;
	size_t text_len;
	const char *values[CONFIG_N_NAMES];
} settings;

static void
settings_forget(void)
{
	if (settings.text) {
		explicit_bzero(settings.text, settings.text_len);
		free(settings.text);
	}
	memset(&settings, 0, sizeof settings);
}

static ssize_t
settings_index(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < CONFIG_N_NAMES; i++)
		if (strlen(config_names[i]) == n && !strncmp(config_names[i], name, n))
			return (ssize_t)i;
	return -1;
}

/* Splits the file's text in place: NAME=value lines, '#' comments, blank
 * lines, CRLF tolerated; a value in one pair of matching quotes is taken
 * without them, an unquoted one without surrounding blanks; no expansion. */
static bool
settings_parse(const char *path, char *text, char *err, size_t errlen)
{
	char *line = text, *next;
	unsigned lineno = 0;

	for (; line; line = next) {
		char *eq, *v, *end, *p;
		ssize_t idx;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		end = line + strlen(line);
		if (end > line && end[-1] == '\r')
			*--end = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		for (p = line; p < end; p++)
			if ((unsigned char)*p < 0x20 && *p != '\t') {
				snprintf(err, errlen, "%s line %u: a control character", path,
				         lineno);
				return false;
			}
		eq = strchr(line, '=');
		for (p = line; eq && p < eq; p++)
			if (!(isupper((unsigned char)*p) || *p == '_' ||
			      (p > line && isdigit((unsigned char)*p))))
				break;
		if (!eq || eq == line || p != eq) {
			snprintf(err, errlen,
			         "%s line %u: expected NAME=value (no spaces, no \"export\")", path,
			         lineno);
			return false;
		}
		idx = settings_index(line, (size_t)(eq - line));
		if (idx < 0) {
			snprintf(err, errlen, "%s line %u: unknown setting %.*s", path, lineno,
			         (int)(eq - line > 64 ? 64 : eq - line), line);
			return false;
		}
		if (settings.values[idx]) {
			snprintf(err, errlen, "%s line %u: %s is set twice", path, lineno,
			         config_names[idx]);
			return false;
		}
		v = eq + 1;
		if (end - v >= 2 && (*v == '"' || *v == '\'') && end[-1] == *v) {
			char quote = *v++;

			*--end = '\0';
			if (strchr(v, quote)) {
				snprintf(err, errlen, "%s line %u: a quote inside a quoted value",
				         path, lineno);
				return false;
			}
		} else {
			while (*v == ' ' || *v == '\t')
				v++;
			while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
				*--end = '\0';
			if (*v == '"' || *v == '\'' ||
			    (end > v && (end[-1] == '"' || end[-1] == '\''))) {
				snprintf(err, errlen, "%s line %u: unbalanced quote", path, lineno);
				return false;
			}
		}
		settings.values[idx] = v;
	}
	return true;
}

bool
config_settings_read(const char *path, uid_t owner, char *err, size_t errlen)
{
	struct stat st;
	int fd = -1;
	ssize_t got;
	bool ok = false;

	settings_forget();
	settings.loaded = true;
	if (strlen(path) >= sizeof settings.path || path[0] != '/') {
		snprintf(err, errlen, "FCGI_AUTH_SETTINGS_FILE must be an absolute path");
		goto done;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "settings file %s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "settings file %s is not a regular file", path);
		goto done;
	}
	if (st.st_uid != owner) {
		snprintf(err, errlen,
		         "settings file %s belongs to uid %ld, not to the user the programs run as "
		         "(uid %ld): it holds the secret",
		         path, (long)st.st_uid, (long)owner);
		goto done;
	}
	if (st.st_mode & (S_IRWXO | S_IWGRP)) {
		snprintf(err, errlen,
		         "settings file %s has mode %04o: it holds the secret, so nobody but its "
		         "owner may write it and other users may not read it (chmod 600)",
		         path, (unsigned)(st.st_mode & 07777));
		goto done;
	}
	if (st.st_size > CONFIG_SETTINGS_MAX) {
		snprintf(err, errlen, "settings file %s is larger than %d bytes", path,
		         CONFIG_SETTINGS_MAX);
		goto done;
	}
	settings.text_len = (size_t)st.st_size + 1;
	settings.text = xcalloc(1, settings.text_len);
	got = read(fd, settings.text, settings.text_len - 1);
	if (got != st.st_size) {
		snprintf(err, errlen, "settings file %s: cannot read it", path);
		goto done;
	}
	if (memchr(settings.text, '\0', (size_t)got)) {
		snprintf(err, errlen, "settings file %s holds a NUL byte", path);
		goto done;
	}
	snprintf(settings.path, sizeof settings.path, "%s", path);
	ok = settings_parse(path, settings.text, err, errlen);
done:
	if (fd >= 0)
		close(fd);
	if (!ok) {
		settings_forget();
		settings.loaded = true;
	}
	return ok;
}

bool
config_settings_default(char *path, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;
	int i;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	for (i = 0; i < 2; i++) {
		slash = strrchr(exe, '/');
		if (!slash || slash == exe)
			return false;
		*slash = '\0';
	}
	slash = strrchr(exe, '/');
	if (!slash)
		return false;
	slash[1] = '\0';
	return (size_t)snprintf(path, len, "%s%s", exe, CONFIG_SETTINGS_NAME) < len;
}

bool
config_settings_load(char *err, size_t errlen)
{
	const char *path = getenv("FCGI_AUTH_SETTINGS_FILE");
	char def[PATH_MAX];
	struct stat st;

	if (path && *path)
		return config_settings_read(path, geteuid(), err, errlen);
	if (config_settings_default(def, sizeof def) && lstat(def, &st) == 0)
		return config_settings_read(def, geteuid(), err, errlen);
	settings_forget();
	settings.loaded = true;
	return true;
}

const char *
config_settings_path(void)
{
	return settings.path[0] ? settings.path : NULL;
}

const char *
config_value(const char *name)
{
	const char *v = getenv(name);
	char err[256];
	ssize_t idx;

	if (v && *v)
		return v;
	if (!settings.loaded)
		(void)config_settings_load(err, sizeof err); /* config_load reports a bad file */
	idx = settings_index(name, strlen(name));
	return idx >= 0 && settings.values[idx] ? settings.values[idx] : v;
}

static const char *
env_or(const char *name, const char *def)
{
	const char *v = config_value(name);

	return v && *v ? v : def;
}

/* Parses a non-negative integer variable into *out; false with err set. */
static bool
env_int(const char *name, int64_t def, int64_t min, int64_t max, int64_t *out, char *err,
        size_t errlen)
{
	const char *v = config_value(name);
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
	return env_int(name, def, min, max, out, err, errlen);
}

static bool
env_bool(const char *name, bool def, bool *out, char *err, size_t errlen)
{
	const char *v = config_value(name);

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

bool
config_load(struct config *cfg, char *err, size_t errlen)
{
	const char *secret, *prefix, *list, *p;
	int64_t v;
	bool secure;

	memset(cfg, 0, sizeof(*cfg));
	if (!config_settings_load(err, errlen))
		return false;
	secret = config_value("BETTER_AUTH_SECRET");
	if (!secret || !*secret) {
		snprintf(err, errlen,
		         "BETTER_AUTH_SECRET is not set (32 or more characters required)");
		return false;
	}
	if (strlen(secret) < 32) {
		snprintf(err, errlen,
		         "BETTER_AUTH_SECRET is too short: %zu characters, 32 or more required",
		         strlen(secret));
		return false;
	}
	cfg->secret = xstrdup(secret);
	cfg->secret_len = strlen(secret);

	p = config_value("BETTER_AUTH_URL");
	if (p && *p) {
		cfg->base_url = xstrdup(p);
		if (!config_add_origin(cfg, p, strlen(p), err, errlen))
			goto fail;
	}
	list = config_value("BETTER_AUTH_TRUSTED_ORIGINS");
	for (p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (!config_add_origin(cfg, p, n, err, errlen))
			goto fail;
		p += n + (comma ? 1 : 0);
	}

	cfg->mongodb_uri = xstrdup(env_or("MONGODB_URI", "mongodb://127.0.0.1:27017"));
	cfg->mongodb_db = xstrdup(env_or("MONGODB_DB", "better-auth"));

	/* Better Auth: useSecureCookies if set, else whether baseURL is https. */
	if (!env_bool("FCGI_AUTH_SECURE_COOKIES",
	              cfg->base_url && !strncmp(cfg->base_url, "https://", 8), &secure, err,
	              errlen))
		goto fail;
	cfg->secure_cookies = secure;
	prefix = env_or("FCGI_AUTH_COOKIE_PREFIX", "better-auth");
	for (p = prefix; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p)) {
			snprintf(err, errlen,
			         "FCGI_AUTH_COOKIE_PREFIX may hold only letters, digits, '-', '_' "
			         "and '.'");
			goto fail;
		}
	if (strlen(prefix) > 64) {
		snprintf(err, errlen, "FCGI_AUTH_COOKIE_PREFIX is longer than 64 characters");
		goto fail;
	}
	snprintf(cfg->name_token, sizeof(cfg->name_token), "%s%s.session_token",
	         secure ? "__Secure-" : "", prefix);
	snprintf(cfg->name_data, sizeof(cfg->name_data), "%s%s.session_data",
	         secure ? "__Secure-" : "", prefix);
	snprintf(cfg->name_dont_remember, sizeof(cfg->name_dont_remember), "%s%s.dont_remember",
	         secure ? "__Secure-" : "", prefix);

	if (!env_int("FCGI_AUTH_SESSION_EXPIRES_IN", 604800, 1, 10LL * 365 * 86400,
	             &cfg->expires_in, err, errlen) ||
	    !env_int("FCGI_AUTH_SESSION_UPDATE_AGE", 86400, 0, 10LL * 365 * 86400, &cfg->update_age,
	             err, errlen) ||
	    !env_int("FCGI_AUTH_SESSION_FRESH_AGE", 86400, 0, 10LL * 365 * 86400, &cfg->fresh_age,
	             err, errlen) ||
	    !env_bool("FCGI_AUTH_COOKIE_CACHE", false, &cfg->cookie_cache, err, errlen) ||
	    !env_int("FCGI_AUTH_COOKIE_CACHE_MAX_AGE", 300, 1, 86400 * 30,
	             &cfg->cookie_cache_max_age, err, errlen) ||
	    !env_int("FCGI_AUTH_MAX_BODY", 65536, 1024, 16 * 1024 * 1024, &v, err, errlen))
		goto fail;
	cfg->max_body = (size_t)v;
	if (!env_int("FCGI_AUTH_DB_TIMEOUT_MS", 2000, 100, 60000, &v, err, errlen))
		goto fail;
	cfg->db_timeout_ms = (int)v;
	if (!env_bool("BETTER_AUTH_RATE_LIMIT", true, &cfg->rate_limit, err, errlen) ||
	    !env_int("FCGI_AUTH_RATE_LIMIT_WINDOW", 10, 1, 86400, &cfg->rl_window, err, errlen) ||
	    !env_int("FCGI_AUTH_RATE_LIMIT_MAX", 100, 1, 1000000, &cfg->rl_max, err, errlen) ||
	    !env_int("FCGI_AUTH_RATE_LIMIT_STRICT_MAX", 3, 1, 1000000, &cfg->rl_strict_max, err,
	             errlen) ||
	    !env_int("FCGI_AUTH_RATE_LIMIT_SLOW_WINDOW", 60, 1, 86400, &cfg->rl_slow_window, err,
	             errlen) ||
	    !env_int("FCGI_AUTH_RATE_LIMIT_SLOW_MAX", 3, 1, 1000000, &cfg->rl_slow_max, err,
	             errlen))
		goto fail;
	p = config_value("FCGI_AUTH_RUNTIME_DIR");
	if (p && *p) {
		if (*p != '/') {
			snprintf(err, errlen, "FCGI_AUTH_RUNTIME_DIR must be an absolute path");
			goto fail;
		}
		cfg->runtime_dir = xstrdup(p);
	} else {
		/* The user's private runtime directory if it has one (systemd),
		 * else a directory in the temporary one whose name nobody without
		 * the secret can know first (ratetable_open refuses it anyway if
		 * someone else made it). */
		char path[4096];

		if (!ratetable_default_dir(path, sizeof path, getenv("XDG_RUNTIME_DIR"),
		                           env_or("TMPDIR", "/tmp"), cfg->secret,
		                           cfg->secret_len)) {
			snprintf(err, errlen,
			         "FCGI_AUTH_RUNTIME_DIR: no default (TMPDIR too long?); set it");
			goto fail;
		}
		cfg->runtime_dir = xstrdup(path);
	}
	/* mod_fcgid and mod_cgid turn a 200 with Location into an internal
	 * redirect; their configs have us send it under another name and rename
	 * it back with mod_headers. */
	p = env_or("FCGI_AUTH_LOCATION_HEADER", "Location");
	for (list = p; *list; list++)
		if (!isalnum((unsigned char)*list) && *list != '-') {
			snprintf(err, errlen, "FCGI_AUTH_LOCATION_HEADER must be a header name");
			goto fail;
		}
	cfg->location_header = xstrdup(p);
	v = sysconf(_SC_NPROCESSORS_ONLN);
	if (!env_int("FCGI_AUTH_HASH_SLOTS", v > 0 ? v : 1, 0, 1024, &v, err, errlen))
		goto fail;
	cfg->hash_slots = (int)v;
	p = config_value("FCGI_AUTH_HASH_LOCK");
	if (p && *p) {
		cfg->hash_lock = xstrdup(p);
	} else {
		/* Where only this user can write, shared by its processes. */
		char path[4096];

		if (!hashslot_default_path(path, sizeof path, getenv("XDG_RUNTIME_DIR"),
		                           env_or("TMPDIR", "/tmp"), cfg->secret,
		                           cfg->secret_len)) {
			snprintf(err, errlen,
			         "FCGI_AUTH_HASH_LOCK: no default (TMPDIR too long?); set it");
			goto fail;
		}
		cfg->hash_lock = xstrdup(path);
	}
	p = config_value("FCGI_AUTH_LISTEN");
	if (p && *p)
		cfg->listen = xstrdup(p);
	list = config_value("FCGI_AUTH_TRUSTED_PROXIES");
	for (p = list; p && *p;) {
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
	/* Mail: the senders, the From address, templates, timeout. */
	{
		const struct {
			const char *name;
			char **dst;
		} mail_vars[] = {
			{"FCGI_AUTH_SMTP_URL", &cfg->smtp_url},
			{"FCGI_AUTH_SMTP_USER", &cfg->smtp_user},
			{"FCGI_AUTH_SMTP_PASSWORD", &cfg->smtp_password},
			{"FCGI_AUTH_SMTP_CA_FILE", &cfg->smtp_ca_file},
			{"FCGI_AUTH_SENDMAIL", &cfg->sendmail},
			{"FCGI_AUTH_MAIL_FROM", &cfg->mail_from},
			{"FCGI_AUTH_MAIL_TEMPLATES", &cfg->mail_templates},
			{"FCGI_AUTH_APP_NAME", &cfg->app_name},
		};
		size_t i;

		for (i = 0; i < sizeof mail_vars / sizeof mail_vars[0]; i++) {
			p = config_value(mail_vars[i].name);
			if (!p || !*p)
				continue;
			for (list = p; *list; list++)
				if ((unsigned char)*list < 0x20 || *list == 0x7f) {
					snprintf(err, errlen, "%s holds a control character",
					         mail_vars[i].name);
					goto fail;
				}
			*mail_vars[i].dst = xstrdup(p);
		}
		if (cfg->smtp_url && cfg->sendmail) {
			snprintf(err, errlen,
			         "FCGI_AUTH_SMTP_URL and FCGI_AUTH_SENDMAIL are both set: choose "
			         "one");
			goto fail;
		}
		if ((cfg->smtp_url || cfg->sendmail) && !cfg->mail_from) {
			snprintf(err, errlen, "FCGI_AUTH_MAIL_FROM is required when %s is set",
			         cfg->smtp_url ? "FCGI_AUTH_SMTP_URL" : "FCGI_AUTH_SENDMAIL");
			goto fail;
		}
		if (cfg->smtp_url && strncmp(cfg->smtp_url, "smtp://", 7) &&
		    strncmp(cfg->smtp_url, "smtps://", 8)) {
			snprintf(err, errlen,
			         "FCGI_AUTH_SMTP_URL must start with smtp:// or smtps://");
			goto fail;
		}
		if (cfg->sendmail && cfg->sendmail[0] != '/') {
			snprintf(err, errlen,
			         "FCGI_AUTH_SENDMAIL must start with an absolute path "
			         "(/usr/sbin/sendmail -t -i)");
			goto fail;
		}
		if (!env_int("FCGI_AUTH_MAIL_TIMEOUT_MS", 10000, 100, 600000, &v, err, errlen))
			goto fail;
		cfg->mail_timeout_ms = (int)v;
	}
	/* Account deletion. */
	if (!env_bool("FCGI_AUTH_DELETE_USER", false, &cfg->delete_user, err, errlen) ||
	    !env_bool("FCGI_AUTH_DELETE_USER_VERIFICATION", false, &cfg->delete_user_verification,
	              err, errlen) ||
	    !env_int("FCGI_AUTH_DELETE_TOKEN_EXPIRES_IN", 86400, 1, 10LL * 365 * 86400,
	             &cfg->delete_token_expires_in, err, errlen))
		goto fail;
	/* Mail flows: Better Auth's emailAndPassword / emailVerification /
	 * user.changeEmail options. */
	if (!env_int("FCGI_AUTH_RESET_PASSWORD_EXPIRES_IN", 3600, 1, 10LL * 365 * 86400,
	             &cfg->reset_expires_in, err, errlen) ||
	    !env_bool("FCGI_AUTH_REVOKE_SESSIONS_ON_PASSWORD_RESET", false, &cfg->revoke_on_reset,
	              err, errlen) ||
	    !env_int("FCGI_AUTH_VERIFICATION_EXPIRES_IN", 3600, 1, 10LL * 365 * 86400,
	             &cfg->verify_expires_in, err, errlen) ||
	    !env_bool("FCGI_AUTH_REQUIRE_EMAIL_VERIFICATION", false, &cfg->require_verification,
	              err, errlen) ||
	    !env_bool("FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_UP", cfg->require_verification,
	              &cfg->send_on_sign_up, err, errlen) ||
	    !env_bool("FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_IN", false, &cfg->send_on_sign_in, err,
	              errlen) ||
	    !env_bool("FCGI_AUTH_AUTO_SIGN_IN_AFTER_VERIFICATION", false,
	              &cfg->auto_sign_in_verified, err, errlen) ||
	    !env_bool("FCGI_AUTH_CHANGE_EMAIL", false, &cfg->change_email, err, errlen) ||
	    !env_bool("FCGI_AUTH_UPDATE_EMAIL_WITHOUT_VERIFICATION", false,
	              &cfg->change_email_unverified, err, errlen) ||
	    !env_bool("FCGI_AUTH_CHANGE_EMAIL_CONFIRMATION", false, &cfg->change_email_confirm, err,
	              errlen))
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
	settings_forget();
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
