/*
 * test_log.c — lib/log.c: the text format unchanged by default; with
 * FCGI_AUTH_LOG_FORMAT=json one JSON object per line that our strict reader
 * (lib/json.c) accepts, its keys in the documented order, messages escaped
 * (quotes, backslashes, control characters, bytes that are not UTF-8) and
 * cut at a character boundary when too long; security events in both
 * formats; the request context. stderr is captured in a temporary file.
 */
#include "json.h"
#include "log.h"
#include "unit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char out[16384];
static int saved_fd = -1;
static FILE *tmp;

static void
capture(void)
{
	fflush(stderr);
	tmp = tmpfile();
	saved_fd = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
}

/* Ends the capture; out holds what was written. */
static const char *
captured(void)
{
	size_t n;

	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return out;
}

static void
init(const char *program, const char *level, const char *format)
{
	if (level)
		setenv("FCGI_AUTH_LOG_LEVEL", level, 1);
	else
		unsetenv("FCGI_AUTH_LOG_LEVEL");
	if (format)
		setenv("FCGI_AUTH_LOG_FORMAT", format, 1);
	else
		unsetenv("FCGI_AUTH_LOG_FORMAT");
	log_init(program);
}

/* Parses one JSON line (without its newline) and checks its keys are keys[]
 * in that order. */
static void
check_keys(const char *line, size_t n, const char *const *keys, const char *what)
{
	bson_t doc = BSON_INITIALIZER;
	enum json_kind kind;
	bson_iter_t it;
	size_t i = 0;
	bool order = true;

	CHECK(json_parse(line, n, &doc, &kind) == JSON_OK && kind == JSON_OBJECT,
	      "%s: not a JSON object: %.*s", what, (int)n, line);
	if (bson_iter_init(&it, &doc))
		while (bson_iter_next(&it)) {
			if (!keys[i] || strcmp(keys[i], bson_iter_key(&it)) != 0)
				order = false;
			if (keys[i])
				i++;
		}
	CHECK(order && keys[i] == NULL, "%s: keys out of order: %.*s", what, (int)n, line);
	bson_destroy(&doc);
}

/* The part of a JSON line after "time":"<24 characters>" — checked to be
 * an ISO date with milliseconds — or NULL. */
static const char *
after_time(const char *line)
{
	static const char head[] = "{\"time\":\"";
	const char *t = line + sizeof(head) - 1;
	size_t i;

	if (strncmp(line, head, sizeof(head) - 1) != 0)
		return NULL;
	for (i = 0; i < 24; i++) {
		char c = t[i], want = "0000-00-00T00:00:00.000Z"[i];

		if (want == '0' ? (c < '0' || c > '9') : c != want)
			return NULL;
	}
	return t[24] == '"' ? t + 25 : NULL;
}

static void
test_text_default(void)
{
	char want[256];

	init("test", NULL, NULL);
	capture();
	log_info("hello %d", 42);
	log_debug("not at info");
	log_warn("quote \" and tab\tstay as they were");
	captured();
	snprintf(want, sizeof want,
	         "fcgi-auth[test %ld] info: hello 42\n"
	         "fcgi-auth[test %ld] warn: quote \" and tab\tstay as they were\n",
	         (long)getpid(), (long)getpid());
	CHECK_STR(out, want);

	init("test", "debug", "text");
	capture();
	log_debug("now %s", "shown");
	captured();
	snprintf(want, sizeof want, "fcgi-auth[test %ld] debug: now shown\n", (long)getpid());
	CHECK_STR(out, want);

	init("test", "error", NULL);
	capture();
	log_warn("dropped");
	log_event(LOG_INFO, "sign_in_failed", NULL);
	log_error("kept");
	captured();
	snprintf(want, sizeof want, "fcgi-auth[test %ld] error: kept\n", (long)getpid());
	CHECK_STR(out, want);
}

