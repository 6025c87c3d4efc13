/*
 * test_origin.c — `new URL(x).origin` for http(s), the router-level origin
 * check of cookie-bearing requests, the sign-in/sign-up form-CSRF check
 * (Fetch Metadata) and callbackURL validation (Better Auth 1.7.25's
 * isSafeRelativeURL for paths, trusted origins for absolute URLs).
 */
#include "config.h"
#include "origin.h"
#include "url.h"
#include "request.h"
#include "response.h"
#include "unit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static char trusted1[] = "http://127.0.0.1:3000";
static char trusted2[] = "https://app.example.com";
static char trusted3[] = "http://[::1]:8080";

static struct config cfg;

static void
check_norm(const char *in, const char *want)
{
	char *got = url_origin(in, strlen(in));

	if (want)
		CHECK(got && !strcmp(got, want), "normalize(%s) = %s, want %s", in,
		      got ? got : "NULL", want);
	else
		CHECK(!got, "normalize(%s) = %s, want NULL", in, got);
	free(got);
}

/* A request with just the fields the checks read. */
static struct request
req_of(const char *method, const char *cookie, const char *origin, const char *referer,
       const char *site, const char *mode, const char *dest)
{
	struct request r;

	memset(&r, 0, sizeof(r));
	r.cfg = &cfg;
	r.method = method;
	r.cookie = cookie;
	r.origin = origin;
	r.referer = referer;
	r.sec_fetch_site = site;
	r.sec_fetch_mode = mode;
	r.sec_fetch_dest = dest;
	return r;
}

#define PASS (-1)

static const char *
err_name(int e)
{
	switch (e) {
	case PASS: return "pass";
	case ERR_MISSING_OR_NULL_ORIGIN: return "MISSING_OR_NULL_ORIGIN";
	case ERR_INVALID_ORIGIN: return "INVALID_ORIGIN";
	case ERR_CROSS_SITE_NAVIGATION: return "CROSS_SITE_NAVIGATION";
	default: return "other";
	}
}

struct row {
	const char *method, *cookie, *origin, *referer, *site, *mode, *dest;
	int want;
};

static void
run(const struct row *rows, size_t n, bool form)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct request r =
			req_of(rows[i].method, rows[i].cookie, rows[i].origin, rows[i].referer,
		               rows[i].site, rows[i].mode, rows[i].dest);
		enum response_error err = ERR__COUNT;
		bool ok = form ? origin_check_form(&r, &err) : origin_check(&r, &err);
		int got = ok ? PASS : (int)err;

		CHECK(got == rows[i].want && (ok || err != ERR__COUNT),
		      "%s row %zu (%s cookie=%s origin=%s referer=%s site=%s mode=%s dest=%s): %s "
		      "want %s",
		      form ? "form" : "check", i, rows[i].method,
		      rows[i].cookie ? rows[i].cookie : "-", rows[i].origin ? rows[i].origin : "-",
		      rows[i].referer ? rows[i].referer : "-", rows[i].site ? rows[i].site : "-",
		      rows[i].mode ? rows[i].mode : "-", rows[i].dest ? rows[i].dest : "-",
		      err_name(got), err_name(rows[i].want));
	}
}

static void
check_cb(const char *url, bool want)
{
	struct request r = req_of("POST", NULL, NULL, NULL, NULL, NULL, NULL);

	CHECK(origin_callback_ok(&r, url, strlen(url)) == want, "callback_ok(%s) want %d", url,
	      want);
}

