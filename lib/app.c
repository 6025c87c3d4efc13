/*
 * app.c — see app.h.
 */
#include "app.h"

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "hashslot.h"
#include "log.h"
#include "password.h"
#include "ratelimit.h"

#include <fcgiapp.h>
#include <mongoc/mongoc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static size_t
app_read_fcgi(void *ctx, char *buf, size_t n)
{
	int got = FCGX_GetStr(buf, (int)(n > 65536 ? 65536 : n), ctx);

	return got > 0 ? (size_t)got : 0;
}

static size_t
app_read_cgi(void *ctx, char *buf, size_t n)
{
	return fread(buf, 1, n, ctx);
}

/* Better Auth's limiter runs before routing. Not for the Authorizer role: it
 * guards other URLs, each already a request of its own to the web server. */
static bool
app_rate_limited(const struct request *req, struct response *res)
{
	char secs[24];
	long retry;

	if (!req->cfg->rate_limit || (req->role && !strcmp(req->role, "AUTHORIZER")))
		return false;
	enum ratelimit_rule rule = strncmp(req->path, "/api/auth/sign-in", 17) && strncmp(req->path, "/api/auth/sign-up", 17) ? RATELIMIT_DEFAULT : RATELIMIT_STRICT; /* until the route table */
	switch (ratelimit_check(req, rule, &retry)) {
	case RATELIMIT_ALLOW:
		return false;
	case RATELIMIT_REJECT:
		snprintf(secs, sizeof(secs), "%ld", retry);
		response_error(res, ERR_TOO_MANY_REQUESTS);
		response_header(res, "X-Retry-After", secs);
		return true;
	default:
		/* Credential endpoints fail closed; the rest stay up, unlimited. */
		if (rule == RATELIMIT_DEFAULT)
			return false;
		response_error(res, ERR_SERVICE_UNAVAILABLE);
		return true;
	}
}

/* Handles one request and formats its response into out. */
static void
app_serve(const struct config *cfg, app_handler handler, char **envp, request_read_fn read,
          void *ctx, bson_string_t *out)
{
	struct request req;
	struct response res;

	request_init(&req, cfg, envp, read, ctx);
	response_init(&res);
	if (req.header_too_large)
		response_error(&res, ERR_HEADER_TOO_LARGE);
	else if (app_rate_limited(&req, &res))
		;
	else
		handler(&req, &res);
	response_format(&res, out);
	if (res.status >= 500)
		log_warn("%s %s -> %d", req.method, req.path, res.status);
	else
		log_debug("%s %s -> %d", req.method, req.path, res.status);
	response_cleanup(&res);
	request_cleanup(&req);
}

/* Serves FastCGI requests arriving on fd until the web server stops us. */
static void
app_loop(const struct config *cfg, app_handler handler, int fd, bson_string_t *out)
{
	FCGX_Request fr;
	bool indexes_checked = false;

	FCGX_InitRequest(&fr, fd, 0);
	log_info("ready (FastCGI%s%s), database %s", cfg->listen ? " on " : "",
	         cfg->listen ? cfg->listen : "", cfg->mongodb_db);
	while (FCGX_Accept_r(&fr) >= 0) {
		bson_string_truncate(out, 0);
		app_serve(cfg, handler, fr.envp, app_read_fcgi, fr.in, out);
		FCGX_PutStr(out->str, (int)out->len, fr.out);
		FCGX_Finish_r(&fr);
		/* Once, after an answer has gone out, so a slow or absent store never
		 * delays the first request. */
		if (!indexes_checked)
			indexes_checked = db_check_indexes();
	}
	FCGX_Free(&fr, 1);
}

/* SIGTERM/SIGINT (the web server stopping us): finish the request in hand,
 * then leave the accept loop and release everything. No SA_RESTART, so a
 * blocked accept() returns. */
static void
app_on_term(int sig)
{
	(void)sig;
	FCGX_ShutdownPending();
}

int
app_run(const char *program, app_handler handler)
{
	struct config cfg;
	struct hashslot slots;
	char err[256];
	bson_string_t *out;
	int rc = 0;

	log_init(program);
	/* Everything from the environment is read here, before the accept loop. */
	if (!config_load(&cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", program, err);
		return 1;
	}
	/* The lock file is opened by the first hash: only signup and signin. */
	hashslot_init(&slots, cfg.hash_lock, cfg.hash_slots);
	password_set_hashslot(&slots);
	signal(SIGPIPE, SIG_IGN);
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = app_on_term;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	mongoc_init();
	if (!crypto_init(cfg.secret, cfg.secret_len) || !db_open(&cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", program, *err ? err : "cannot initialise OpenSSL");
		rc = 1;
		goto done;
	}
	if (FCGX_Init() != 0) {
		fprintf(stderr, "%s: FCGX_Init failed\n", program);
		rc = 1;
		goto done;
	}
	out = bson_string_new(NULL);
	if (cfg.listen) {
		/* Own socket mode, for servers that connect to a running FastCGI
		 * process (Apache mod_proxy_fcgi, mod_authnz_fcgi). */
		int fd = FCGX_OpenSocket(cfg.listen, 128);

		if (fd < 0) {
			fprintf(stderr, "%s: cannot listen on FCGI_AUTH_LISTEN=%s\n", program, cfg.listen);
			rc = 1;
		} else {
			app_loop(&cfg, handler, fd, out);
		}
	} else if (FCGX_IsCGI()) {
		/* Plain CGI: one request from the environment and stdin. */
		app_serve(&cfg, handler, environ, app_read_cgi, stdin, out);
		fwrite(out->str, 1, out->len, stdout);
		fflush(stdout);
	} else {
		app_loop(&cfg, handler, 0, out); /* the socket the web server gave us */
	}
	bson_string_free(out, true);
done:
	db_close();
	crypto_cleanup();
	mongoc_cleanup();
	password_set_hashslot(NULL);
	hashslot_cleanup(&slots);
	config_cleanup(&cfg);
	return rc;
}

bool
app_route(const struct request *req, const char *method, const char *path)
{
	return !strcmp(req->path, path) && !strcmp(req->method, method);
}
