/*
 * config.h — the environment, read once at process start (before the accept
 * loop: FCGI_Accept replaces environ), validated into one read-only struct.
 * Every variable is documented in README.md.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_ORIGINS 32
#define CONFIG_NAME_MAX 128

struct config {
	char *secret;                  /* BETTER_AUTH_SECRET, >= 32 chars */
	size_t secret_len;
	char *base_url;                /* BETTER_AUTH_URL, may be NULL */
	char *origins[CONFIG_MAX_ORIGINS]; /* trusted origins, normalised */
	size_t n_origins;
	char *mongodb_uri;             /* MONGODB_URI */
	char *mongodb_db;              /* MONGODB_DB */
	bool secure_cookies;           /* __Secure- prefix and ; Secure */
	/* Full cookie names: [__Secure-]<prefix>.<kind> */
	char name_token[CONFIG_NAME_MAX];
	char name_data[CONFIG_NAME_MAX];
	char name_dont_remember[CONFIG_NAME_MAX];
	int64_t expires_in;            /* session lifetime, s */
	int64_t update_age;            /* refresh after, s */
	int64_t fresh_age;             /* FCGI_AUTH_SESSION_FRESH_AGE: a session younger
	                                  than this is fresh (0: always), s */
	bool cookie_cache;             /* session_data on/off */
	int64_t cookie_cache_max_age;  /* s */
	size_t max_body;               /* bytes */
	int db_timeout_ms;             /* per operation */
	char *location_header;         /* FCGI_AUTH_LOCATION_HEADER (default
	                                  "Location"): sign-in's callbackURL header */
	char *listen;                  /* FCGI_AUTH_LISTEN: own socket ("127.0.0.1:9000",
	                                  "/path.sock"), else the web server's */
	bool rate_limit;               /* BETTER_AUTH_RATE_LIMIT, on by default */
	int64_t rl_window;             /* s */
	int64_t rl_max;                /* requests per window, most paths */
	int64_t rl_strict_max;         /* sign-in, sign-up, change-password */
	char *proxies[CONFIG_MAX_ORIGINS]; /* FCGI_AUTH_TRUSTED_PROXIES: IPs */
	size_t n_proxies;
	int hash_slots;                /* FCGI_AUTH_HASH_SLOTS: scrypt hashes in flight
	                                  on this machine (default: online cores;
	                                  0: no cap), see hashslot.h */
	char *hash_lock;               /* FCGI_AUTH_HASH_LOCK: their lock file */
	/* Mail (mail.h, which parses and checks these further at mail_init).
	 * At most one sender; both NULL: no mail is sent. */
	char *smtp_url;                /* FCGI_AUTH_SMTP_URL: smtp[s]://[user[:password]@]host
	                                  [:port][/ehlo-name][?starttls=1] (wiped at cleanup) */
	char *smtp_user;               /* FCGI_AUTH_SMTP_USER, instead of the URL's */
	char *smtp_password;           /* FCGI_AUTH_SMTP_PASSWORD (wiped at cleanup) */
	char *smtp_ca_file;            /* FCGI_AUTH_SMTP_CA_FILE: CA certificates for TLS */
	char *sendmail;                /* FCGI_AUTH_SENDMAIL: absolute path and arguments,
	                                  split on spaces ("/usr/sbin/sendmail -t -i") */
	char *mail_from;               /* FCGI_AUTH_MAIL_FROM: "addr" or "Name <addr>";
	                                  required with a sender */
	char *mail_templates;          /* FCGI_AUTH_MAIL_TEMPLATES: directory, may be NULL */
	char *app_name;                /* FCGI_AUTH_APP_NAME: {{appName}}, may be NULL */
	int mail_timeout_ms;           /* FCGI_AUTH_MAIL_TIMEOUT_MS: one whole send */
};

/* Fills cfg from the environment. On a missing or unsafe value returns false
 * with one line in err (for stderr) and cfg zeroed; the caller exits.
 * Free with config_cleanup. */
bool config_load(struct config *cfg, char *err, size_t errlen);

void config_cleanup(struct config *cfg);

/* One integer variable as config_load reads it, for tools that need a
 * setting or two without the whole configuration (schema-apply): *out is
 * def when unset or empty; false with one line in err when it is not an
 * integer from min to max. */
bool config_env_int(const char *name, int64_t def, int64_t min, int64_t max, int64_t *out,
                    char *err, size_t errlen);

/* True if ip (textual, as in REMOTE_ADDR) is a configured trusted proxy. */
bool config_is_trusted_proxy(const struct config *cfg, const char *ip, size_t n);

/* True if origin (already normalised, see url_origin) is trusted. */
bool config_is_trusted_origin(const struct config *cfg, const char *origin);

#endif
