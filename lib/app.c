/*
 * app.c — see app.h.
 */
#include "app.h"

#include "check.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "fcgi.h"
#include "hashslot.h"
#include "log.h"
#include "metrics.h"
#include "origin.h"
#include "password.h"
#include "ratelimit.h"

#include <errno.h>
#include <fcntl.h>
#include <mongoc/mongoc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static size_t
app_read_cgi(void *ctx, char *buf, size_t n)
{
	return fread(buf, 1, n, ctx);
}

void
app_defer(struct call *c, void (*fn)(void *arg), void *arg)
{
	if (c->after)
		abort();
	c->after = fn;
	c->after_arg = arg;
}

void
app_event(struct call *c, const char *event, const char *outcome)
{
	if (c->n_events == APP_EVENTS_MAX)
		abort();
	c->events[c->n_events].name = event;
	c->events[c->n_events].outcome = outcome;
	c->n_events++;
}

enum response_error
app_db_error(enum db_status st)
{
	return st == DB_UNAVAILABLE ? ERR_SERVICE_UNAVAILABLE : ERR_INTERNAL;
}

/* The route of req: its path matched exactly (or, for a path ending in '/',
 * as a prefix followed by one non-empty segment) and its method. NULL when
 * nothing matches: Better Auth's router answers 404, wrong method included. */
static const struct app_route *
app_find_route(const struct app_program *prog, struct call *c)
{
	const struct app_route *r;
	const char *path = c->req->path;

	for (r = prog->routes; r->method; r++) {
		size_t n = strlen(r->path);

		if (strcmp(r->method, c->req->method) != 0)
			continue;
		if (r->path[n - 1] != '/') {
			if (!strcmp(path, r->path))
				return r;
		} else if (!strncmp(path, r->path, n) && path[n] && !strchr(path + n, '/')) {
			c->param = path + n;
			c->param_len = strlen(path + n);
			return r;
		}
	}
	return NULL;
}

/* The limiter (Better Auth runs it first; here after routing, so what is
 * answered 404 leaves no bucket). Not for the Authorizer role: it guards
 * other URLs, each already a request of its own to the web server. */
static bool
app_rate_limited(const struct app_route *route, struct call *c)
{
	char secs[24];
	long retry;

	if (!c->req->cfg->rate_limit || (route->needs & APP_NO_LIMIT))
		return false;
	switch (ratelimit_check(c->req, route->limit, &retry)) {
	case RATELIMIT_ALLOW: return false;
	case RATELIMIT_REJECT:
		snprintf(secs, sizeof(secs), "%ld", retry);
		response_error(c->res, ERR_TOO_MANY_REQUESTS);
		response_header(c->res, "X-Retry-After", secs);
		return true;
	default:
		/* Credential and mail endpoints fail closed; the rest stay up. */
		if (route->limit == RATELIMIT_DEFAULT)
			return false;
		response_error(c->res, ERR_SERVICE_UNAVAILABLE);
		return true;
	}
}

/* The session a route needs (step 9): getSession, or the plain signed-in
 * user; then freshness. ERR_OK to go on. */
static enum response_error
app_session(const struct app_route *route, struct call *c)
{
	enum db_status st;

	if (route->needs & APP_USER)
		st = session_current(c->req, &c->session.session, &c->session.user);
	else if (route->needs & (APP_SESSION | APP_SESSION_DB))
		st = session_lookup(c->req, c->res,
		                    (route->needs & APP_SESSION) ? SESSION_ALLOW_CACHE : 0,
		                    &c->session);
	else
		return ERR_OK;
	if (st == DB_NOT_FOUND)
		return ERR_UNAUTHORIZED;
	if (st != DB_OK)
		return app_db_error(st);
	if ((route->needs & APP_FRESH) && !session_is_fresh(c->req, c->session.session))
		return ERR_SESSION_NOT_FRESH;
	return ERR_OK;
}

/* Steps 4–10 of the pipeline for a routed request. ERR_OK when the handler
 * or a step answered in c->res. */
