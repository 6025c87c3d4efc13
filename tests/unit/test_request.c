/*
 * test_request.c — request_init (lib/request.c): the params it types, the
 * path and query split, absolute-form targets routed on their path, the
 * body read under FCGI_AUTH_MAX_BODY (413 flag above, nothing allocated),
 * a header above REQUEST_HEADER_MAX (431 flag, value dropped), a repeated
 * X-Forwarded-For, and request_query_param.
 */
#include "config.h"
#include "request.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

struct src {
	const char *p;
	size_t left;
};

static size_t
src_read(void *ctx, char *buf, size_t n)
{
	struct src *s = ctx;

	n = n < s->left ? n : s->left;
	memcpy(buf, s->p, n);
	s->p += n;
	s->left -= n;
	return n;
}

static struct config cfg = {.max_body = 16};

static void
init(struct request *req, char **envp, const char *body)
{
	struct src s = {body ? body : "", body ? strlen(body) : 0};

	request_init(req, &cfg, envp, src_read, &s);
}

static const struct {
	const char *uri, *path, *query;
} targets[] = {
	{"/api/auth/ok", "/api/auth/ok", NULL},
	{"/api/auth/ok?", "/api/auth/ok", ""},
	{"/api/auth/get-session?disableRefresh=1&x", "/api/auth/get-session", "disableRefresh=1&x"},
	/* absolute-form (RFC 9112 3.2.2), as Apache passes it on */
	{"http://example.com/api/auth/ok?a=1", "/api/auth/ok", "a=1"},
	{"https://example.com:8443/api/auth/ok", "/api/auth/ok", NULL},
	{"http://example.com", "", NULL},
	{"http://example.com?a", "", "a"},
	/* not absolute-form: a path containing "://", a relative one */
	{"/r?u=http://x/y", "/r", "u=http://x/y"},
	{"a/b://c", "a/b://c", NULL},
};

static const struct {
	const char *query, *name, *want; /* want NULL: absent */
} params[] = {
	{"a=1&b=&c&ab=2", "a", "1"},  {"a=1&b=&c&ab=2", "b", ""},     {"a=1&b=&c&ab=2", "c", ""},
	{"a=1&b=&c&ab=2", "ab", "2"}, {"a=1&b=&c&ab=2", "abc", NULL}, {"ab=2", "a", NULL},
	{"a=1&a=2", "a", "1"},        {"x=%41", "x", "%41"},          {"", "a", NULL},
};

