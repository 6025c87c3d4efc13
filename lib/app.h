/*
 * app.h — a program's life and Better Auth's request pipeline. A program
 * declares its endpoints in one table (struct app_route: method, path, what
 * the request needs) and calls app_run; app.c reads the configuration, the
 * secret and the database client once, then for each request (FastCGI, or
 * exactly one as plain CGI) runs the pipeline in the spec's order:
 *
 *   431 → routing (404) → rate limit (429) → body (413/415/400) →
 *   origin check (403) → callback URLs (403/400) → schema (400) →
 *   form CSRF (403) → session (401) → freshness (403) → handler
 *
 * A handler returns ERR_OK with the answer in c->res, or an error of the
 * table in response.h, which app.c writes (cookies already set stay).
 */
#ifndef APP_H
#define APP_H

#include "body.h"
#include "db.h"
#include "ratelimit.h"
#include "request.h"
#include "response.h"
#include "session.h"

#include <stdbool.h>
#include <stddef.h>

struct config;

#define APP_EVENTS_MAX 2 /* security events one request can name */

/* One request going through the pipeline. */
struct call {
	struct request *req;
	struct response *res;
	struct body body;             /* the parsed body (APP_BODY), else empty */
	struct session_state session; /* APP_SESSION / APP_SESSION_DB / APP_USER */
	const char *param;            /* the segment after a route path ending in '/' */
	size_t param_len;
	/* Work for after the answer (app_defer): a mail to send. */
	void (*after)(void *arg);
	void *after_arg;
	/* The security events of this request (app_event), logged with its status. */
	struct app_event {
		const char *name, *outcome;
	} events[APP_EVENTS_MAX];
	size_t n_events;
};

typedef enum response_error (*app_handler)(struct call *c);

enum app_needs {
	APP_BODY = 1 << 0,       /* a JSON body (415 for other media types) */
	APP_FORM = 1 << 1,       /* ... or application/x-www-form-urlencoded */
	APP_FORM_CSRF = 1 << 2,  /* sign-in/sign-up's Fetch Metadata check */
	APP_RECORD = 1 << 3,     /* the schema is an intersection with a record
	                             (sign-up): "expected record" issues too */
	APP_SESSION = 1 << 4,    /* getSession, cookie cache allowed: 401 without */
	APP_SESSION_DB = 1 << 5, /* getSession from the store ("sensitive") */
	APP_FRESH = 1 << 6,      /* the session must be fresh: 403 SESSION_NOT_FRESH */
	APP_USER = 1 << 7,       /* the signed-in user, without getSession's cookie
	                             side effects (me, sync-user): 401 without */
	APP_NO_LIMIT = 1 << 8,   /* not rate limited (the metrics/health URLs) */
};

struct app_route {
	const char *method;
	const char *path; /* exact; ending in '/': one more segment, in c->param */
	unsigned needs;   /* enum app_needs */
	enum ratelimit_rule limit;
	const struct body_field *schema; /* zod's schema of the body, or NULL */
	/* Instead of a schema: a validation step of the route's own, run at the
	 * schema's place; false with the answer in c->res. */
	bool (*validate)(struct call *c);
	app_handler handler;
};

struct app_program {
	const char *name;
	const struct app_route *routes; /* ends with a {NULL} row */
	/* The FastCGI Authorizer role (FCGI_ROLE=AUTHORIZER), any URL; NULL: the
	 * program refuses that role (404). */
	app_handler authorizer;
	/* Optional set-up after the configuration, before the loop (the mail
	 * programs pass mail_init): false with err filled refuses to start.
	 * A pointer, so a program links only the modules it uses. */
	bool (*init)(const struct config *cfg, char *err, size_t errlen);
	void (*cleanup)(void);
	/* The outcome counters (lib/metrics.h) every routed request of this
	 * program feeds, derived from the status answered. */
	enum app_metric { APP_METRIC_NONE = 0, APP_METRIC_SIGN_IN, APP_METRIC_SIGN_UP } metric;
};

/* Runs the program: `program --routes` prints "METHOD PATH" per route and
 * exits; `program --settings` prints the name of every setting it reads
 * (config.h), one a line, and exits; `program --check` checks its settings, store and mail sender
 * (check.h) and exits 0 or 1; otherwise it exits 1 with one line on stderr when the configuration
 * is missing or unsafe, or serves until the web server stops it.
 * Returns the process exit status. */
int app_run(const struct app_program *program, int argc, char **argv);

/* One request (envp, body through read) through the pipeline as app_run
 * serves it, the answer appended to out as it goes to the web server, then
 * the work deferred to after it. app_run's caller set-up (configuration,
 * crypto_init, the store) must be done: the unit tests' entry point. */
void app_serve_one(const struct config *cfg, const struct app_program *prog, char **envp,
                   request_read_fn read, void *ctx, bson_string_t *out);

/* Runs fn(arg) once the answer has gone to the client (FastCGI: after the
 * request is finished; CGI: once stdin and stdout are closed, in a child
 * process the web server does not wait for or end), so a slow mail server
 * never delays or changes an answer. fn owns arg (frees it). One job per
 * request: a second call replaces nothing and frees nothing — it is a bug,
 * so it aborts. */
void app_defer(struct call *c, void (*fn)(void *arg), void *arg);

/* Names a security event of this request (lib/log.h's list: "sign_in",
 * "session_revoked", …) with outcome, a snake_case word from the code
 * (never input) or NULL. It is logged at LOG_INFO once the answer is known,
 * with its status and the time taken, so a handler names it wherever it
 * knows what happened, before or after it writes the answer. Up to
 * APP_EVENTS_MAX a request (a reset that also revokes sessions); a third is
 * a bug, so it aborts. app.c adds two of its own: store_unavailable for
 * every 503, and sign_in_failed / sign_up_failed (outcome invalid_request)
 * for a sign-in or sign-up refused before its handler named anything. */
void app_event(struct call *c, const char *event, const char *outcome);

/* The error of a store failure: 503 when unreachable, else 500. */
enum response_error app_db_error(enum db_status st);

#endif