static enum response_error
app_pipeline(const struct app_route *route, struct call *c)
{
	enum response_error err;

	if (route->needs & APP_BODY) {
		if (!body_read(c->req, c->res, (route->needs & APP_FORM) != 0, &c->body))
			return ERR_OK;
	}
	if (!origin_check(c->req, &err))
		return err;
	if ((route->needs & APP_BODY) && !body_check_callbacks(c->req, c->res, &c->body))
		return ERR_OK;
	if (route->schema) {
		bson_string_t *issues =
			body_validate(&c->body, route->schema, (route->needs & APP_RECORD) != 0);

		if (issues) {
			response_error_message(c->res, 400, issues->str, "VALIDATION_ERROR");
			bson_string_free(issues, true);
			return ERR_OK;
		}
	}
	if (route->validate && !route->validate(c))
		return ERR_OK;
	if ((route->needs & APP_FORM_CSRF) && !origin_check_form(c->req, &err))
		return err;
	if ((err = app_session(route, c)) != ERR_OK)
		return err;
	return route->handler(c);
}

/* The sign-in/sign-up outcome counters, from the status answered. */
static void
app_count_outcome(enum app_metric metric, int status)
{
	static const enum metrics_counter base[] = {
		[APP_METRIC_SIGN_IN] = METRICS_SIGN_IN_OK,
		[APP_METRIC_SIGN_UP] = METRICS_SIGN_UP_OK,
	};
	enum metrics_counter c;

	if (metric == APP_METRIC_NONE)
		return;
	if (status == 200)
		c = base[metric];
	else if (status == 429)
		c = metric == APP_METRIC_SIGN_IN ? METRICS_SIGN_IN_RATE_LIMITED
		                                 : METRICS_SIGN_UP_RATE_LIMITED;
	else if (status >= 500)
		c = metric == APP_METRIC_SIGN_IN ? METRICS_SIGN_IN_STORE_UNAVAILABLE
		                                 : METRICS_SIGN_UP_STORE_UNAVAILABLE;
	else if (metric == APP_METRIC_SIGN_IN && status == 401)
		c = METRICS_SIGN_IN_INVALID_CREDENTIALS;
	else if (metric == APP_METRIC_SIGN_UP && status == 422)
		c = METRICS_SIGN_UP_USER_EXISTS;
	else
		c = metric == APP_METRIC_SIGN_IN ? METRICS_SIGN_IN_INVALID_REQUEST
		                                 : METRICS_SIGN_UP_INVALID_REQUEST;
	metrics_count(c);
}

/* The security events of the answered request (app_event), and app.c's
 * own: sign-in/sign-up refused before the handler, the store unreachable. */
static void
app_log_events(const struct app_program *prog, const struct app_route *route, struct call *c,
               double secs)
{
	static const char *const failed[] = {
		[APP_METRIC_SIGN_IN] = "sign_in_failed",
		[APP_METRIC_SIGN_UP] = "sign_up_failed",
	};
	struct log_fields f = {.status = c->res->status, .duration_ms = secs * 1000.0};
	int status = c->res->status;
	size_t i;

	if (route && prog->metric != APP_METRIC_NONE && !c->n_events && status >= 400 &&
	    status < 500 && status != 429)
		app_event(c, failed[prog->metric], "invalid_request");
	for (i = 0; i < c->n_events; i++) {
		f.outcome = c->events[i].outcome;
		log_event(LOG_INFO, c->events[i].name, &f);
	}
	if (status == 503) {
		f.outcome = NULL;
		log_event(LOG_INFO, "store_unavailable", &f);
	}
}

/* Work left for after the answer (app_defer). */
struct app_after {
	void (*fn)(void *arg);
	void *arg;
};

static void
app_run_after(struct app_after *after)
{
	if (after->fn)
		after->fn(after->arg);
	after->fn = NULL;
	after->arg = NULL;
}