static void
test_json_line(void)
{
	static const char *const keys[] = {"time",  "level",   "program", "pid",
	                                   "event", "message", NULL};
	char want[256];
	const char *rest;

	init("signin", NULL, "JSON");
	capture();
	log_info("hello %s", "world");
	captured();
	rest = after_time(out);
	snprintf(want, sizeof want,
	         ",\"level\":\"info\",\"program\":\"signin\",\"pid\":%ld,"
	         "\"event\":\"message\",\"message\":\"hello world\"}\n",
	         (long)getpid());
	CHECK(rest != NULL, "no time: %s", out);
	CHECK_STR(rest, want);
	check_keys(out, strlen(out) - 1, keys, "log_info");
}

/* The message of a one-line JSON capture, as written (escaped). */
static const char *
json_message(void)
{
	static char msg[8192];
	const char *p = strstr(out, "\"message\":\""), *end = out + strlen(out);

	msg[0] = '\0';
	if (!p || end - out < 3 || strcmp(end - 3, "\"}\n") != 0)
		return "(no message)";
	p += strlen("\"message\":\"");
	snprintf(msg, sizeof msg, "%.*s", (int)(end - 3 - p), p);
	return msg;
}

static void
test_json_escaping(void)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
		{"plain", "plain"},
		{"a\"b\\c/d", "a\\\"b\\\\c/d"},
		{"\n\r\t\b\f", "\\n\\r\\t\\b\\f"},
		{"\x01\x1f\x7f", "\\u0001\\u001f\\u007f"},
		{"caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80",
	         "caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80"},
		{"\xff", "\\ufffd"},
		{"a\xc3", "a\\ufffd"},                                /* cut sequence */
		{"\xc0\xaf", "\\ufffd\\ufffd"},                       /* overlong '/' */
		{"\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd"},            /* surrogate U+D800 */
		{"\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"}, /* above U+10FFFF */
		{"x\xe2\x82y", "x\\ufffd\\ufffdy"},
		{"}\n{\"level\":\"error\"",
	         "}\\n{\\\"level\\\":\\\"error\\\""}, /* no forged line */
	};
	static const char *const keys[] = {"time",  "level",   "program", "pid",
	                                   "event", "message", NULL};
	size_t i;

	init("test", NULL, "json");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		capture();
		log_warn("%s", rows[i].in);
		captured();
		CHECK_STR(json_message(), rows[i].want);
		CHECK(strchr(out, '\n') == out + strlen(out) - 1, "row %zu: not one line", i);
		check_keys(out, strlen(out) - 1, keys, rows[i].want);
	}
}

static void
test_json_event(void)
{
	static const char *const all[] = {"time",   "level",       "program", "pid",
	                                  "event",  "request_id",  "outcome", "client",
	                                  "status", "duration_ms", "message", NULL};
	static const char *const head[] = {"time", "level", "program", "pid", "event", NULL};
	static const char *const ctx[] = {"time",       "level",  "program", "pid", "event",
	                                  "request_id", "client", "message", NULL};
	struct log_fields f = {.outcome = "invalid_credentials",
	                       .status = 401,
	                       .duration_ms = 12.5,
	                       .message = "wrong password"};
	char want[512];

	init("signin", NULL, "json");
	log_request_begin("Zx8\"q", "203.0.113.7");
	capture();
	log_event(LOG_INFO, "sign_in_failed", &f);
	captured();
	check_keys(out, strlen(out) - 1, all, "event, all fields");
	snprintf(want, sizeof want,
	         ",\"level\":\"info\",\"program\":\"signin\",\"pid\":%ld,"
	         "\"event\":\"sign_in_failed\",\"request_id\":\"Zx8\\\"q\",\"outcome\":\"invalid_"
	         "credentials\","
	         "\"client\":\"203.0.113.7\",\"status\":401,\"duration_ms\":12.500,\"message\":"
	         "\"wrong password\"}\n",
	         (long)getpid());
	CHECK_STR(after_time(out), want);

	f.client = "198.51.100.1";
	capture();
	log_event(LOG_INFO, "sign_in_failed", &f);
	captured();
	CHECK(strstr(out, "\"client\":\"198.51.100.1\"") != NULL, "fields.client wins: %s", out);

	capture();
	log_info("inside the request");
	captured();
	check_keys(out, strlen(out) - 1, ctx, "log_info inside a request");

	log_request_end();
	capture();
	log_event(LOG_INFO, "sign_out", NULL);
	captured();
	check_keys(out, strlen(out) - 1, head, "event without fields");
	snprintf(want, sizeof want,
	         ",\"level\":\"info\",\"program\":\"signin\",\"pid\":%ld,\"event\":\"sign_out\"}\n",
	         (long)getpid());
	CHECK_STR(after_time(out), want);

	init("te\"st\x01", NULL, "json");
	capture();
	log_event(LOG_WARN, "rate_limited", &(struct log_fields){.status = 429});
	captured();
	CHECK(strstr(out, "\"program\":\"te\\\"st\\u0001\",") != NULL, "program escaped: %s", out);
	CHECK(strstr(out, "\"status\":429}\n") != NULL, "status last: %s", out);
}

