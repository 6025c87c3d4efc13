/*
 * request.c — see request.h.
 */
#include "request.h"

#include "config.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *
param(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static int
param_count(char **envp, const char *name)
{
	size_t n = strlen(name);
	int count = 0;

	for (; envp && *envp; envp++)
		count += !strncmp(*envp, name, n) && (*envp)[n] == '=';
	return count;
}

int64_t
request_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
header(struct request *req, char **envp, const char *name)
{
	const char *v = param(envp, name);

	if (v && strlen(v) > REQUEST_HEADER_MAX) {
		req->header_too_large = true;
		return NULL;
	}
	return v;
}

void
request_init(struct request *req, const struct config *cfg, char **envp, request_read_fn read,
             void *ctx)
{
	const char *uri, *q, *cl;
	char *end;
	unsigned long long len;
	size_t got = 0, n;

	memset(req, 0, sizeof(*req));
	req->cfg = cfg;
	req->now_ms = request_now_ms();
	req->method = param(envp, "REQUEST_METHOD");
	if (!req->method)
		req->method = "";
	uri = header(req, envp, "REQUEST_URI");
	if (!uri) /* plain CGI under servers that do not set it */
		uri = param(envp, "SCRIPT_NAME");
	if (!uri)
		uri = "";
	/* An absolute-form target (RFC 9112 3.2.2), which Apache passes on as
	 * REQUEST_URI unchanged: route on its path. */
	if (uri[0] != '/' && (q = strstr(uri, "://")) && !memchr(uri, '/', (size_t)(q - uri)))
		uri = q + 3 + strcspn(q + 3, "/?");
	q = strchr(uri, '?');
	req->path = q ? xstrndup(uri, (size_t)(q - uri)) : xstrdup(uri);
	req->query = q ? q + 1 : NULL;
	req->content_type = header(req, envp, "CONTENT_TYPE");
	req->cookie = header(req, envp, "HTTP_COOKIE");
	req->origin = header(req, envp, "HTTP_ORIGIN");
	req->referer = header(req, envp, "HTTP_REFERER");
	req->sec_fetch_site = header(req, envp, "HTTP_SEC_FETCH_SITE");
	req->sec_fetch_mode = header(req, envp, "HTTP_SEC_FETCH_MODE");
	req->sec_fetch_dest = header(req, envp, "HTTP_SEC_FETCH_DEST");
	req->user_agent = header(req, envp, "HTTP_USER_AGENT");
	req->remote_addr = param(envp, "REMOTE_ADDR");
	req->forwarded_for = header(req, envp, "HTTP_X_FORWARDED_FOR");
	req->forwarded_for_repeated = param_count(envp, "HTTP_X_FORWARDED_FOR") > 1;
	req->role = param(envp, "FCGI_ROLE");
	req->request_id = header(req, envp, "UNIQUE_ID");
	req->require_role = param(envp, "FCGI_AUTH_REQUIRE_ROLE");

	cl = param(envp, "CONTENT_LENGTH");
	if (!cl || !*cl)
		return;
	len = strtoull(cl, &end, 10);
	if (*end || len == 0)
		return;
	req->has_body = true;
	if (len > cfg->max_body) {
		req->body_too_large = true;
		return;
	}
	req->body = xmalloc((size_t)len + 1);
	while (got < len && (n = read(ctx, req->body + got, (size_t)len - got)) > 0)
		got += n;
	req->body[got] = '\0';
	req->body_len = got;
}

void
request_cleanup(struct request *req)
{
	free(req->path);
	free(req->body);
	memset(req, 0, sizeof(*req));
}

/* The first name=value segment of name at or after p: its raw value (length
 * *len), or NULL; *rest is where the search goes on. */
static const char *
request_query_find(const char *p, const char *name, size_t *len, const char **rest)
{
	size_t n = strlen(name);

	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t seg = amp ? (size_t)(amp - p) : strlen(p);

		if (seg >= n && !strncmp(p, name, n) && (seg == n || p[n] == '=')) {
			const char *v = seg == n ? p + n : p + n + 1;

			*len = seg - (size_t)(v - p);
			*rest = amp ? amp + 1 : NULL;
			return v;
		}
		p = amp ? amp + 1 : NULL;
	}
	*len = 0;
	*rest = NULL;
	return NULL;
}

const char *
request_query_param(const struct request *req, const char *name, size_t *len)
{
	const char *rest;

	return request_query_find(req->query, name, len, &rest);
}

size_t
request_query_count(const struct request *req, const char *name)
{
	const char *p = req->query;
	size_t n = 0, len;

	while (request_query_find(p, name, &len, &p))
		n++;
	return n;
}
