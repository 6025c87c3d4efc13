/*
 * test_json.c — the strict JSON reader (accepts, rejects, top-level kinds,
 * Extended JSON kept plain) and the JSON.stringify-compatible writer
 * (strings, dates, numbers as Number.prototype.toString prints them).
 * Expected outputs were produced with Node's JSON.stringify / String(n).
 */
#include "json.h"
#include "json_write.h"
#include "unit.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *
status_name(enum json_status st)
{
	switch (st) {
	case JSON_OK: return "OK";
	case JSON_SYNTAX: return "SYNTAX";
	case JSON_DUPLICATE_KEY: return "DUPLICATE_KEY";
	case JSON_TOO_DEEP: return "TOO_DEEP";
	case JSON_BAD_STRING: return "BAD_STRING";
	}
	return "?";
}

/* Parses s; returns the status, *kind, and the member count in *keys. */
static enum json_status
parse(const char *s, size_t len, enum json_kind *kind, uint32_t *keys)
{
	bson_t doc;
	enum json_status st;

	bson_init(&doc);
	*kind = (enum json_kind) - 1;
	st = json_parse(s, len, &doc, kind);
	*keys = bson_count_keys(&doc);
	bson_destroy(&doc);
	return st;
}

/* `depth` nested objects ({"a":{"a":…{}…}}) or arrays ([[…]]). */
static char *
nested(int depth, bool arrays)
{
	char *s = malloc((size_t)depth * 6 + 1), *p = s;
	int i;

	for (i = 0; i < depth; i++) {
		if (arrays) {
			*p++ = '[';
		} else if (i < depth - 1) {
			memcpy(p, "{\"a\":", 5);
			p += 5;
		} else {
			*p++ = '{';
		}
	}
	for (i = 0; i < depth; i++)
		*p++ = arrays ? ']' : '}';
	*p = '\0';
	return s;
}

static void
check_string(const char *in, size_t n, const char *want)
{
	bson_string_t *s = bson_string_new(NULL);

	json_write_string(s, in, n);
	CHECK_STR(s->str, want);
	bson_string_free(s, true);
}

static void
check_number(double v, const char *want)
{
	bson_string_t *s = bson_string_new(NULL);

	json_write_number(s, v);
	CHECK(!strcmp(s->str, want), "number %.17g: got \"%s\" want \"%s\"", v, s->str, want);
	bson_string_free(s, true);
}

static void
check_date(int64_t ms, const char *want)
{
	bson_string_t *s = bson_string_new(NULL);

	json_write_date(s, ms);
	CHECK(!strcmp(s->str, want), "date %lld: got %s want %s", (long long)ms, s->str, want);
	bson_string_free(s, true);
}

/* The JSON of a whole parsed object, written back. */
static void
check_roundtrip(const char *in, const char *want)
{
	bson_t doc;
	bson_iter_t it;
	enum json_kind kind;
	bson_string_t *s = bson_string_new("{");
	bool first = true;

	bson_init(&doc);
	CHECK(json_parse(in, strlen(in), &doc, &kind) == JSON_OK, "roundtrip parse %s", in);
	if (bson_iter_init(&it, &doc))
		while (bson_iter_next(&it)) {
			json_write_key(s, bson_iter_key(&it), first);
			json_write_value(s, &it);
			first = false;
		}
	bson_string_append_c(s, '}');
	CHECK_STR(s->str, want);
	bson_string_free(s, true);
	bson_destroy(&doc);
}

/* The type name of member key after parsing in. */
static void
check_type(const char *in, const char *key, const char *want)
{
	bson_t doc;
	bson_iter_t it;
	enum json_kind kind;

	bson_init(&doc);
	CHECK(json_parse(in, strlen(in), &doc, &kind) == JSON_OK && kind == JSON_OBJECT, "parse %s",
	      in);
	CHECK_STR(json_type_name(bson_iter_init_find(&it, &doc, key) ? &it : NULL), want);
	bson_destroy(&doc);
}