int
main(void)
{
	struct request req;
	size_t i, len;
	char uri[600], big[REQUEST_HEADER_MAX + 32];
	const char *v;

	{
		char *envp[] = {"REQUEST_METHOD=POST",
		                "REQUEST_URI=/x",
		                "CONTENT_TYPE=application/json",
		                "HTTP_COOKIE=a=b",
		                "HTTP_ORIGIN=http://o",
		                "HTTP_REFERER=http://r/",
		                "HTTP_SEC_FETCH_SITE=same-origin",
		                "HTTP_SEC_FETCH_MODE=cors",
		                "HTTP_SEC_FETCH_DEST=empty",
		                "HTTP_USER_AGENT=ua",
		                "REMOTE_ADDR=192.0.2.1",
		                "HTTP_X_FORWARDED_FOR=5.6.7.8",
		                "FCGI_ROLE=RESPONDER",
		                "UNIQUE_ID=abc",
		                "FCGI_AUTH_REQUIRE_ROLE=admin",
		                "HTTP_COOKIEX=not-it",
		                NULL};

		init(&req, envp, NULL);
		CHECK_STR(req.method, "POST");
		CHECK_STR(req.content_type, "application/json");
		CHECK_STR(req.cookie, "a=b");
		CHECK_STR(req.origin, "http://o");
		CHECK_STR(req.referer, "http://r/");
		CHECK_STR(req.sec_fetch_site, "same-origin");
		CHECK_STR(req.sec_fetch_mode, "cors");
		CHECK_STR(req.sec_fetch_dest, "empty");
		CHECK_STR(req.user_agent, "ua");
		CHECK_STR(req.remote_addr, "192.0.2.1");
		CHECK_STR(req.forwarded_for, "5.6.7.8");
		CHECK(!req.forwarded_for_repeated, "one X-Forwarded-For");
		CHECK_STR(req.role, "RESPONDER");
		CHECK_STR(req.request_id, "abc");
		CHECK_STR(req.require_role, "admin");
		CHECK(!req.has_body && !req.body && !req.body_too_large && !req.header_too_large,
		      "no body, nothing too large");
		CHECK(req.now_ms > 1700000000000LL, "the clock");
		request_cleanup(&req);
	}
	{
		/* Near misses: a name's length with another first byte or last
		 * byte, a prefix, a name longer than any we read, no name, no
		 * '='. None is read; the real ones after them are. */
		char *envp[] = {"XTTP_COOKIE=no",
		                "HTTP_COOKIF=no",
		                "HTTP_COOKI=no",
		                "REMOTE_ADDRESS=no",
		                "HTTP_X_FORWARDED_FOR_AND_MORE_THAN_24=no",
		                "=no",
		                "HTTP_ORIGIN",
		                "HTTP_COOKIE=yes",
		                "REMOTE_ADDR=192.0.2.9",
		                "HTTP_ORIGIN=http://o",
		                NULL};

		init(&req, envp, NULL);
		CHECK_STR(req.cookie, "yes");
		CHECK_STR(req.remote_addr, "192.0.2.9");
		CHECK_STR(req.origin, "http://o");
		CHECK(!req.forwarded_for && !req.forwarded_for_repeated, "no X-Forwarded-For");
		CHECK(!req.user_agent && !req.role && !req.request_id, "nothing else read");
		request_cleanup(&req);
	}
	{
		char *envp[] = {NULL};

		init(&req, envp, NULL);
		CHECK_STR(req.method, "");
		CHECK_STR(req.path, "");
		CHECK(!req.cookie && !req.remote_addr && !req.role, "absent: NULL");
		request_cleanup(&req);
	}
	{
		char *envp[] = {"REQUEST_METHOD=GET", "SCRIPT_NAME=/cgi-bin/session", NULL};

		init(&req, envp, NULL);
		CHECK_STR(req.path, "/cgi-bin/session"); /* plain CGI without REQUEST_URI */
		request_cleanup(&req);
	}
	for (i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		char *envp[] = {uri, NULL};

		snprintf(uri, sizeof uri, "REQUEST_URI=%s", targets[i].uri);
		init(&req, envp, NULL);
		CHECK(!strcmp(req.path, targets[i].path), "%s: path \"%s\"", targets[i].uri,
		      req.path);
		CHECK(targets[i].query ? req.query && !strcmp(req.query, targets[i].query)
		                       : !req.query,
		      "%s: query \"%s\"", targets[i].uri, req.query ? req.query : "(null)");
		request_cleanup(&req);
	}

	/* The body: read whole up to the cap, short reads kept, above it flagged. */
	{
		static const struct {
			const char *length, *body;
			bool has_body, too_large;
			const char *want; /* NULL: nothing allocated */
		} bodies[] = {
			{"5", "hello", true, false, "hello"},
			{"16", "0123456789abcdef", true, false, "0123456789abcdef"}, /* = the cap */
			{"17", "0123456789abcdefg", true, true, NULL},               /* cap + 1 */
			{"99999999999999999999", "x", true, true, NULL},
			{"10", "abc", true, false, "abc"}, /* the client sent less */
			{"0", "", false, false, NULL},
			{"", "x", false, false, NULL},
			{"12x", "x", false, false, NULL},
		};
		char cl[64];

		for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
			char *envp[] = {"REQUEST_METHOD=POST", cl, NULL};

			snprintf(cl, sizeof cl, "CONTENT_LENGTH=%s", bodies[i].length);
			init(&req, envp, bodies[i].body);
			CHECK(req.has_body == bodies[i].has_body &&
			              req.body_too_large == bodies[i].too_large,
			      "length %s: has %d too large %d", bodies[i].length, req.has_body,
			      req.body_too_large);
			if (bodies[i].want)
				CHECK(req.body && req.body_len == strlen(bodies[i].want) &&
				              !strcmp(req.body, bodies[i].want),
				      "length %s: body \"%s\"", bodies[i].length,
				      req.body ? req.body : "(null)");
			else
				CHECK(!req.body && req.body_len == 0, "length %s: no body",
				      bodies[i].length);
			request_cleanup(&req);
		}
	}

	/* Header cap: REQUEST_HEADER_MAX bytes kept, one more is a 431. */
	{
		char *envp[] = {big, NULL};
		size_t pre = strlen("HTTP_COOKIE=");

		memcpy(big, "HTTP_COOKIE=", pre);
		memset(big + pre, 'c', REQUEST_HEADER_MAX);
		big[pre + REQUEST_HEADER_MAX] = '\0';
		init(&req, envp, NULL);
		CHECK(!req.header_too_large && req.cookie &&
		              strlen(req.cookie) == REQUEST_HEADER_MAX,
		      "at the cap: kept");
		request_cleanup(&req);
		big[pre + REQUEST_HEADER_MAX] = 'c';
		big[pre + REQUEST_HEADER_MAX + 1] = '\0';
		init(&req, envp, NULL);
		CHECK(req.header_too_large && !req.cookie, "above the cap: 431, dropped");
		request_cleanup(&req);
		memcpy(big, "REQUEST_URI=", strlen("REQUEST_URI="));
		init(&req, envp, NULL);
		CHECK(req.header_too_large, "a long REQUEST_URI: 431");
		request_cleanup(&req);
	}

	{
		char *envp[] = {"HTTP_X_FORWARDED_FOR=1.1.1.1", "HTTP_X_FORWARDED_FOR=2.2.2.2",
		                NULL};

		init(&req, envp, NULL);
		CHECK(req.forwarded_for_repeated, "two X-Forwarded-For params");
		CHECK_STR(req.forwarded_for, "1.1.1.1");
		request_cleanup(&req);
	}

	for (i = 0; i < sizeof params / sizeof params[0]; i++) {
		req.query = params[i].query;
		v = request_query_param(&req, params[i].name, &len);
		CHECK(params[i].want ? v && len == strlen(params[i].want) &&
		                               !strncmp(v, params[i].want, len)
		                     : !v && len == 0,
		      "%s in \"%s\": \"%.*s\"", params[i].name, params[i].query, v ? (int)len : 6,
		      v ? v : "(null)");
	}
	req.query = NULL;
	CHECK(!request_query_param(&req, "a", &len) && len == 0, "no query");
	CHECK(request_query_count(&req, "a") == 0, "no query: none");
	{
		static const struct {
			const char *query;
			size_t want;
		} counts[] = {
			{"callbackURL=/a", 1},
			{"callbackURL=/a&callbackURL=/b", 2},
			{"callbackURL&x=1&callbackURL=", 2},
			{"x=1&callbackURLs=/a&callbackURL=/b", 1},
			{"xcallbackURL=/a", 0},
			{"", 0},
		};

		for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
			req.query = counts[i].query;
			CHECK(request_query_count(&req, "callbackURL") == counts[i].want,
			      "callbackURL %zu times in \"%s\"", counts[i].want, counts[i].query);
		}
		req.query = NULL;
	}
	UNIT_END();
}