int
main(void)
{
	static const struct row checks[] = {
		/* safe methods are never checked */
		{"GET", "a=1", "https://evil.example", NULL, NULL, NULL, NULL, PASS},
		{"HEAD", "a=1", NULL, NULL, NULL, NULL, NULL, PASS},
		{"OPTIONS", "a=1", "null", NULL, NULL, NULL, NULL, PASS},
		/* no Cookie header: not checked */
		{"POST", NULL, NULL, NULL, NULL, NULL, NULL, PASS},
		{"POST", NULL, "https://evil.example", NULL, NULL, NULL, NULL, PASS},
		{"POST", NULL, "null", NULL, NULL, NULL, NULL, PASS},
		/* any Cookie header, even an unrelated or empty one */
		{"POST", "a=1", NULL, NULL, NULL, NULL, NULL, ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", "", NULL, NULL, NULL, NULL, NULL, ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", "a=1", "", "", NULL, NULL, NULL, ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", "a=1", "null", NULL, NULL, NULL, NULL, ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", "a=1", "null", "http://127.0.0.1:3000/", NULL, NULL, NULL,
	         ERR_MISSING_OR_NULL_ORIGIN}, /* Origin wins over Referer */
		{"POST", "a=1", "null", NULL, "same-origin", NULL, NULL, PASS},
		{"POST", "a=1", "null", NULL, "same-site", NULL, NULL, ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", "a=1", "null", NULL, "cross-site", NULL, NULL, ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", "a=1", NULL, "null", "same-origin", NULL, NULL,
	         ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", "a=1", NULL, "null", NULL, NULL, NULL, ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", "a=1", "https://evil.example", NULL, NULL, NULL, NULL, ERR_INVALID_ORIGIN},
		{"POST", "a=1", "http://127.0.0.1:3001", NULL, NULL, NULL, NULL,
	         ERR_INVALID_ORIGIN},
		{"POST", "a=1", "https://127.0.0.1:3000", NULL, NULL, NULL, NULL,
	         ERR_INVALID_ORIGIN},
		{"POST", "a=1", "http://localhost:3000", NULL, NULL, NULL, NULL,
	         ERR_INVALID_ORIGIN},
		{"POST", "a=1", "garbage", NULL, NULL, NULL, NULL, ERR_INVALID_ORIGIN},
		{"POST", "a=1", "http://127.0.0.1:3000.evil.example", NULL, NULL, NULL, NULL,
	         ERR_INVALID_ORIGIN},
		{"POST", "a=1", "http://127.0.0.1:3000@evil.example", NULL, NULL, NULL, NULL,
	         ERR_INVALID_ORIGIN},
		{"POST", "a=1", "https://evil.example", "http://127.0.0.1:3000/", NULL, NULL, NULL,
	         ERR_INVALID_ORIGIN}, /* a trusted Referer does not rescue a foreign Origin */
		{"POST", "a=1", "http://127.0.0.1:3000", NULL, NULL, NULL, NULL, PASS},
		{"POST", "a=1", "http://127.0.0.1:3000", "https://evil.example/", NULL, NULL, NULL,
	         PASS},
		{"POST", "a=1", "HTTP://127.0.0.1:3000/", NULL, NULL, NULL, NULL, PASS},
		{"POST", "a=1", "https://app.example.com", NULL, NULL, NULL, NULL, PASS},
		{"POST", "a=1", "https://APP.example.com:443", NULL, NULL, NULL, NULL, PASS},
		{"POST", "a=1", "http://[::1]:8080", NULL, NULL, NULL, NULL, PASS},
		{"POST", "a=1", NULL, "http://127.0.0.1:3000/login?x=1#y", NULL, NULL, NULL, PASS},
		{"POST", "a=1", "", "http://127.0.0.1:3000/login", NULL, NULL, NULL, PASS},
		{"POST", "a=1", NULL, "https://evil.example/http://127.0.0.1:3000", NULL, NULL,
	         NULL, ERR_INVALID_ORIGIN},
		{"PUT", "a=1", NULL, NULL, NULL, NULL, NULL, ERR_MISSING_OR_NULL_ORIGIN},
		{"DELETE", "a=1", "https://evil.example", NULL, NULL, NULL, NULL,
	         ERR_INVALID_ORIGIN},
	};
	static const struct row forms[] = {
		/* nothing at all (curl, servers): no check */
		{"POST", NULL, NULL, NULL, NULL, NULL, NULL, PASS},
		/* cookie-bearing requests were checked by origin_check already */
		{"POST", "a=1", "https://evil.example", NULL, "cross-site", "navigate", NULL, PASS},
		/* Fetch Metadata present */
		{"POST", NULL, "https://evil.example", NULL, "cross-site", "navigate", "document",
	         ERR_CROSS_SITE_NAVIGATION},
		{"POST", NULL, NULL, NULL, "cross-site", "navigate", NULL,
	         ERR_CROSS_SITE_NAVIGATION},
		{"POST", NULL, "http://127.0.0.1:3000", NULL, "cross-site", "navigate", NULL,
	         ERR_CROSS_SITE_NAVIGATION},
		{"POST", NULL, "https://evil.example", NULL, "cross-site", "cors", NULL,
	         ERR_INVALID_ORIGIN},
		{"POST", NULL, NULL, NULL, "cross-site", "cors", NULL, ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", NULL, NULL, NULL, "same-origin", NULL, NULL, ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", NULL, NULL, NULL, "same-origin", "cors", "empty",
	         ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", NULL, NULL, NULL, NULL, "navigate", NULL, ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", NULL, NULL, NULL, NULL, NULL, "document", ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", NULL, "http://127.0.0.1:3000", NULL, "same-origin", "cors", "empty", PASS},
		{"POST", NULL, NULL, "http://127.0.0.1:3000/sign-in", "same-origin", "navigate",
	         NULL, PASS},
		{"POST", NULL, "https://evil.example", NULL, "same-site", "cors", NULL,
	         ERR_INVALID_ORIGIN},
		{"POST", NULL, "null", NULL, "same-origin", "cors", NULL, PASS},
		{"POST", NULL, "null", NULL, "cross-site", "cors", NULL,
	         ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", NULL, "null", NULL, "none", NULL, NULL, ERR_MISSING_OR_NULL_ORIGIN},
		/* blank Fetch Metadata does not count (site.trim()) */
		{"POST", NULL, NULL, NULL, "", "", "", PASS},
		{"POST", NULL, NULL, NULL, " ", NULL, NULL, PASS},
		{"POST", NULL, "https://evil.example", NULL, "", NULL, NULL, ERR_INVALID_ORIGIN},
		/* no Fetch Metadata, but an Origin or Referer: must be trusted */
		{"POST", NULL, "https://evil.example", NULL, NULL, NULL, NULL, ERR_INVALID_ORIGIN},
		{"POST", NULL, NULL, "https://evil.example/page", NULL, NULL, NULL,
	         ERR_INVALID_ORIGIN},
		{"POST", NULL, "null", NULL, NULL, NULL, NULL, ERR_MISSING_OR_NULL_ORIGIN},
		{"POST", NULL, "http://127.0.0.1:3000", NULL, NULL, NULL, NULL, PASS},
		{"POST", NULL, NULL, "http://127.0.0.1:3000/x", NULL, NULL, NULL, PASS},
		{"POST", NULL, "", "", NULL, NULL, NULL, PASS},
	};

	cfg.origins[0] = trusted1;
	cfg.origins[1] = trusted2;
	cfg.origins[2] = trusted3;
	cfg.n_origins = 3;

	/* url_origin */
	check_norm("http://127.0.0.1:3000/path?x", "http://127.0.0.1:3000");
	check_norm("http://127.0.0.1:3000", "http://127.0.0.1:3000");
	check_norm("HTTP://EXAMPLE.com:80/", "http://example.com");
	check_norm("http://example.com:443/", "http://example.com:443");
	check_norm("https://a.b:443", "https://a.b");
	check_norm("https://a.b:80", "https://a.b:80");
	check_norm("HtTpS://A.B:0443/x", "https://a.b");
	check_norm("http://a.b:08080", "http://a.b:8080");
	check_norm("http://a.b:/x", "http://a.b");
	check_norm("http://a.b:0", "http://a.b:0");
	check_norm("http://a.b:65535", "http://a.b:65535");
	check_norm("http://user:pass@a.b:81/x", "http://a.b:81");
	check_norm("http://u@v@a.b/", "http://a.b");
	check_norm("http://a.b?q=1", "http://a.b");
	check_norm("http://a.b#frag", "http://a.b");
	check_norm("http://a.b\\x", "http://a.b");
	check_norm("http://evil.example\\@127.0.0.1:3000", "http://evil.example");
	check_norm("http://[::1]:8080/x", "http://[::1]:8080");
	check_norm("http://[::1]", "http://[::1]");
	check_norm("http://[::1]:80", "http://[::1]");
	check_norm("http://[::1]x", NULL);
	check_norm("http://[::1", NULL);
	check_norm("ftp://x", NULL);
	check_norm("javascript:alert(1)", NULL);
	check_norm("file:///etc/passwd", NULL);
	check_norm("//x", NULL);
	check_norm("/x", NULL);
	check_norm("http:/x", NULL);
	check_norm("http://", NULL);
	check_norm("http://:80", NULL);
	check_norm("http://user@", NULL);
	check_norm("http://a.b:70000", NULL);
	check_norm("http://a.b:65536", NULL);
	check_norm("http://a.b:99999999999999999999", NULL);
	check_norm("http://a.b:8x", NULL);
	check_norm("http://a.b:-1", NULL);
	check_norm("http://a b", NULL);
	check_norm("http://a<b", NULL);
	check_norm("http://a\x01"
	           "b",
	           NULL);
	check_norm("", NULL);
	check_norm("null", NULL);
	{
		/* Only n bytes are read. */
		char *got = url_origin("http://a.b:80xyz", 13);

		CHECK_STR(got, "http://a.b");
		free(got);
	}

	run(checks, sizeof(checks) / sizeof(checks[0]), false);
	run(forms, sizeof(forms) / sizeof(forms[0]), true);

	/* callbackURL: safe relative paths */
	check_cb("/dashboard", true);
	check_cb("/", true);
	check_cb("/a/b-c_d.e+f@g", true);
	check_cb("/dashboard?x=1&y=%2F", true); /* encoded slashes only matter in the path */
	check_cb("/dashboard#%5c", true);
	check_cb("/a?b=%5C", true);
	check_cb("/caf\xc3\xa9", true);
	check_cb("/a%20b", true);
	check_cb("/%2e%2e/x", true);
	check_cb("//evil.com", false);
	check_cb("//", false);
	check_cb("/\\evil", false);
	check_cb("/a\\b", false);
	check_cb("/a?b=\\", false);
	check_cb("/a%2Fb", false);
	check_cb("/a%2fb", false);
	check_cb("/%2F/evil.com", false);
	check_cb("/a%5c", false);
	check_cb("/a%5Cb", false);
	check_cb("/a\r\nX: y", false);
	check_cb("/a\tb", false);
	check_cb("/a\x7f", false);
	check_cb("/a?x=\n", false);
	check_cb("/a\xc2\x85", false); /* C1 control U+0085 */
	check_cb("/a\xc2\x9f", false);
	check_cb("/a\xc2\xa0", true); /* U+00A0 is not a control */
	check_cb("", false);
	check_cb("dashboard", false);
	check_cb("./x", false);
	/* absolute URLs: trusted origins only */
	check_cb("http://127.0.0.1:3000/dashboard", true);
	check_cb("http://127.0.0.1:3000", true);
	check_cb("https://app.example.com/x?y=1", true);
	check_cb("HTTPS://APP.EXAMPLE.COM:443/", true);
	check_cb("https://evil.example/x", false);
	check_cb("http://127.0.0.1:3001/", false);
	check_cb("https://127.0.0.1:3000/", false);
	check_cb("http://127.0.0.1:3000.evil.example/", false);
	check_cb("http://evil.example\\@127.0.0.1:3000/", false);
	check_cb("http://127.0.0.1:3000/a\r\nX: y", false);
	check_cb("http://127.0.0.1:3000/a\nb", false);
	check_cb("javascript:alert(1)", false);
	check_cb("\\\\evil.com", false);
	{
		/* Only n bytes are read. */
		struct request r = req_of("POST", NULL, NULL, NULL, NULL, NULL, NULL);

		CHECK(origin_callback_ok(&r, "/ok\r\n", 3), "callback n bound");
		CHECK(!origin_callback_ok(&r, "//ok", 2), "callback n bound //");
	}

	UNIT_END();
}
