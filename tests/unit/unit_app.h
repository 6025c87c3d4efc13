/*
 * unit_app.h — requests through app.c's pipeline (app_serve_one) for the
 * unit tests of handlers, on the in-memory store of fake_db.h: a
 * configuration from a fixed environment (rate limit off, no hash cap), a
 * request built from a method, a URL, a cookie and a JSON body, and the
 * answer's status, headers, cookies and body picked out of the bytes the
 * web server would get.
 */
#ifndef UNIT_APP_H
#define UNIT_APP_H

#include "app.h"
#include "config.h"
#include "crypto.h"
#include "fake_db.h"
#include "log.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_APP_ORIGIN "http://127.0.0.1:8080"

static struct config unit_app_cfg;
/* One more parameter for the next requests ("FCGI_ROLE=AUTHORIZER"), or NULL. */
static const char *unit_app_extra;

/* The configuration (extra: "NAME=value" strings, NULL-terminated, or
 * NULL) and the keyed HMAC; exits when either fails. */
static void
unit_app_init(const char *const *extra)
{
	char err[256];

	setenv("BETTER_AUTH_SECRET", "unit-test-secret-unit-test-secret-0123", 1);
	setenv("BETTER_AUTH_URL", UNIT_APP_ORIGIN, 1);
	setenv("BETTER_AUTH_RATE_LIMIT", "0", 1);
	setenv("FCGI_AUTH_HASH_SLOTS", "0", 1);
	setenv("FCGI_AUTH_LOG_LEVEL", "error", 1);
	for (; extra && *extra; extra++)
		putenv((char *)*extra);
	log_init("unit");
	config_cleanup(&unit_app_cfg);
	if (!config_load(&unit_app_cfg, err, sizeof(err)) ||
	    !crypto_init(unit_app_cfg.secret, unit_app_cfg.secret_len)) {
		fprintf(stderr, "unit_app: %s\n", err);
		exit(2);
	}
}

struct unit_app_body {
	const char *p;
	size_t left;
};

static size_t
unit_app_read(void *ctx, char *buf, size_t n)
{
	struct unit_app_body *b = ctx;

	n = n < b->left ? n : b->left;
	memcpy(buf, b->p, n);
	b->p += n;
	b->left -= n;
	return n;
}

/* Runs one request; the answer replaces what out held. cookie and json may
 * be NULL. Returns the status. */
static int
unit_app_call(const struct app_program *prog, const char *method, const char *url,
              const char *cookie, const char *json, bson_string_t *out)
{
	char m[32], u[512], ck[4096], cl[48];
	char *envp[] = {m,
	                u,
	                ck,
	                cl,
	                "CONTENT_TYPE=application/json",
	                "HTTP_ORIGIN=" UNIT_APP_ORIGIN,
	                "REMOTE_ADDR=127.0.0.1",
	                "HTTP_USER_AGENT=unit",
	                (char *)unit_app_extra,
	                NULL};
	struct unit_app_body body = {json ? json : "", json ? strlen(json) : 0};
	int status = 0;

	snprintf(m, sizeof m, "REQUEST_METHOD=%s", method);
	snprintf(u, sizeof u, "REQUEST_URI=%s", url);
	snprintf(ck, sizeof ck, cookie ? "HTTP_COOKIE=%s" : "X_NO_COOKIE=%s", cookie ? cookie : "");
	snprintf(cl, sizeof cl, "CONTENT_LENGTH=%zu", body.left);
	bson_string_truncate(out, 0);
	app_serve_one(&unit_app_cfg, prog, envp, unit_app_read, &body, out);
	if (sscanf(out->str, "Status: %d", &status) != 1)
		status = -1;
	return status;
}

/* The first header line of out that begins with prefix (any case), or
 * NULL. */
static const char *
unit_app_line(const bson_string_t *out, const char *prefix)
{
	const char *p = out->str, *end = strstr(out->str, "\r\n\r\n");

	for (; p && end && p < end; p = strstr(p, "\r\n") + 2)
		if (!strncasecmp(p, prefix, strlen(prefix)))
			return p;
	return NULL;
}

/* A header's value (the first one of name) into buf; false when absent. */
static bool
unit_app_header(const bson_string_t *out, const char *name, char *buf, size_t len)
{
	char prefix[128];
	const char *p;

	snprintf(prefix, sizeof prefix, "%s: ", name);
	buf[0] = '\0';
	if (!(p = unit_app_line(out, prefix)))
		return false;
	p += strlen(prefix);
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\r"), p);
	return true;
}

/* The value the first Set-Cookie line for cookie name gives it ("" when it
 * expires it) into buf; false when none names it. */
static bool
unit_app_cookie(const bson_string_t *out, const char *name, char *buf, size_t len)
{
	char prefix[160];
	const char *p;

	snprintf(prefix, sizeof prefix, "Set-Cookie: %s=", name);
	buf[0] = '\0';
	if (!(p = unit_app_line(out, prefix)))
		return false;
	p += strlen(prefix);
	snprintf(buf, len, "%.*s", (int)strcspn(p, ";\r"), p);
	return true;
}

/* The body ("" when there is none). */
static const char *
unit_app_body(const bson_string_t *out)
{
	const char *p = strstr(out->str, "\r\n\r\n");

	return p ? p + 4 : "";
}

/* Checks a 503: Retry-After and Better Auth's body. */
#define CHECK_503(out, what)                                                                 \
	do {                                                                                 \
		char ra_[32];                                                                \
		CHECK(strncmp((out)->str, "Status: 503 ", 12) == 0, "%s: %.40s", what,       \
		      (out)->str);                                                           \
		CHECK(unit_app_header(out, "Retry-After", ra_, sizeof ra_) && atoi(ra_) > 0, \
		      "%s: Retry-After \"%s\"", what, ra_);                                  \
	} while (0)

#endif
