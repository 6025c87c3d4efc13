/*
 * config.h — the settings, read once at process start (before the accept
 * loop: FCGI_Accept replaces environ), validated into one read-only struct.
 * Each comes from the environment when set there (non-empty), else from the
 * settings file, else its default. Every setting is documented in README.md
 * and named once, in config.c's table (config_setting_name lists them).
 *
 * The settings file (settings_file.h): FCGI_AUTH_SETTINGS_FILE (an absolute
 * path), else fcgi-auth.env two folders above the program's own when that
 * exists; an unsafe or malformed one refuses to start.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_ORIGINS 32
#define CONFIG_NAME_MAX 128

struct config {
	char *secret; /* BETTER_AUTH_SECRET, >= 32 chars */
	size_t secret_len;
	char *base_url;                    /* BETTER_AUTH_URL, may be NULL */
	char *origins[CONFIG_MAX_ORIGINS]; /* trusted origins, normalised */
	size_t n_origins;
	char *mongodb_uri;   /* MONGODB_URI */
	char *mongodb_db;    /* MONGODB_DB */
	bool secure_cookies; /* __Secure- prefix and ; Secure */
	/* Full cookie names: [__Secure-]<prefix>.<kind> */
	char name_token[CONFIG_NAME_MAX];
	char name_data[CONFIG_NAME_MAX];
	char name_dont_remember[CONFIG_NAME_MAX];
	int64_t expires_in;                /* session lifetime, s */
	int64_t update_age;                /* refresh after, s */
	int64_t fresh_age;                 /* FCGI_AUTH_SESSION_FRESH_AGE: a session younger
	                                  than this is fresh (0: always), s */
	bool cookie_cache;                 /* session_data on/off */
	int64_t cookie_cache_max_age;      /* s */
	size_t max_body;                   /* bytes */
	int db_timeout_ms;                 /* per operation */
	char *location_header;             /* FCGI_AUTH_LOCATION_HEADER (default
	                                  "Location"): sign-in's callbackURL header */
	char *listen;                      /* FCGI_AUTH_LISTEN: own socket ("127.0.0.1:9000",
	                                  "/path.sock"), else the web server's */
	bool rate_limit;                   /* BETTER_AUTH_RATE_LIMIT, on by default */
	int64_t rl_window;                 /* s */
	int64_t rl_max;                    /* requests per window, most paths */
	int64_t rl_strict_max;             /* sign-in, sign-up, change-password */
	int64_t rl_slow_max;               /* request-password-reset, send-verification-email */
	int64_t rl_slow_window;            /* s */
	char *runtime_dir;                 /* FCGI_AUTH_RUNTIME_DIR: private directory of the
	                                  machine-wide rate-limit table (ratetable.h) */
	char *proxies[CONFIG_MAX_ORIGINS]; /* FCGI_AUTH_TRUSTED_PROXIES: IPs */
	size_t n_proxies;
	int hash_slots;  /* FCGI_AUTH_HASH_SLOTS: scrypt hashes in flight
	                                  on this machine (default: online cores;
	                                  0: no cap), see hashslot.h */
	char *hash_lock; /* FCGI_AUTH_HASH_LOCK: their lock file */
	/* Mail (mail.h, which parses and checks these further at mail_init).
	 * At most one sender; both NULL: no mail is sent. */
	char *smtp_url;       /* FCGI_AUTH_SMTP_URL: smtp[s]://[user[:password]@]host
	                                  [:port][/ehlo-name][?starttls=1] (wiped at cleanup) */
	char *smtp_user;      /* FCGI_AUTH_SMTP_USER, instead of the URL's */
	char *smtp_password;  /* FCGI_AUTH_SMTP_PASSWORD (wiped at cleanup) */
	char *smtp_ca_file;   /* FCGI_AUTH_SMTP_CA_FILE: CA certificates for TLS */
	char *sendmail;       /* FCGI_AUTH_SENDMAIL: absolute path and arguments,
	                                  split on spaces ("/usr/sbin/sendmail -t -i") */
	char *mail_from;      /* FCGI_AUTH_MAIL_FROM: "addr" or "Name <addr>";
	                                  required with a sender */
	char *mail_templates; /* FCGI_AUTH_MAIL_TEMPLATES: directory, may be NULL */
	char *app_name;       /* FCGI_AUTH_APP_NAME: {{appName}}, may be NULL */
	int mail_timeout_ms;  /* FCGI_AUTH_MAIL_TIMEOUT_MS: one whole send */
	/* Account deletion (the account program; Better Auth's user.deleteUser). */
	bool delete_user;                /* FCGI_AUTH_DELETE_USER: POST /delete-user on */
	bool delete_user_verification;   /* FCGI_AUTH_DELETE_USER_VERIFICATION: by a mailed
	                                  link only (sendDeleteAccountVerification) */
	int64_t delete_token_expires_in; /* FCGI_AUTH_DELETE_TOKEN_EXPIRES_IN: the link's
	                                    lifetime, s */
	/* Mail flows (accounts spec §8): Better Auth's options. "A callback is
	 * configured" there is "a sender is configured" here (mail.h). */
	int64_t reset_expires_in;     /* FCGI_AUTH_RESET_PASSWORD_EXPIRES_IN, s (3600) */
	bool revoke_on_reset;         /* FCGI_AUTH_REVOKE_SESSIONS_ON_PASSWORD_RESET */
	int64_t verify_expires_in;    /* FCGI_AUTH_VERIFICATION_EXPIRES_IN, s (3600) */
	bool require_verification;    /* FCGI_AUTH_REQUIRE_EMAIL_VERIFICATION */
	bool send_on_sign_up;         /* FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_UP
	                                  (default: require_verification) */
	bool send_on_sign_in;         /* FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_IN */
	bool auto_sign_in_verified;   /* FCGI_AUTH_AUTO_SIGN_IN_AFTER_VERIFICATION */
	bool change_email;            /* FCGI_AUTH_CHANGE_EMAIL */
	bool change_email_unverified; /* FCGI_AUTH_UPDATE_EMAIL_WITHOUT_VERIFICATION */
	bool change_email_confirm;    /* FCGI_AUTH_CHANGE_EMAIL_CONFIRMATION */
};

/* Fills cfg from the environment and the settings file. On a missing or unsafe value returns false
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

/* The value of setting name as config_load reads it: the environment's when
 * set and non-empty, else the settings file's (read on first use; a bad
 * file counts as none here, config_load reports it), else the environment's
 * (NULL or ""). Valid until config_cleanup. For modules that read a setting
 * before config_load (log.c) and tools (schema-apply). */
const char *config_value(const char *name);

/* Reads the settings file (FCGI_AUTH_SETTINGS_FILE, else the default one
 * when it exists; neither: none, true) as config_load does, allowing the
 * names config_is_setting allows; false with one line in err. For tools that
 * read a few settings with config_value. */
bool config_settings_load(char *err, size_t errlen);

/* The name of setting i (from 0), NULL past the last: every setting a
 * program reads, for `<program> --settings`. */
const char *config_setting_name(size_t i);

/* True if name (n bytes) is a setting a settings file may set: every one
 * but FCGI_AUTH_SETTINGS_FILE itself. */
bool config_is_setting(const char *name, size_t n);

/* True if ip (textual, as in REMOTE_ADDR) is a configured trusted proxy. */
bool config_is_trusted_proxy(const struct config *cfg, const char *ip, size_t n);

/* True if origin (already normalised, see url_origin) is trusted. */
bool config_is_trusted_origin(const struct config *cfg, const char *origin);

#endif