/* Plain CGI, the answer written: the work after it, without holding the
 * answer back or being cut short. The web server completes the answer once
 * every copy of our connection is closed — stdout and, under mod_cgid, stdin
 * too (one socket for both) — and then ends the program it started (mod_cgid:
 * SIGTERM, then SIGKILL 3 s later; lighttpd: SIGTERM). So both go to
 * /dev/null (no later socket can take their numbers) and the work runs in a
 * child of its own session, which the web server does not know; we return
 * and exit at once. The child owns the job from then on: app_cgi_job keeps
 * the parent's copy referenced until exit (not ours to free; volatile, so
 * the store is kept and LeakSanitizer sees it). If fork fails the work runs
 * here, within the web server's grace. */
static void *volatile app_cgi_job;

static void
app_cgi_after(struct app_after *after)
{
	int null = open("/dev/null", O_RDWR);
	pid_t pid;

	fflush(stdout);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	} else {
		close(STDIN_FILENO);
		close(STDOUT_FILENO);
	}
	pid = fork();
	if (pid == 0) {
		setsid();
		app_run_after(after);
		_exit(0); /* the store client and the rest are the parent's */
	}
	if (pid < 0) {
		log_warn("cannot fork for the work after the answer (%s): doing it now",
		         strerror(errno));
		app_run_after(after);
	}
	app_cgi_job = after->arg;
	after->fn = NULL;
	after->arg = NULL;
}

/* Handles one request and formats its response into out; *after gets the
 * work to run once the answer is out. */
static void
app_serve(const struct config *cfg, const struct app_program *prog, char **envp,
          request_read_fn read, void *ctx, bson_string_t *out, struct app_after *after)
{
	struct request req;
	struct response res;
	struct call c;
	const struct app_route *route = NULL;
	enum response_error err = ERR_OK;
	char client[64];
	double secs;

	request_init(&req, cfg, envp, read, ctx);
	ratelimit_client_ip(&req, client, sizeof(client));
	log_request_begin(req.request_id, client);
	response_init(&res);
	memset(&c, 0, sizeof(c));
	c.req = &req;
	c.res = &res;
	body_init(&c.body);
	if (req.header_too_large) {
		err = ERR_HEADER_TOO_LARGE;
	} else if (req.role && !strcmp(req.role, "AUTHORIZER")) {
		err = prog->authorizer ? prog->authorizer(&c) : ERR_NOT_FOUND;
	} else if (!(route = app_find_route(prog, &c))) {
		err = ERR_NOT_FOUND;
	} else if (!app_rate_limited(route, &c)) {
		err = app_pipeline(route, &c);
	} else if (res.status == 429) {
		log_event(LOG_INFO, "rate_limited", &(struct log_fields){.status = 429});
	}
	if (err != ERR_OK)
		response_error(&res, err);
	response_format(&res, out);
	if (res.status >= 500)
		log_warn("%s %s -> %d", req.method, req.path, res.status);
	else
		log_debug("%s %s -> %d", req.method, req.path, res.status);
	secs = (double)(request_now_ms() - req.now_ms) / 1000.0;
	if (!(req.role && !strcmp(req.role, "AUTHORIZER")))
		metrics_request(route ? route->path : "unmatched", res.status, secs);
	if (route)
		app_count_outcome(prog->metric, res.status);
	app_log_events(prog, route, &c, secs);
	log_request_end();
	after->fn = c.after;
	after->arg = c.after_arg;
	session_state_cleanup(&c.session);
	body_cleanup(&c.body);
	response_cleanup(&res);
	request_cleanup(&req);
}

void
app_serve_one(const struct config *cfg, const struct app_program *prog, char **envp,
              request_read_fn read, void *ctx, bson_string_t *out)
{
	struct app_after after = {NULL, NULL};

	app_serve(cfg, prog, envp, read, ctx, out, &after);
	app_run_after(&after);
}

