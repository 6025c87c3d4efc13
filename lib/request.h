/*
 * request.h — one HTTP request as the web server handed it over (FastCGI
 * params or CGI environment), typed, with the body read under a cap before
 * anything is allocated for it. The only place that reads request params.
 */
#ifndef REQUEST_H
#define REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

#define REQUEST_HEADER_MAX 16384 /* longest header value kept (Cookie, ...) */

/* Reads up to n bytes of body into buf; returns bytes read, 0 at the end. */
typedef size_t (*request_read_fn)(void *ctx, char *buf, size_t n);

struct request {
	const struct config *cfg;
	const char *method; /* "GET", "POST", ... ("" if absent) */
	char *path;         /* REQUEST_URI up to '?' (malloc'd) */
	const char *query;  /* after '?', or NULL */
	const char *content_type;
	const char *cookie; /* the Cookie header, or NULL */
	const char *origin;
	const char *referer;
	const char *sec_fetch_site;
	const char *sec_fetch_mode;
	const char *sec_fetch_dest;
	const char *user_agent;
	const char *remote_addr;
	const char *forwarded_for;   /* X-Forwarded-For (used only from trusted proxies) */
	bool forwarded_for_repeated; /* more than one HTTP_X_FORWARDED_FOR param (lighttpd
	                                folds X.Forwarded.For, X_Forwarded_For ... to it) */
	const char *role;            /* FCGI_ROLE: RESPONDER or AUTHORIZER */
	const char *require_role;    /* FCGI_AUTH_REQUIRE_ROLE, set by the web server's config
	                             for a protected location (never a client header) */
	const char *request_id; /* the web server's UNIQUE_ID (Apache mod_unique_id), or NULL */
	char *body;             /* NUL-terminated, malloc'd, or NULL */
	size_t body_len;
	bool has_body;         /* a body was sent (Content-Length > 0) */
	bool body_too_large;   /* Content-Length above cfg->max_body: 413 */
	bool header_too_large; /* a header above REQUEST_HEADER_MAX: 431 */
	int64_t now_ms;        /* the request's clock, epoch ms */
};

/* Fills req from envp ("NAME=value" strings: FCGX_Request.envp or environ)
 * and reads the body through read(). Strings point into envp, which must
 * outlive req. Always initialises req; release with request_cleanup. */
void request_init(struct request *req, const struct config *cfg, char **envp, request_read_fn read,
                  void *ctx);

void request_cleanup(struct request *req);

/* A query parameter's raw value, or NULL (first occurrence; not decoded). */
const char *request_query_param(const struct request *req, const char *name, size_t *len);

/* How many times the query names name (a repeated key is an array to
 * Better Auth's router). */
size_t request_query_count(const struct request *req, const char *name);

/* Epoch milliseconds now. */
int64_t request_now_ms(void);

#endif
