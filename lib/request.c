/*
 * request.c — see request.h.
 */
#include "request.h"

#include "config.h"
#include "xalloc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The FastCGI parameters request_init reads. */
enum request_param {
	P_METHOD,
	P_URI,
	P_SCRIPT_NAME,
	P_CONTENT_TYPE,
	P_COOKIE,
	P_ORIGIN,
	P_REFERER,
	P_FETCH_SITE,
	P_FETCH_MODE,
	P_FETCH_DEST,
	P_USER_AGENT,
	P_REMOTE_ADDR,
	P_FORWARDED_FOR,
	P_ROLE,
	P_UNIQUE_ID,
	P_REQUIRE_ROLE,
	P_CONTENT_LENGTH,
	P_COUNT
};

#define REQUEST_PARAM(name)            \
	{                              \
		name, sizeof(name) - 1 \
	}
static const struct {
	const char *name;
	size_t len;
} request_params[P_COUNT] = {
	REQUEST_PARAM("REQUEST_METHOD"),
	REQUEST_PARAM("REQUEST_URI"),
	REQUEST_PARAM("SCRIPT_NAME"),
	REQUEST_PARAM("CONTENT_TYPE"),
	REQUEST_PARAM("HTTP_COOKIE"),
	REQUEST_PARAM("HTTP_ORIGIN"),
	REQUEST_PARAM("HTTP_REFERER"),
	REQUEST_PARAM("HTTP_SEC_FETCH_SITE"),
	REQUEST_PARAM("HTTP_SEC_FETCH_MODE"),
	REQUEST_PARAM("HTTP_SEC_FETCH_DEST"),
	REQUEST_PARAM("HTTP_USER_AGENT"),
	REQUEST_PARAM("REMOTE_ADDR"),
	REQUEST_PARAM("HTTP_X_FORWARDED_FOR"),
	REQUEST_PARAM("FCGI_ROLE"),
	REQUEST_PARAM("UNIQUE_ID"),
	REQUEST_PARAM("FCGI_AUTH_REQUIRE_ROLE"),
	REQUEST_PARAM("CONTENT_LENGTH"),
};

#define REQUEST_NAME_MAX 24 /* longer than every name in request_params */
#define REQUEST_SAME_LEN 6  /* more than the names of any one length */

/* request_params by name length: by_len[n] lists the indices of the names
 * of n bytes, then P_COUNT. Filled on first use. */
static const unsigned char (*request_by_len(void))[REQUEST_SAME_LEN]
{
	static unsigned char by_len[REQUEST_NAME_MAX][REQUEST_SAME_LEN];
	static bool filled;
	size_t i, n, k;

	if (!filled) {
		memset(by_len, P_COUNT, sizeof by_len);
		for (i = 0; i < P_COUNT; i++) {
			n = request_params[i].len;
			assert(n < REQUEST_NAME_MAX);
			for (k = 0; by_len[n][k] != P_COUNT; k++)
				;
			assert(k < REQUEST_SAME_LEN - 1);
			by_len[n][k] = (unsigned char)i;
		}
		filled = true;
	}
	return by_len;
}

/* One pass over envp: v[i] = the first value of request_params[i] (NULL
 * when absent); returns how many times HTTP_X_FORWARDED_FOR appeared.
 * (A lookup per name walked the whole environment seventeen times; then
 * each variable was compared with all seventeen names. Now only the names
 * of its length are candidates, their first byte tested before memcmp.) */
static int
request_scan(char **envp, const char *v[P_COUNT])
{
	const unsigned char(*by_len)[REQUEST_SAME_LEN] = request_by_len();
	int forwarded = 0;
	size_t i, k;

	memset(v, 0, P_COUNT * sizeof(*v));
	for (; envp && *envp; envp++) {
		const char *e = *envp, *eq = strchr(e, '=');
		size_t n;

		if (!eq || (n = (size_t)(eq - e)) >= REQUEST_NAME_MAX)
			continue;
		for (k = 0; (i = by_len[n][k]) != P_COUNT; k++)
			if (request_params[i].name[0] == e[0] &&
			    !memcmp(e, request_params[i].name, n))
				break;
		if (i == P_COUNT)
			continue;
		if (i == P_FORWARDED_FOR)
			forwarded++;
		if (!v[i])
			v[i] = eq + 1;
	}
	return forwarded;
}

int64_t
request_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A request header's value, NULL (and the request marked) when too large. */
static const char *
header(struct request *req, const char *v)
{
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
	const char *v[P_COUNT], *uri, *q, *cl;
	char *end;
	int forwarded;
	unsigned long long len;
	size_t got = 0, n;

	memset(req, 0, sizeof(*req));
	req->cfg = cfg;
	req->now_ms = request_now_ms();
	forwarded = request_scan(envp, v);
	req->method = v[P_METHOD] ? v[P_METHOD] : "";
	uri = header(req, v[P_URI]);
	if (!uri) /* plain CGI under servers that do not set it */
		uri = v[P_SCRIPT_NAME];
	if (!uri)
		uri = "";
	/* An absolute-form target (RFC 9112 3.2.2), which Apache passes on as
	 * REQUEST_URI unchanged: route on its path. */
	if (uri[0] != '/' && (q = strstr(uri, "://")) && !memchr(uri, '/', (size_t)(q - uri)))
		uri = q + 3 + strcspn(q + 3, "/?");
	q = strchr(uri, '?');
	req->path = q ? xstrndup(uri, (size_t)(q - uri)) : xstrdup(uri);
	req->query = q ? q + 1 : NULL;
	req->content_type = header(req, v[P_CONTENT_TYPE]);
	req->cookie = header(req, v[P_COOKIE]);
	req->origin = header(req, v[P_ORIGIN]);
	req->referer = header(req, v[P_REFERER]);
	req->sec_fetch_site = header(req, v[P_FETCH_SITE]);
	req->sec_fetch_mode = header(req, v[P_FETCH_MODE]);
	req->sec_fetch_dest = header(req, v[P_FETCH_DEST]);
	req->user_agent = header(req, v[P_USER_AGENT]);
	req->remote_addr = v[P_REMOTE_ADDR];
	req->forwarded_for = header(req, v[P_FORWARDED_FOR]);
	req->forwarded_for_repeated = forwarded > 1;
	req->role = v[P_ROLE];
	req->request_id = header(req, v[P_UNIQUE_ID]);
	req->require_role = v[P_REQUIRE_ROLE];

	cl = v[P_CONTENT_LENGTH];
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