int
main(void)
{
	static const struct {
		const char *in;
		enum json_status st;
		int kind; /* -1: not checked (failures) */
		uint32_t keys;
	} rows[] = {
		/* accepted objects */
		{"{}", JSON_OK, JSON_OBJECT, 0},
		{" \t\r\n{ } \n", JSON_OK, JSON_OBJECT, 0},
		{"{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":false,\"e\":null}", JSON_OK, JSON_OBJECT,
	         5},
		{"{\"a\":{\"b\":{\"c\":[1,[2,{}]]}}}", JSON_OK, JSON_OBJECT, 1},
		{"{\"a\":-0.5e+3,\"b\":0,\"c\":-0,\"d\":1E2,\"e\":12.25}", JSON_OK, JSON_OBJECT, 5},
		{"{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", JSON_OK, JSON_OBJECT, 1},
		{"{\"A\":1,\"a\":2}", JSON_OK, JSON_OBJECT, 2}, /* keys are case-sensitive */
		{"{\"a\":[],\"b\":[1,1]}", JSON_OK, JSON_OBJECT, 2},
		{"{\"a\":\"\x7f\"}", JSON_OK, JSON_OBJECT, 1}, /* DEL is not a control char */
		/* other top-level kinds: OK, out stays empty */
		{"[]", JSON_OK, JSON_ARRAY, 0},
		{"[{\"a\":1},2]", JSON_OK, JSON_ARRAY, 0},
		{"null", JSON_OK, JSON_NULL, 0},
		{"\"s\"", JSON_OK, JSON_STRING, 0},
		{"1", JSON_OK, JSON_NUMBER, 0},
		{"-1.5e3", JSON_OK, JSON_NUMBER, 0},
		{"true", JSON_OK, JSON_BOOL, 0},
		{"false", JSON_OK, JSON_BOOL, 0},
		/* trailing data */
		{"{}{}", JSON_SYNTAX, -1, 0},
		{"{} x", JSON_SYNTAX, -1, 0},
		{"{\"a\":1}}", JSON_SYNTAX, -1, 0},
		{"[] []", JSON_SYNTAX, -1, 0},
		{"truex", JSON_SYNTAX, -1, 0},
		{"1 2", JSON_SYNTAX, -1, 0},
		/* duplicate keys */
		{"{\"a\":1,\"a\":2}", JSON_DUPLICATE_KEY, -1, 0},
		{"{\"a\":1,\"b\":2,\"a\":1}", JSON_DUPLICATE_KEY, -1, 0},
		{"{\"x\":{\"a\":1,\"a\":2}}", JSON_DUPLICATE_KEY, -1, 0},
		{"[{\"a\":1,\"a\":2}]", JSON_DUPLICATE_KEY, -1, 0},
		{"{\"\\u0061\":1,\"a\":2}", JSON_DUPLICATE_KEY, -1,
	         0}, /* same key after unescaping */
		/* strings: bad UTF-8, NUL, lone surrogates */
		{"{\"a\":\"\xff\"}", JSON_BAD_STRING, -1, 0},
		{"{\"a\":\"\x80\"}", JSON_BAD_STRING, -1, 0},             /* lone continuation */
		{"{\"a\":\"\xc3\"}", JSON_BAD_STRING, -1, 0},             /* truncated */
		{"{\"a\":\"\xc0\xaf\"}", JSON_BAD_STRING, -1, 0},         /* overlong '/' */
		{"{\"a\":\"\xe0\x80\xaf\"}", JSON_BAD_STRING, -1, 0},     /* overlong 3-byte */
		{"{\"a\":\"\xf0\x80\x80\xaf\"}", JSON_BAD_STRING, -1, 0}, /* overlong 4-byte */
		{"{\"a\":\"\xed\xa0\x80\"}", JSON_BAD_STRING, -1, 0},     /* UTF-8 encoded U+D800 */
		{"{\"a\":\"\xed\xbf\xbf\"}", JSON_BAD_STRING, -1, 0},     /* U+DFFF */
		{"{\"a\":\"\xf4\x90\x80\x80\"}", JSON_BAD_STRING, -1, 0}, /* > U+10FFFF */
		{"{\"a\":\"\xf5\x80\x80\x80\"}", JSON_BAD_STRING, -1, 0},
		{"{\"\xff\":1}", JSON_BAD_STRING, -1, 0}, /* in a key */
		{"{\"a\":\"\\u0000\"}", JSON_BAD_STRING, -1, 0},
		{"{\"\\u0000\":1}", JSON_BAD_STRING, -1, 0},
		{"{\"a\":\"\\ud800\"}", JSON_BAD_STRING, -1, 0},
		{"{\"a\":\"\\udc00\"}", JSON_BAD_STRING, -1, 0},
		{"{\"a\":\"\\ud800x\"}", JSON_BAD_STRING, -1, 0},
		{"{\"a\":\"\\ud800\\u0041\"}", JSON_BAD_STRING, -1, 0},
		{"{\"a\":\"\\ud800\\ud800\"}", JSON_BAD_STRING, -1, 0},
		{"{\"a\":\"\\udc00\\ud800\"}", JSON_BAD_STRING, -1, 0},
		{"{\"a\":\"\\ud800\\ud800\\udc00 padding\"}", JSON_BAD_STRING, -1, 0},
		/* valid multi-byte UTF-8 at the edges */
		{"{\"a\":"
	         "\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"}",
	         JSON_OK, JSON_OBJECT, 1},
		/* syntax */
		{"", JSON_SYNTAX, -1, 0},
		{"   ", JSON_SYNTAX, -1, 0},
		{"{", JSON_SYNTAX, -1, 0},
		{"{\"a\":}", JSON_SYNTAX, -1, 0},
		{"{'a':1}", JSON_SYNTAX, -1, 0},
		{"{a:1}", JSON_SYNTAX, -1, 0},
		{"{\"a\":01}", JSON_SYNTAX, -1, 0},
		{"{\"a\":-01}", JSON_SYNTAX, -1, 0},
		{"{\"a\":1,}", JSON_SYNTAX, -1, 0},
		{"{,}", JSON_SYNTAX, -1, 0},
		{"{\"a\":1,,\"b\":2}", JSON_SYNTAX, -1, 0},
		{"[1,]", JSON_SYNTAX, -1, 0},
		{"{\"a\":.5}", JSON_SYNTAX, -1, 0},
		{"{\"a\":1.}", JSON_SYNTAX, -1, 0},
		{"{\"a\":1e}", JSON_SYNTAX, -1, 0},
		{"{\"a\":+1}", JSON_SYNTAX, -1, 0},
		{"{\"a\":-}", JSON_SYNTAX, -1, 0},
		{"{\"a\":NaN}", JSON_SYNTAX, -1, 0},
		{"{\"a\":Infinity}", JSON_SYNTAX, -1, 0},
		{"{\"a\":0x10}", JSON_SYNTAX, -1, 0},
		{"{\"a\":tru}", JSON_SYNTAX, -1, 0},
		{"{\"a\":nul}", JSON_SYNTAX, -1, 0},
		{"{\"a\":\"abc}", JSON_SYNTAX, -1, 0}, /* unterminated string */
		{"{\"a\":\"abc\\", JSON_SYNTAX, -1, 0},
		{"{\"a\":\"a\nb\"}", JSON_SYNTAX, -1, 0}, /* raw control chars */
		{"{\"a\":\"a\tb\"}", JSON_SYNTAX, -1, 0},
		{"{\"a\":\"\x01\"}", JSON_SYNTAX, -1, 0},
		{"{\"a\":\"\x1f\"}", JSON_SYNTAX, -1, 0},
		{"{\"a\":\"\\x41\"}", JSON_SYNTAX, -1, 0}, /* bad escapes */
		{"{\"a\":\"\\u12\"}", JSON_SYNTAX, -1, 0},
		{"{\"a\":\"\\u12G4\"}", JSON_SYNTAX, -1, 0},
		{"{\"a\":\"\\'\"}", JSON_SYNTAX, -1, 0},
		{"{\"a\" 1}", JSON_SYNTAX, -1, 0},
		{"{\"a\":1 \"b\":2}", JSON_SYNTAX, -1, 0},
		{"{\"a\":[1 2]}", JSON_SYNTAX, -1, 0},
		{"\xef\xbb\xbf{}", JSON_SYNTAX, -1, 0},     /* BOM */
		{"{\"a\":1}\x00", JSON_OK, JSON_OBJECT, 1}, /* strlen stops at the NUL */
		{"/* c */{}", JSON_SYNTAX, -1, 0},
	};
	enum json_kind kind;
	uint32_t keys;
	size_t i;
	char *deep, *big;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum json_status st = parse(rows[i].in, strlen(rows[i].in), &kind, &keys);

		CHECK(st == rows[i].st, "row %zu %s: status %s want %s", i, rows[i].in,
		      status_name(st), status_name(rows[i].st));
		if (rows[i].kind >= 0)
			CHECK((int)kind == rows[i].kind, "row %zu %s: kind %d want %d", i,
			      rows[i].in, (int)kind, rows[i].kind);
		CHECK(keys == rows[i].keys, "row %zu %s: %u keys want %u", i, rows[i].in, keys,
		      rows[i].keys);
	}

	/* An embedded NUL inside the given length is not JSON. */
	CHECK(parse("{}\0", 3, &kind, &keys) == JSON_SYNTAX, "NUL after the value");
	CHECK(parse("{\"a\":\"x\0y\"}", 11, &kind, &keys) == JSON_SYNTAX, "raw NUL in a string");
	/* Only len bytes are read. */
	CHECK(parse("{}garbage", 2, &kind, &keys) == JSON_OK && kind == JSON_OBJECT, "len bound");
	CHECK(parse("{\"a\":12", 6, &kind, &keys) == JSON_SYNTAX, "cut short");

	/* Depth: JSON_MAX_DEPTH levels pass, one more does not. */
	deep = nested(JSON_MAX_DEPTH, false);
	CHECK(parse(deep, strlen(deep), &kind, &keys) == JSON_OK && keys == 1, "depth %d objects",
	      JSON_MAX_DEPTH);
	free(deep);
	deep = nested(JSON_MAX_DEPTH + 1, false);
	CHECK(parse(deep, strlen(deep), &kind, &keys) == JSON_TOO_DEEP && keys == 0,
	      "depth %d objects", JSON_MAX_DEPTH + 1);
	free(deep);
	deep = nested(JSON_MAX_DEPTH, true);
	CHECK(parse(deep, strlen(deep), &kind, &keys) == JSON_OK && kind == JSON_ARRAY,
	      "depth %d arrays", JSON_MAX_DEPTH);
	free(deep);
	deep = nested(JSON_MAX_DEPTH + 1, true);
	CHECK(parse(deep, strlen(deep), &kind, &keys) == JSON_TOO_DEEP, "depth %d arrays",
	      JSON_MAX_DEPTH + 1);
	free(deep);
	deep = nested(1000, true);
	CHECK(parse(deep, strlen(deep), &kind, &keys) == JSON_TOO_DEEP, "depth 1000 arrays");
	free(deep);

	/* Decoded values: unicode escapes and surrogate pairs become UTF-8. */
	{
		const char *in =
			"{\"s\":\"\\u00e9\\u20AC\\ud83d\\ude00\\uD834\\uDD1E\\u0041\xc3\xa9\","
			"\"esc\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"n\":-12.5,\"t\":true,"
			"\"z\":null,\"o\":{\"k\":[1,\"two\"]}}";
		bson_t doc;
		bson_iter_t it, child;
		uint32_t len;
		const char *v;

		bson_init(&doc);
		CHECK(json_parse(in, strlen(in), &doc, &kind) == JSON_OK && kind == JSON_OBJECT,
		      "decode sample");
		CHECK(bson_iter_init_find(&it, &doc, "s") && BSON_ITER_HOLDS_UTF8(&it),
		      "s is a string");
		v = bson_iter_utf8(&it, &len);
		CHECK(len == 16 && !memcmp(v,
		                           "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf0\x9d\x84\x9e"
		                           "A\xc3\xa9",
		                           16),
		      "s bytes (len %u)", len);
		CHECK(bson_iter_init_find(&it, &doc, "esc"), "esc present");
		v = bson_iter_utf8(&it, &len);
		CHECK(len == 8 && !memcmp(v, "\"\\/\b\f\n\r\t", 8), "escapes decode (len %u)", len);
		CHECK(bson_iter_init_find(&it, &doc, "n") && BSON_ITER_HOLDS_DOUBLE(&it) &&
		              bson_iter_double(&it) == -12.5,
		      "n = -12.5 as a double");
		CHECK(bson_iter_init_find(&it, &doc, "t") && BSON_ITER_HOLDS_BOOL(&it) &&
		              bson_iter_bool(&it),
		      "t = true");
		CHECK(bson_iter_init_find(&it, &doc, "z") && BSON_ITER_HOLDS_NULL(&it), "z = null");
		CHECK(bson_iter_init_find(&it, &doc, "o") && BSON_ITER_HOLDS_DOCUMENT(&it) &&
		              bson_iter_recurse(&it, &child) && bson_iter_find(&child, "k") &&
		              BSON_ITER_HOLDS_ARRAY(&child),
		      "o.k is an array");
		bson_destroy(&doc);
	}

	/* Members order is kept and everything writes back as JSON.stringify would. */
	check_roundtrip("{ \"b\" : 1 , \"a\" : [ 1.5 , \"x\" , { } , [ ] , null , false ] }",
	                "{\"b\":1,\"a\":[1.5,\"x\",{},[],null,false]}");
	check_roundtrip("{\"u\":\"\\u2028\\u0001/\",\"e\":1e21,\"f\":1E-7}",
	                "{\"u\":\"\xe2\x80\xa8\\u0001/\",\"e\":1e+21,\"f\":1e-7}");

	/* Number literals of any length (JSON.parse takes them). */
	big = malloc(1024);
	memset(big, '0', 1023);
	big[1023] = '\0';
	memcpy(big, "{\"n\":0.", 7);
	big[1021] = '5';
	big[1022] = '}';
	CHECK(parse(big, strlen(big), &kind, &keys) == JSON_OK && keys == 1, "1017-char number");
	memset(big, '9', 1023);
	memcpy(big, "{\"n\":", 5);
	big[1022] = '}';
	{
		bson_t doc;
		bson_iter_t it;

		bson_init(&doc);
		CHECK(json_parse(big, strlen(big), &doc, &kind) == JSON_OK &&
		              bson_iter_init_find(&it, &doc, "n") && isinf(bson_iter_double(&it)),
		      "1017-digit integer overflows to Infinity, as JSON.parse does");
		bson_destroy(&doc);
	}
	memcpy(big, "{\"n\":1", 6);
	memset(big + 6, '0', 600);
	memcpy(big + 606, "e-600}", 7);
	{
		bson_t doc;
		bson_iter_t it;

		bson_init(&doc);
		CHECK(json_parse(big, strlen(big), &doc, &kind) == JSON_OK &&
		              bson_iter_init_find(&it, &doc, "n") && bson_iter_double(&it) == 1.0,
		      "601-digit mantissa with e-600 is 1");
		bson_destroy(&doc);
	}
	free(big);
	{ /* 64 characters: the old fixed buffer's limit */
		const char *n64 =
			"{\"n\":-0.1234567890123456789012345678901234567890123456789012345678901}";

		CHECK(strlen(n64) == 6 + 64 && parse(n64, strlen(n64), &kind, &keys) == JSON_OK,
		      "64-char number");
	}

	/* Extended JSON stays plain: operators and $-wrappers are documents. */
	check_type("{\"email\":{\"$gt\":\"\"}}", "email", "object");
	check_type("{\"id\":{\"$oid\":\"507f1f77bcf86cd799439011\"}}", "id", "object");
	check_type("{\"d\":{\"$date\":1735689600000}}", "d", "object");
	check_type("{\"d\":{\"$date\":{\"$numberLong\":\"1\"}}}", "d", "object");
	check_type("{\"r\":{\"$regularExpression\":{\"pattern\":\".*\",\"options\":\"\"}}}", "r",
	           "object");
	check_type("{\"n\":{\"$numberInt\":\"5\"}}", "n", "object");
	check_type("{\"n\":{\"$numberDecimal\":\"5\"}}", "n", "object");
	check_type("{\"a\":[1]}", "a", "array");
	check_type("{\"a\":\"x\"}", "a", "string");
	check_type("{\"a\":1}", "a", "number");
	check_type("{\"a\":false}", "a", "boolean");
	check_type("{\"a\":null}", "a", "null");
	check_type("{\"a\":1}", "missing", "undefined");
	{
		bson_t doc;
		bson_iter_t it, sub;

		bson_init(&doc);
		CHECK(json_parse("{\"email\":{\"$gt\":\"\"}}", 20, &doc, &kind) == JSON_OK &&
		              bson_iter_init_find(&it, &doc, "email") &&
		              bson_iter_recurse(&it, &sub) && bson_iter_find(&sub, "$gt") &&
		              BSON_ITER_HOLDS_UTF8(&sub),
		      "$gt kept as a plain key holding a string");
		bson_destroy(&doc);
	}

	/* json_write_string: exactly JSON.stringify's escapes. */
	check_string("", 0, "\"\"");
	check_string("plain", 5, "\"plain\"");
	check_string("\"\\", 2, "\"\\\"\\\\\"");
	check_string("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"");
	check_string("\x01\x0b\x1f", 3, "\"\\u0001\\u000b\\u001f\"");
	check_string("\x00x", 2, "\"\\u0000x\"");
	check_string("\x1a\x1b\x1e", 3, "\"\\u001a\\u001b\\u001e\"");
	check_string("a/b", 3, "\"a/b\"");
	check_string("\x7f", 1, "\"\x7f\"");
	check_string("\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\xe2\x80\xa8\xe2\x80\xa9\"");
	check_string("\xc3\xa9\xf0\x9f\x98\x80", 6, "\"\xc3\xa9\xf0\x9f\x98\x80\"");
	check_string("<script>&'", 10, "\"<script>&'\"");
	check_string("ab\"cd", 3, "\"ab\\\"\""); /* n bounds the input */
	{
		bson_string_t *s = bson_string_new(NULL);

		json_write_key(s, "a", true);
		json_write_key(s, "b\"", false);
		CHECK_STR(s->str, "\"a\":,\"b\\\"\":");
		bson_string_free(s, true);
	}

	/* json_write_date: JSON.stringify(new Date(ms)), i.e. toISOString
	 * (expected values from Node). */
	{
		static const struct {
			int64_t ms;
			const char *want;
		} dates[] = {
			{1735689600000LL, "\"2025-01-01T00:00:00.000Z\""},
			{0, "\"1970-01-01T00:00:00.000Z\""},
			{1, "\"1970-01-01T00:00:00.001Z\""},
			{999, "\"1970-01-01T00:00:00.999Z\""},
			{-1, "\"1969-12-31T23:59:59.999Z\""},
			{-1000, "\"1969-12-31T23:59:59.000Z\""},
			{-86400001LL, "\"1969-12-30T23:59:59.999Z\""},
			{-62135596800000LL, "\"0001-01-01T00:00:00.000Z\""},
			{1795374066942LL, "\"2026-11-22T19:01:06.942Z\""},
			{951782400000LL, "\"2000-02-29T00:00:00.000Z\""},
			{253402300799999LL, "\"9999-12-31T23:59:59.999Z\""},
			/* Leap years: every 4th, not every 100th, every 400th (Node). */
			{951868799999LL, "\"2000-02-29T23:59:59.999Z\""},
			{951868800000LL, "\"2000-03-01T00:00:00.000Z\""},
			{4107456000000LL, "\"2100-02-28T00:00:00.000Z\""},
			{4107542400000LL, "\"2100-03-01T00:00:00.000Z\""},
			{-2203977600000LL, "\"1900-02-28T00:00:00.000Z\""},
			{-2208988800000LL, "\"1900-01-01T00:00:00.000Z\""},
			{68256000000LL, "\"1972-03-01T00:00:00.000Z\""},
			{1583020800000LL, "\"2020-03-01T00:00:00.000Z\""},
			{1767225599999LL, "\"2025-12-31T23:59:59.999Z\""},
			{32503680000000LL, "\"3000-01-01T00:00:00.000Z\""},
			{-30610224000000LL, "\"1000-01-01T00:00:00.000Z\""},
			/* 32-bit time_t edges. */
			{2147483647000LL, "\"2038-01-19T03:14:07.000Z\""},
			{2147483648000LL, "\"2038-01-19T03:14:08.000Z\""},
			{-2147483649000LL, "\"1901-12-13T20:45:51.000Z\""},
			/* Years outside 0..9999: toISOString's sign and six digits. */
			{-62135596800001LL, "\"0000-12-31T23:59:59.999Z\""},
			{-62167219200000LL, "\"0000-01-01T00:00:00.000Z\""},
			{-62167219200001LL, "\"-000001-12-31T23:59:59.999Z\""},
			{-62198755200000LL, "\"-000001-01-01T00:00:00.000Z\""},
			{-62198755200001LL, "\"-000002-12-31T23:59:59.999Z\""},
			{-210866760000000LL, "\"-004713-11-24T12:00:00.000Z\""},
			{-377705116800000LL, "\"-009999-01-01T00:00:00.000Z\""},
			{253402300800000LL, "\"+010000-01-01T00:00:00.000Z\""},
			{253402300800001LL, "\"+010000-01-01T00:00:00.001Z\""},
			/* The ends of the Date range, ±8.64e15 ms. */
			{8640000000000000LL, "\"+275760-09-13T00:00:00.000Z\""},
			{8639999999999999LL, "\"+275760-09-12T23:59:59.999Z\""},
			{-8640000000000000LL, "\"-271821-04-20T00:00:00.000Z\""},
			{-8639999999999999LL, "\"-271821-04-20T00:00:00.001Z\""},
			/* Beyond it JavaScript has no date; the year as printf's %04d, what the
			 * gmtime-based writer printed (its output for these values). */
			{8640000000000001LL, "\"275760-09-13T00:00:00.001Z\""},
			{-8640000000000001LL, "\"-271821-04-19T23:59:59.999Z\""},
			{100000000000000000LL, "\"3170843-11-07T09:46:40.000Z\""},
			{-100000000000000000LL, "\"-3166904-02-24T14:13:20.000Z\""},
			{INT64_MAX, "\"292278994-08-17T07:12:55.807Z\""},
			{INT64_MIN + 999, "\"-292275055-05-16T16:47:05.191Z\""},
			{INT64_MIN, "\"-292275055-05-16T16:47:04.192Z\""},
		};
		size_t d;

		for (d = 0; d < sizeof(dates) / sizeof(dates[0]); d++)
			check_date(dates[d].ms, dates[d].want);
	}
	{
		/* Appends: no NUL inside, the string grows past its first block. */
		bson_string_t *s = bson_string_new("x");
		int n;

		for (n = 0; n < 40; n++)
			json_write_date(s, 0);
		CHECK(s->len == 1 + 40 * 26 && strlen(s->str) == s->len, "40 dates: len %u",
		      s->len);
		CHECK(!strncmp(s->str + 1 + 39 * 26, "\"1970-01-01T00:00:00.000Z\"", 26),
		      "last date");
		bson_string_free(s, true);
	}

	/* json_write_number: Number.prototype.toString (values from Node). */
	check_number(0, "0");
	check_number(-0.0, "0");
	check_number(1, "1");
	check_number(-1, "-1");
	check_number(100, "100");
	check_number(1735689600000.0, "1735689600000");
	check_number(0.5, "0.5");
	check_number(-2.25, "-2.25");
	check_number(0.1, "0.1");
	check_number(0.1 + 0.2, "0.30000000000000004");
	check_number(1.0 / 3, "0.3333333333333333");
	check_number(12345.678, "12345.678");
	check_number(4.35, "4.35");
	check_number(1e21, "1e+21");
	check_number(-1e21, "-1e+21");
	check_number(1e20, "100000000000000000000");
	check_number(999999999999999900000.0, "999999999999999900000");
	check_number(123456789012345680000.0, "123456789012345680000");
	check_number(9007199254740992.0, "9007199254740992");
	check_number(9007199254740994.0, "9007199254740994");
	check_number(1e-7, "1e-7");
	check_number(1.5e-7, "1.5e-7");
	check_number(-1.5e-7, "-1.5e-7");
	check_number(0.000001, "0.000001");
	check_number(-0.000001, "-0.000001");
	check_number(0.0000015, "0.0000015");
	check_number(5e-324, "5e-324");
	check_number(1.7976931348623157e308, "1.7976931348623157e+308");
	check_number(1e301, "1e+301");
	check_number(ldexp(1, -44), "5.684341886080802e-14");
	/* Binade edges where the nearest 16-digit candidate does not read back
	 * but its neighbour does (found against Node). */
	check_number(ldexp(1, -1017), "7.120236347223045e-307");
	check_number(ldexp(1, -1007), "7.291122019556398e-304");
	check_number(NAN, "null");
	check_number(INFINITY, "null");
	check_number(-INFINITY, "null");

	UNIT_END();
}