/* A message too long for a line is cut at a character boundary, ends in
 * "...", and the line still parses. */
static void
test_json_cut(void)
{
	static const char *const keys[] = {"time",  "level",   "program", "pid",
	                                   "event", "message", NULL};
	static char big[20000];
	size_t n;

	init("test", NULL, "json");
	memset(big, '\x01', 1023); /* 6 bytes each once escaped: more than a line */
	big[1023] = '\0';
	capture();
	log_error("%s", big);
	captured();
	n = strlen(out);
	CHECK(n <= 4096 && n > 3000, "length %zu", n);
	CHECK(n > 8 && strcmp(out + n - 6, "...\"}\n") == 0, "cut line ends with ...: %s",
	      out + n - 12);
	check_keys(out, n - 1, keys, "cut message");

	/* an event's message is not bounded by the formatting buffer */
	memset(big, 0, sizeof big);
	for (n = 0; n + 2 < sizeof(big) - 1; n += 2)
		memcpy(big + n, "\xc3\xa9", 2);
	capture();
	log_event(LOG_INFO, "sign_up", &(struct log_fields){.message = big});
	captured();
	n = strlen(out);
	CHECK(n <= 4096 && strcmp(out + n - 6, "...\"}\n") == 0, "event cut: %zu", n);
	check_keys(out, n - 1, keys, "cut event");
}

static void
test_text_event(void)
{
	char want[512];

	init("signin", NULL, NULL);
	log_request_begin("req-1", "203.0.113.7");
	capture();
	log_event(LOG_INFO, "sign_in_failed",
	          &(struct log_fields){.outcome = "invalid_credentials",
	                               .status = 401,
	                               .duration_ms = 118.2041,
	                               .message = "two\nlines"});
	log_event(LOG_INFO, "rate_limited",
	          &(struct log_fields){.outcome = "a b\tc", .client = "x y"});
	captured();
	log_request_end();
	snprintf(want, sizeof want,
	         "fcgi-auth[signin %ld] info: sign_in_failed request_id=req-1 "
	         "outcome=invalid_credentials "
	         "client=203.0.113.7 status=401 duration_ms=118.204 two_lines\n"
	         "fcgi-auth[signin %ld] info: rate_limited request_id=req-1 outcome=a_b_c "
	         "client=x_y\n",
	         (long)getpid(), (long)getpid());
	CHECK_STR(out, want);

	capture();
	init("signin", NULL, "yaml"); /* the warning is logged by log_init itself */
	log_info("after");
	captured();
	CHECK(strstr(out, "warn: FCGI_AUTH_LOG_FORMAT must be text or json, got \"yaml\": using "
	                  "text\n") != NULL,
	      "%s", out);
	CHECK(strstr(out, "info: after\n") != NULL, "text when the format is unknown: %s", out);
}

int
main(void)
{
	test_text_default();
	test_json_line();
	test_json_escaping();
	test_json_event();
	test_json_cut();
	test_text_event();
	unsetenv("FCGI_AUTH_LOG_FORMAT");
	unsetenv("FCGI_AUTH_LOG_LEVEL");
	UNIT_END();
}