/* Serves FastCGI requests arriving on fd until the web server stops us. */
static void
app_loop(const struct config *cfg, const struct app_program *prog, int fd, bson_string_t *out)
{
	static struct fcgi_request fr; /* its input buffer is large for a stack */
	struct app_after after = {NULL, NULL};
	bool indexes_checked = false;

	fcgi_init(&fr, fd);
	log_info("ready (FastCGI%s%s), database %s", cfg->listen ? " on " : "",
	         cfg->listen ? cfg->listen : "", cfg->mongodb_db);
	while (fcgi_accept(&fr)) {
		/* emptied, its allocation kept (bson_string_truncate would shrink
		 * it to 16 bytes, to grow again in the next answer) */
		out->len = 0;
		out->str[0] = '\0';
		app_serve(cfg, prog, fr.envp, fcgi_read, &fr, out, &after);
		fcgi_finish(&fr, out->str, out->len);
		app_run_after(&after);
		/* Once, after an answer has gone out, so a slow or absent store never
		 * delays the first request. */
		if (!indexes_checked)
			indexes_checked = db_check_indexes(NULL, NULL);
	}
	fcgi_cleanup(&fr);
}

/* SIGTERM/SIGINT (the web server stopping us): finish the request in hand,
 * then leave the accept loop and release everything. No SA_RESTART, so a
 * blocked accept() returns. */
static void
app_on_term(int sig)
{
	(void)sig;
	fcgi_shutdown();
}

int
app_run(const struct app_program *prog, int argc, char **argv)
{
	const char *program = prog->name;
	struct config cfg;
	struct hashslot slots;
	char err[256];
	bson_string_t *out;
	int rc = 0;

	if (argc > 1 && !strcmp(argv[1], "--routes")) {
		const struct app_route *r;

		for (r = prog->routes; r->method; r++)
			printf("%s %s\n", r->method, r->path);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--settings")) {
		const char *name;
		size_t i;

		for (i = 0; (name = config_setting_name(i)) != NULL; i++)
			printf("%s\n", name);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--check"))
		return check_run(program, prog->init, prog->cleanup);
	log_init(program);
	/* Everything from the environment is read here, before the accept loop. */
	if (!config_load(&cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", program, err);
		return 1;
	}
	/* Sets up the hash cap now: a refused lock file is logged at start. */
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
	if (!crypto_init(cfg.secret, cfg.secret_len)) {
		fprintf(stderr, "%s: cannot initialise OpenSSL (HMAC-SHA256)\n", program);
		rc = 1;
		goto done;
	}
	if (!db_open(&cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", program, err);
		rc = 1;
		goto done;
	}
	/* Counters shared by every process of this database's deployment; off
	 * (logged) when they cannot be set up. */
	metrics_init(cfg.mongodb_db);
	if (prog->init && !prog->init(&cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", program, err);
		rc = 1;
		goto done;
	}
	out = bson_string_new(NULL);
	if (cfg.listen) {
		/* Own socket mode, for servers that connect to a running FastCGI
		 * process (Apache mod_proxy_fcgi, mod_authnz_fcgi). */
		int fd = fcgi_listen(cfg.listen, 128);

		if (fd < 0) {
			fprintf(stderr, "%s: cannot listen on FCGI_AUTH_LISTEN=%s: %s\n", program,
			        cfg.listen, strerror(errno));
			rc = 1;
		} else {
			app_loop(&cfg, prog, fd, out);
		}
	} else if (!fcgi_is_listener(STDIN_FILENO)) {
		/* Plain CGI: one request from the environment and stdin. */
		struct app_after after = {NULL, NULL};

		app_serve(&cfg, prog, environ, app_read_cgi, stdin, out, &after);
		fwrite(out->str, 1, out->len, stdout);
		fflush(stdout);
		if (after.fn)
			app_cgi_after(&after);
	} else {
		app_loop(&cfg, prog, 0, out); /* the socket the web server gave us */
	}
	bson_string_free(out, true);
done:
	if (prog->cleanup)
		prog->cleanup();
	metrics_cleanup();
	db_close();
	crypto_cleanup();
	mongoc_cleanup();
	password_set_hashslot(NULL);
	hashslot_cleanup(&slots);
	config_cleanup(&cfg);
	return rc;
}
