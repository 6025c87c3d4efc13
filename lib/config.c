/*
 * config.c — see config.h.
 */
#include "config.h"

#include "hashslot.h"
#include "url.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *
env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

/* Parses a non-negative integer variable into *out; false with err set. */
static bool
env_int(const char *name, int64_t def, int64_t min, int64_t max, int64_t *out,
        char *err, size_t errlen)
{
	const char *v = getenv(name);
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
	const char *v = getenv(name);

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
	secret = getenv("BETTER_AUTH_SECRET");
	if (!secret || !*secret) {
		snprintf(err, errlen, "BETTER_AUTH_SECRET is not set (32 or more characters required)");
		return false;
	}
	if (strlen(secret) < 32) {
		snprintf(err, errlen, "BETTER_AUTH_SECRET is too short: %zu characters, 32 or more required",
		         strlen(secret));
		return false;
	}
	cfg->secret = strdup(secret);
	cfg->secret_len = strlen(secret);

	p = getenv("BETTER_AUTH_URL");
	if (p && *p) {
		cfg->base_url = strdup(p);
		if (!config_add_origin(cfg, p, strlen(p), err, errlen))
			goto fail;
	}
	list = getenv("BETTER_AUTH_TRUSTED_ORIGINS");
	for (p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (!config_add_origin(cfg, p, n, err, errlen))
			goto fail;
		p += n + (comma ? 1 : 0);
	}

	cfg->mongodb_uri = strdup(env_or("MONGODB_URI", "mongodb://127.0.0.1:27017"));
	cfg->mongodb_db = strdup(env_or("MONGODB_DB", "better-auth"));

	/* Better Auth: useSecureCookies if set, else whether baseURL is https. */
	if (!env_bool("FCGI_AUTH_SECURE_COOKIES",
	              cfg->base_url && !strncmp(cfg->base_url, "https://", 8), &secure, err, errlen))
		goto fail;
	cfg->secure_cookies = secure;
	prefix = env_or("FCGI_AUTH_COOKIE_PREFIX", "better-auth");
	for (p = prefix; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p)) {
			snprintf(err, errlen, "FCGI_AUTH_COOKIE_PREFIX may hold only letters, digits, '-', '_' and '.'");
			goto fail;
		}
	if (strlen(prefix) > 64) {
		snprintf(err, errlen, "FCGI_AUTH_COOKIE_PREFIX is longer than 64 characters");
		goto fail;
	}
	snprintf(cfg->name_token, sizeof(cfg->name_token), "%s%s.session_token", secure ? "__Secure-" : "", prefix);
	snprintf(cfg->name_data, sizeof(cfg->name_data), "%s%s.session_data", secure ? "__Secure-" : "", prefix);
	snprintf(cfg->name_dont_remember, sizeof(cfg->name_dont_remember), "%s%s.dont_remember",
	         secure ? "__Secure-" : "", prefix);

	if (!env_int("FCGI_AUTH_SESSION_EXPIRES_IN", 604800, 1, 10LL * 365 * 86400, &cfg->expires_in, err, errlen) ||
	    !env_int("FCGI_AUTH_SESSION_UPDATE_AGE", 86400, 0, 10LL * 365 * 86400, &cfg->update_age, err, errlen) ||
	    !env_int("FCGI_AUTH_SESSION_FRESH_AGE", 86400, 0, 10LL * 365 * 86400, &cfg->fresh_age, err, errlen) ||
	    !env_bool("FCGI_AUTH_COOKIE_CACHE", false, &cfg->cookie_cache, err, errlen) ||
	    !env_int("FCGI_AUTH_COOKIE_CACHE_MAX_AGE", 300, 1, 86400 * 30, &cfg->cookie_cache_max_age, err, errlen) ||
	    !env_int("FCGI_AUTH_MAX_BODY", 65536, 1024, 16 * 1024 * 1024, &v, err, errlen))
		goto fail;
	cfg->max_body = (size_t)v;
	if (!env_int("FCGI_AUTH_DB_TIMEOUT_MS", 2000, 100, 60000, &v, err, errlen))
		goto fail;
	cfg->db_timeout_ms = (int)v;
	if (!env_bool("BETTER_AUTH_RATE_LIMIT", true, &cfg->rate_limit, err, errlen) ||
	    !env_int("FCGI_AUTH_RATE_LIMIT_WINDOW", 10, 1, 86400, &cfg->rl_window, err, errlen) ||
	    !env_int("FCGI_AUTH_RATE_LIMIT_MAX", 100, 1, 1000000, &cfg->rl_max, err, errlen) ||
	    !env_int("FCGI_AUTH_RATE_LIMIT_STRICT_MAX", 3, 1, 1000000, &cfg->rl_strict_max, err, errlen))
		goto fail;
	/* mod_fcgid and mod_cgid turn a 200 with Location into an internal
	 * redirect; their configs have us send it under another name and rename
	 * it back with mod_headers. */
	p = env_or("FCGI_AUTH_LOCATION_HEADER", "Location");
	for (list = p; *list; list++)
		if (!isalnum((unsigned char)*list) && *list != '-') {
			snprintf(err, errlen, "FCGI_AUTH_LOCATION_HEADER must be a header name");
			goto fail;
		}
	cfg->location_header = strdup(p);
	v = sysconf(_SC_NPROCESSORS_ONLN);
	if (!env_int("FCGI_AUTH_HASH_SLOTS", v > 0 ? v : 1, 0, 1024, &v, err, errlen))
		goto fail;
	cfg->hash_slots = (int)v;
	p = getenv("FCGI_AUTH_HASH_LOCK");
	if (p && *p) {
		cfg->hash_lock = strdup(p);
	} else {
		/* Where only this user can write, shared by its processes. */
		char path[4096];

		if (!hashslot_default_path(path, sizeof path, getenv("XDG_RUNTIME_DIR"),
		                           env_or("TMPDIR", "/tmp"), cfg->secret, cfg->secret_len)) {
			snprintf(err, errlen, "FCGI_AUTH_HASH_LOCK: no default (TMPDIR too long?); set it");
			goto fail;
		}
		cfg->hash_lock = strdup(path);
	}
	p = getenv("FCGI_AUTH_LISTEN");
	if (p && *p)
		cfg->listen = strdup(p);
	list = getenv("FCGI_AUTH_TRUSTED_PROXIES");
	for (p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char *ip;

		while (n && isspace((unsigned char)*p))
			p++, n--;
		ip = strndup(p, n);
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
			p = getenv(mail_vars[i].name);
			if (!p || !*p)
				continue;
			for (list = p; *list; list++)
				if ((unsigned char)*list < 0x20 || *list == 0x7f) {
					snprintf(err, errlen, "%s holds a control character", mail_vars[i].name);
					goto fail;
				}
			*mail_vars[i].dst = strdup(p);
		}
		if (cfg->smtp_url && cfg->sendmail) {
			snprintf(err, errlen, "FCGI_AUTH_SMTP_URL and FCGI_AUTH_SENDMAIL are both set: choose one");
			goto fail;
		}
		if ((cfg->smtp_url || cfg->sendmail) && !cfg->mail_from) {
			snprintf(err, errlen, "FCGI_AUTH_MAIL_FROM is required when %s is set",
			         cfg->smtp_url ? "FCGI_AUTH_SMTP_URL" : "FCGI_AUTH_SENDMAIL");
			goto fail;
		}
		if (cfg->smtp_url && strncmp(cfg->smtp_url, "smtp://", 7) && strncmp(cfg->smtp_url, "smtps://", 8)) {
			snprintf(err, errlen, "FCGI_AUTH_SMTP_URL must start with smtp:// or smtps://");
			goto fail;
		}
		if (cfg->sendmail && cfg->sendmail[0] != '/') {
			snprintf(err, errlen, "FCGI_AUTH_SENDMAIL must start with an absolute path (/usr/sbin/sendmail -t -i)");
			goto fail;
		}
		if (!env_int("FCGI_AUTH_MAIL_TIMEOUT_MS", 10000, 100, 600000, &v, err, errlen))
			goto fail;
		cfg->mail_timeout_ms = (int)v;
	}
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
