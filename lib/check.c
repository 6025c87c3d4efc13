/*
 * check.c — see check.h.
 */
#include "check.h"

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "mail.h"
#include "settings_file.h"

#include <mongoc/mongoc.h>
#include <stdio.h>
#include <string.h>

/* Only programs that send mail link mail.c (their init is mail_init); the
 * others see NULL here and say where the sender is checked. */
#pragma weak mail_probe
#pragma weak mail_is_configured

struct check_failures {
	char list[256]; /* "store, indexes" */
	size_t missing_indexes;
};

static void
check_failed(struct check_failures *f, const char *what)
{
	size_t n = strlen(f->list);

	if (strstr(f->list, what))
		return;
	snprintf(f->list + n, sizeof f->list - n, "%s%s", n ? ", " : "", what);
}

void
check_uri_hosts(const char *uri, char *out, size_t len)
{
	const char *hosts = strstr(uri, "://"), *end, *at;

	if (!hosts) {
		snprintf(out, len, "(not a URI)");
		return;
	}
	hosts += 3;
	end = hosts + strcspn(hosts, "/?");
	for (at = end; at > hosts && at[-1] != '@'; at--)
		;
	snprintf(out, len, "%.*s%.*s/", (int)(hosts - uri), uri, (int)(end - at), at);
}

static void
check_missing_index(const char *collection, const char *index, void *arg)
{
	struct check_failures *f = arg;

	printf("indexes: %s.%s is missing: run schema-apply (uniqueness is not enforced without "
	       "it)\n",
	       collection, index);
	f->missing_indexes++;
	check_failed(f, "indexes");
}

/* The store: the client, a ping, then the indexes. */
static void
check_store(const struct config *cfg, struct check_failures *f)
{
	char err[256], hosts[512];
	enum db_status st;

	check_uri_hosts(cfg->mongodb_uri, hosts, sizeof hosts);
	if (!db_open(cfg, err, sizeof err)) {
		printf("store: %s\n", err);
		check_failed(f, "store");
		return;
	}
	st = db_ping(cfg->db_timeout_ms);
	if (st != DB_OK) {
		printf("store: %s (database \"%s\") %s: the reason is on stderr\n", hosts,
		       cfg->mongodb_db,
		       st == DB_UNAVAILABLE ? "cannot be reached" : "refused the ping");
		check_failed(f, "store");
		return;
	}
	printf("store: %s (database \"%s\") answers\n", hosts, cfg->mongodb_db);
	if (!db_check_indexes(check_missing_index, f)) {
		printf("indexes: the store could not list them: the reason is on stderr\n");
		check_failed(f, "indexes");
	} else if (!f->missing_indexes) {
		printf("indexes: the unique indexes are there\n");
	}
}

static void
check_mail(const char *program, const struct config *cfg, bool started, struct check_failures *f)
{
	char msg[512];

	if (!cfg->smtp_url && !cfg->sendmail) {
		printf("mail: no sender configured: the mail endpoints answer as Better Auth does "
		       "without "
		       "its mail callbacks\n");
		return;
	}
	if (!mail_probe || !mail_is_configured || !started || !mail_is_configured()) {
		printf("mail: a sender is configured; %s sends no mail: run signup, signin, mail "
		       "or "
		       "account with --check to try it\n",
		       program);
		return;
	}
	if (mail_probe(msg, sizeof msg)) {
		printf("mail: %s\n", msg);
	} else {
		printf("mail: %s\n", msg);
		check_failed(f, "mail");
	}
}

int
check_run(const char *program, bool (*init)(const struct config *cfg, char *err, size_t errlen),
          void (*cleanup)(void))
{
	struct check_failures f;
	struct config cfg;
	char err[256], path[4096];
	const char *file;
	bool loaded = false, crypto = false, started = false;

	memset(&f, 0, sizeof f);
	log_init(program);
	mongoc_init();
	if (!config_load(&cfg, err, sizeof err)) {
		printf("settings: %s\n", err);
		check_failed(&f, "settings");
		goto done;
	}
	loaded = true;
	file = settings_file_path();
	if (file)
		printf("settings: file %s (a non-empty environment variable overrides it)\n", file);
	else if (settings_file_default(path, sizeof path))
		printf("settings: the environment only (FCGI_AUTH_SETTINGS_FILE unset, no %s)\n",
		       path);
	else
		printf("settings: the environment only (FCGI_AUTH_SETTINGS_FILE unset)\n");
	printf("settings: secret of %zu characters, site %s, %s cookies\n", cfg.secret_len,
	       cfg.base_url ? cfg.base_url : "(BETTER_AUTH_URL unset)",
	       cfg.secure_cookies ? "secure" : "plain (not Secure)");
	crypto = crypto_init(cfg.secret, cfg.secret_len);
	if (!crypto) {
		printf("settings: OpenSSL could not be set up\n");
		check_failed(&f, "settings");
		goto done;
	}
	check_store(&cfg, &f);
	if (init) {
		started = init(&cfg, err, sizeof err);
		if (!started) {
			printf("start-up: %s\n", err);
			check_failed(&f, "start-up");
		}
	}
	check_mail(program, &cfg, started, &f);
done:
	if (started && cleanup)
		cleanup();
	db_close();
	if (crypto)
		crypto_cleanup();
	if (loaded)
		config_cleanup(&cfg);
	mongoc_cleanup();
	if (f.list[0])
		printf("FAILED: %s\n", f.list);
	else
		printf("OK\n");
	fflush(stdout);
	return f.list[0] ? 1 : 0;
}
