/*
 * test_session_cache.c — the session_data cookie ("compact" strategy):
 * Better Auth's known-answer vector byte for byte, decoding with every way a
 * value can be stale, foreign, tampered with or malformed, and a non-ASCII
 * round trip.
 */
#include "crypto.h"
#include "json.h"
#include "json_write.h"
#include "model.h"
#include "session_cache.h"
#include "unit.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char secret[] = "test-secret-0123456789abcdefghijklmnop";
static const int64_t now = 1735689600000;
static const char token[] = "abcdefghijklmnopqrstuvwxyz012345";

static const char session_json[] =
	"{\"id\":\"sessionid0000000000000000000000A\",\"token\":"
	"\"abcdefghijklmnopqrstuvwxyz012345\","
	"\"userId\":\"userid00000000000000000000000000\",\"expiresAt\":\"2025-01-08T00:00:00."
	"000Z\","
	"\"createdAt\":\"2025-01-01T00:00:00.000Z\",\"updatedAt\":\"2025-01-01T00:00:00.000Z\","
	"\"ipAddress\":\"\",\"userAgent\":\"curl/7.88.1\"}";
static const char user_json[] =
	"{\"id\":\"userid00000000000000000000000000\",\"name\":\"Alice\",\"email\":\"alice@example."
	"com\","
	"\"emailVerified\":false,\"createdAt\":\"2025-01-01T00:00:00.000Z\","
	"\"updatedAt\":\"2025-01-01T00:00:00.000Z\"}";

/* tests/vectors/better-auth-test-vectors.txt, section (d). */
static const char vector[] =
	"eyJzZXNzaW9uIjp7InNlc3Npb24iOnsiaWQiOiJzZXNzaW9uaWQwMDAwMDAwMDAwMDAwMDAwMDAwMDAwQSIsInRva2"
	"VuIjoiYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowMTIzNDUiLCJ1c2VySWQiOiJ1c2VyaWQwMDAwMDAwMDAwMDAw"
	"MDAwMDAwMDAwMDAwMCIsImV4cGlyZXNBdCI6IjIwMjUtMDEtMDhUMDA6MDA6MDAuMDAwWiIsImNyZWF0ZWRBdCI6Ij"
	"IwMjUtMDEtMDFUMDA6MDA6MDAuMDAwWiIsInVwZGF0ZWRBdCI6IjIwMjUtMDEtMDFUMDA6MDA6MDAuMDAwWiIsImlw"
	"QWRkcmVzcyI6IiIsInVzZXJBZ2VudCI6ImN1cmwvNy44OC4xIn0sInVzZXIiOnsiaWQiOiJ1c2VyaWQwMDAwMDAwMD"
	"AwMDAwMDAwMDAwMDAwMDAwMCIsIm5hbWUiOiJBbGljZSIsImVtYWlsIjoiYWxpY2VAZXhhbXBsZS5jb20iLCJlbWFp"
	"bFZlcmlmaWVkIjpmYWxzZSwiY3JlYXRlZEF0IjoiMjAyNS0wMS0wMVQwMDowMDowMC4wMDBaIiwidXBkYXRlZEF0Ij"
	"oiMjAyNS0wMS0wMVQwMDowMDowMC4wMDBaIn0sInVwZGF0ZWRBdCI6MTczNTY4OTYwMDAwMCwidmVyc2lvbiI6IjEi"
	"fSwiZXhwaXJlc0F0IjoxNzM1Njg5OTAwMDAwLCJzaWduYXR1cmUiOiJCODh4MGNxNHVHWWJ5NnZtUXctelNQaXFhVy"
	"1OY1IweGgtek5LU3N4SXkwIn0";

/* Builds a value by hand from the payload text P (with its braces) and E,
 * signed with the current secret: an independent implementation of the
 * spec for forging payloads the encoder would never write. */
static char *
forge(const char *payload, const char *expires)
{
	bson_string_t *msg = bson_string_new(NULL), *doc = bson_string_new(NULL);
	unsigned char mac[CRYPTO_MAC_LEN];
	char sig[CRYPTO_MAC_LEN * 2], *out;

	bson_string_append_printf(msg, "%.*s,\"expiresAt\":%s}", (int)strlen(payload) - 1, payload,
	                          expires);
	crypto_hmac(msg->str, msg->len, mac);
	crypto_base64_encode(mac, sizeof mac, sig, true);
	bson_string_append_printf(doc, "{\"session\":%s,\"expiresAt\":%s,\"signature\":\"%s\"}",
	                          payload, expires, sig);
	out = malloc(crypto_base64_len(doc->len, true) + 1);
	crypto_base64_encode(doc->str, doc->len, out, true);
	bson_string_free(msg, true);
	bson_string_free(doc, true);
	return out;
}

/* Base64url of any text (for unsigned or malformed documents). */
static char *
b64(const char *text)
{
	char *out = malloc(crypto_base64_len(strlen(text), true) + 1);

	crypto_base64_encode(text, strlen(text), out, true);
	return out;
}

/* The standard payload text with its session and user objects swapped in. */
static char *
payload_with(const char *sess, const char *usr, const char *tail)
{
	bson_string_t *p = bson_string_new(NULL);

	bson_string_append_printf(p, "{\"session\":%s,\"user\":%s%s}", sess, usr, tail);
	return bson_string_free(p, false);
}

static const char *
get_utf8(const bson_t *doc, const char *key)
{
	bson_iter_t it;

	if (bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_UTF8(&it))
		return bson_iter_utf8(&it, NULL);
	return NULL;
}

static int fast_hits; /* cases session_cache_answer decided */

/* Decodes value; true when accepted. Checks that a refusal leaves both
 * outputs empty, even when they held something before, and that the fast
 * reader agrees: it may decline any value, but what it accepts the generic
 * reader accepts too, with the same get-session body. */
static bool
decode(const char *value, const char *tok, int64_t at, bson_t *s, bson_t *u)
{
	bson_string_t *fast = NULL, *want;
	bool ok;

	bson_reinit(s);
	bson_reinit(u);
	BSON_APPEND_UTF8(s, "stale", "x");
	BSON_APPEND_UTF8(u, "stale", "x");
	ok = session_cache_decode(value, tok, at, s, u);
	if (!ok)
		CHECK(bson_count_keys(s) == 0 && bson_count_keys(u) == 0,
		      "outputs emptied on refusal");
	if (session_cache_answer(value, value ? strlen(value) : 0, tok, at, &fast)) {
		fast_hits++;
		CHECK(ok, "the fast reader accepted what the generic one refused");
		want = bson_string_new("{\"session\":");
		model_write(want, s, model_session_cache_keys);
		bson_string_append(want, ",\"user\":");
		model_write(want, u, model_user_cache_keys);
		bson_string_append_c(want, '}');
		CHECK(fast && !strcmp(fast->str, want->str), "fast answer %s, generic %s",
		      fast ? fast->str : "(none)", want->str);
		bson_string_free(want, true);
	} else {
		CHECK(!fast, "a declined value left an answer");
	}
	if (fast)
		bson_string_free(fast, true);
	return ok;
}

static bool
try_forged(const char *payload, const char *expires, int64_t at)
{
	bson_t s = BSON_INITIALIZER, u = BSON_INITIALIZER;
	char *v = forge(payload, expires);
	bool ok = decode(v, token, at, &s, &u);

	free(v);
	bson_destroy(&s);
	bson_destroy(&u);
	return ok;
}

static bool
try_text(const char *text)
{
	bson_t s = BSON_INITIALIZER, u = BSON_INITIALIZER;
	char *v = b64(text);
	bool ok = decode(v, token, now, &s, &u);

	free(v);
	bson_destroy(&s);
	bson_destroy(&u);
	return ok;
}

int
main(void)
{
	bson_t s = BSON_INITIALIZER, u = BSON_INITIALIZER;
	bson_iter_t it;
	bson_string_t *name_json, *user2;
	char *value, *v, *p, *big;
	size_t i, n, flips_refused = 0;
	const char *tail = ",\"updatedAt\":1735689600000,\"version\":\"1\"";
	static const char name[] = "Zo\xc3\xab \xe2\x80\xa8 \"q\" \\ \x01 \xf0\x9f\x98\x80";

	CHECK(crypto_init(secret, strlen(secret)), "crypto_init");

	/* Encoding: the vector, byte for byte. */
	value = session_cache_encode(session_json, user_json, now, 300);
	CHECK_STR(value, vector);
	CHECK(session_cache_encode(NULL, user_json, now, 300) == NULL, "NULL session");

	/* Decoding the vector at +60 s. */
	CHECK(decode(vector, token, now + 60000, &s, &u), "vector decodes at +60 s");
	CHECK_STR(get_utf8(&s, "token"), token);
	CHECK_STR(get_utf8(&s, "id"), "sessionid0000000000000000000000A");
	CHECK_STR(get_utf8(&s, "expiresAt"), "2025-01-08T00:00:00.000Z");
	CHECK_STR(get_utf8(&s, "ipAddress"), "");
	CHECK(bson_count_keys(&s) == 8, "session has %u keys", bson_count_keys(&s));
	CHECK_STR(get_utf8(&u, "email"), "alice@example.com");
	CHECK_STR(get_utf8(&u, "name"), "Alice");
	CHECK(bson_iter_init_find(&it, &u, "emailVerified") && BSON_ITER_HOLDS_BOOL(&it) &&
	              !bson_iter_bool(&it),
	      "emailVerified false");
	CHECK(bson_count_keys(&u) == 6, "user has %u keys", bson_count_keys(&u));
	CHECK(decode(vector, token, now, &s, &u), "accepted at issue time");
	CHECK(decode(vector, token, now + 300000, &s, &u), "accepted at exactly expiresAt");

	/* Stale, foreign. */
	CHECK(!decode(vector, token, now + 301000, &s, &u), "expired at +301 s");
	CHECK(!decode(vector, token, now + 300001, &s, &u), "expired 1 ms after expiresAt");
	CHECK(!decode(vector, "abcdefghijklmnopqrstuvwxyz012346", now + 60000, &s, &u),
	      "wrong token");
	CHECK(!decode(vector, "abcdefghijklmnopqrstuvwxyz01234", now + 60000, &s, &u),
	      "token prefix");
	CHECK(!decode(vector, "", now + 60000, &s, &u), "empty token");
	CHECK(!decode(vector, NULL, now + 60000, &s, &u), "NULL token");

	/* Tampering: every single-character change (to a character of the
	 * alphabet whose high bits differ, so the decoded bytes change). */
	n = strlen(vector);
	v = strdup(vector);
	for (i = 0; i < n; i++) {
		static const char alpha[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		size_t pos = (size_t)(strchr(alpha, vector[i]) - alpha);

		v[i] = alpha[pos ^ 0x20];
		flips_refused += !decode(v, token, now + 60000, &s, &u);
		v[i] = vector[i];
	}
	CHECK(flips_refused == n, "%zu of %zu flipped values refused", flips_refused, n);
	v[100] = v[100] == 'A' ? 'B' : 'A';
	CHECK(!decode(v, token, now + 60000, &s, &u), "one flipped character");
	free(v);
	v = strndup(vector, n - 1);
	CHECK(!decode(v, token, now + 60000, &s, &u), "truncated by one character");
	free(v);

	/* Signed with another secret. */
	CHECK(crypto_init("another-secret-0123456789abcdefghijk", 35), "re-key");
	v = session_cache_encode(session_json, user_json, now, 300);
	CHECK(v && strcmp(v, vector) != 0, "another secret, another value");
	CHECK(decode(v, token, now + 60000, &s, &u), "accepted under its own secret");
	crypto_cleanup();
	CHECK(crypto_init(secret, strlen(secret)), "restore secret");
	CHECK(!decode(v, token, now + 60000, &s, &u), "other secret refused");
	free(v);

	/* Forged payloads, correctly signed, that the checks must refuse. */
	p = payload_with(session_json, user_json, tail);
	CHECK(try_forged(p, "1735689900000", now), "forge helper agrees with the encoder");
	free(p);
	p = payload_with(session_json, user_json, ",\"updatedAt\":1735689600000,\"version\":\"2\"");
	CHECK(!try_forged(p, "1735689900000", now), "version \"2\"");
	free(p);
	p = payload_with(session_json, user_json, ",\"updatedAt\":1735689600000,\"version\":1");
	CHECK(!try_forged(p, "1735689900000", now), "version 1 (a number)");
	free(p);
	p = payload_with(session_json, user_json, ",\"updatedAt\":1735689600000");
	CHECK(try_forged(p, "1735689900000", now), "version absent counts as \"1\"");
	free(p);
	p = payload_with(session_json, user_json,
	                 ",\"updatedAt\":\"1735689600000\",\"version\":\"1\"");
	CHECK(!try_forged(p, "1735689900000", now), "updatedAt a string");
	free(p);
	p = payload_with(session_json, user_json, ",\"version\":\"1\"");
	CHECK(!try_forged(p, "1735689900000", now), "updatedAt missing");
	free(p);
	p = payload_with(session_json, "[]", tail);
	CHECK(!try_forged(p, "1735689900000", now), "user an array");
	free(p);
	p = payload_with("\"x\"", user_json, tail);
	CHECK(!try_forged(p, "1735689900000", now), "session a string");
	free(p);
	p = payload_with(session_json, user_json, tail);
	CHECK(!try_forged(p, "\"1735689900000\"", now), "expiresAt a string");
	CHECK(!try_forged(p, "1735689599999", now), "expiresAt in the past");
	CHECK(try_forged(p, "1735689600000.5", now), "fractional expiresAt");
	free(p);
	{
		static const struct {
			const char *expires_at;
			bool ok;
		} iso[] = {
			{"2024-12-31T23:59:59.999Z", false}, /* 1 ms before now */
			{"2025-01-01T00:00:00.000Z", true},  /* exactly now */
			{"2025-01-01T00:00:00.001Z", true},
			{"2025-02-29T00:00:00.000Z", false}, /* not a leap year */
			{"2028-02-29T00:00:00.000Z", true},
			{"2025-13-01T00:00:00.000Z", false},
			{"2025-01-08T24:00:00.000Z", false},
			{"2025-01-08T00:00:00Z", false},
			{"2025-01-08T00:00:00.000", false},
			{"2025-01-08 00:00:00.000Z", false},
			{"2025-01-08T00:00:00.000+00:00", false},
			{"+2025-01-08T00:00:00.000Z", false},
			{"2025-1-08T00:00:00.000Z", false},
		};

		for (i = 0; i < sizeof iso / sizeof iso[0]; i++) {
			bson_string_t *sess = bson_string_new(NULL);

			bson_string_append_printf(sess, "{\"token\":\"%s\",\"expiresAt\":\"%s\"}",
			                          token, iso[i].expires_at);
			p = payload_with(sess->str, user_json, tail);
			CHECK(try_forged(p, "1735689900000", now) == iso[i].ok,
			      "session.expiresAt %s", iso[i].expires_at);
			free(p);
			bson_string_free(sess, true);
		}
	}
	/* session.expiresAt to the millisecond, against timegm: the last
	 * instant of every month from 1969 to 2101 (leap years, 2000, 2100). */
	{
		int y, m, bad = 0, tried = 0;

		for (y = 1969; y <= 2101; y++)
			for (m = 0; m < 12; m++) {
				struct tm tm = {0};
				bson_string_t *sess = bson_string_new(NULL);
				int64_t at;

				tm.tm_year = y - 1900;
				tm.tm_mon = m + 1; /* day 0 of the next month: this one's last */
				tm.tm_mday = 0;
				tm.tm_hour = 23;
				tm.tm_min = 59;
				tm.tm_sec = 59;
				at = (int64_t)timegm(&tm) * 1000 + 999; /* tm normalised too */
				bson_string_append_printf(sess,
				                          "{\"token\":\"%s\",\"expiresAt\":\"%04d-%"
				                          "02d-%02dT23:59:59.999Z\"}",
				                          token, tm.tm_year + 1900, tm.tm_mon + 1,
				                          tm.tm_mday);
				p = payload_with(sess->str, user_json, tail);
				bad += !try_forged(p, "99999999999999", at) ||
				       try_forged(p, "99999999999999", at + 1);
				tried++;
				free(p);
				bson_string_free(sess, true);
			}
		CHECK(bad == 0, "%d of %d month ends misread", bad, tried);
	}
	p = payload_with(
		"{\"token\":\"abcdefghijklmnopqrstuvwxyz012345\",\"expiresAt\":1736294400000}",
		user_json, tail);
	CHECK(!try_forged(p, "1735689900000", now), "session.expiresAt a number");
	free(p);
	p = payload_with("{\"expiresAt\":\"2025-01-08T00:00:00.000Z\"}", user_json, tail);
	CHECK(!try_forged(p, "1735689900000", now), "session.token missing");
	free(p);
	/* Key order is the payload's own; numbers print as JavaScript does. */
	p = payload_with(
		session_json, user_json,
		",\"version\":\"1\",\"updatedAt\":1735689600000,\"x\":[1.5,-0.25,1000,null,{}]");
	CHECK(try_forged(p, "1735689900000", now), "other key order, extra members");
	free(p);
	/* Signed over "1e3" where JSON.stringify prints 1000: refused. */
	p = payload_with(session_json, user_json, ",\"updatedAt\":1735689600000,\"x\":1e3");
	CHECK(!try_forged(p, "1735689900000", now), "non-canonical number in the signed text");
	free(p);
	/* "expiresAt" already in P: {...P, expiresAt: E} replaces it in place. */
	{
		bson_string_t *doc = bson_string_new(NULL);
		unsigned char mac[CRYPTO_MAC_LEN];
		char sig[CRYPTO_MAC_LEN * 2];
		const char *signed_text =
			"{\"expiresAt\":1735689900000,\"session\":{\"token\":"
			"\"abcdefghijklmnopqrstuvwxyz012345\",\"expiresAt\":"
			"\"2025-01-08T00:00:00.000Z\"},\"user\":{},\"updatedAt\":0}";

		crypto_hmac(signed_text, strlen(signed_text), mac);
		crypto_base64_encode(mac, sizeof mac, sig, true);
		bson_string_append_printf(
			doc,
			"{\"session\":{\"expiresAt\":7,\"session\":{\"token\":"
			"\"abcdefghijklmnopqrstuvwxyz012345\",\"expiresAt\":"
			"\"2025-01-08T00:00:00.000Z\"},\"user\":{},\"updatedAt\":0},"
			"\"expiresAt\":1735689900000,\"signature\":\"%s\"}",
			sig);
		CHECK(try_text(doc->str), "expiresAt inside P replaced in place");
		bson_string_free(doc, true);
	}

	/* Malformed values. */
	CHECK(!decode("", token, now, &s, &u), "empty");
	CHECK(!decode(NULL, token, now, &s, &u), "NULL");
	CHECK(!decode("garbage!", token, now, &s, &u), "garbage");
	CHECK(!decode("e30=", token, now, &s, &u), "padding");
	CHECK(!decode("A", token, now, &s, &u), "impossible length");
	v = strdup(vector);
	v[10] = '+';
	CHECK(!decode(v, token, now, &s, &u), "standard alphabet '+'");
	v[10] = '.';
	CHECK(!decode(v, token, now, &s, &u), "'.'");
	free(v);
	CHECK(!try_text("{}"), "{}");
	CHECK(!try_text("[]"), "[]");
	CHECK(!try_text("\"x\""), "a string");
	CHECK(!try_text("null"), "null");
	CHECK(!try_text("{\"session\":{},\"expiresAt\":1,\"signature\":\"x\"}"), "bad signature");
	CHECK(!try_text("{\"session\":{},\"expiresAt\":1}"), "no signature");
	CHECK(!try_text("{\"session\":{},\"expiresAt\":1,\"signature\":\"B88x0cq4uGYby6vmQw-"
	                "zSPiqaW-NcR0xh-zNKSsxIy0\",}"),
	      "trailing comma");
	{
		/* The vector's document with whitespace: the same members, the
		 * same signature, JSON.parse accepts it, so do we. */
		unsigned char buf[1024];
		long len = crypto_base64url_decode(vector, strlen(vector), buf, sizeof buf - 2);
		bson_string_t *spaced = bson_string_new(" ");

		CHECK(len > 0, "vector decodes as base64url");
		bson_string_append_printf(spaced, "%.*s\n", (int)len, (const char *)buf);
		CHECK(try_text(spaced->str), "surrounding whitespace");
		/* A duplicate key (JSON.parse would keep the last; we refuse). */
		spaced->str[spaced->len - 2] = ',';
		bson_string_append(
			spaced, "\"signature\":\"B88x0cq4uGYby6vmQw-zSPiqaW-NcR0xh-zNKSsxIy0\"}");
		CHECK(!try_text(spaced->str), "duplicate signature key");
		bson_string_free(spaced, true);
	}
	big = malloc(16386);
	memset(big, 'A', 16385);
	big[16385] = '\0';
	CHECK(!decode(big, token, now, &s, &u), "16 KiB + 1 refused");
	free(big);

	/* A genuine value over 16 KiB: encoded, but refused on the way back. */
	user2 = bson_string_new("{\"id\":\"u\",\"name\":\"");
	for (i = 0; i < 12500; i++)
		bson_string_append_c(user2, 'n');
	bson_string_append(user2, "\"}");
	v = session_cache_encode(session_json, user2->str, now, 300);
	CHECK(v && strlen(v) > 16384, "long value %zu", v ? strlen(v) : 0);
	CHECK(!decode(v, token, now, &s, &u), "genuine but oversized value refused");
	free(v);
	bson_string_free(user2, true);

	/* Non-ASCII, U+2028, quotes, backslash, a control character, an
	 * astral character: rendered as JSON.stringify would, round trip. */
	name_json = bson_string_new(NULL);
	json_write_string(name_json, name, strlen(name));
	user2 = bson_string_new("{\"id\":\"userid00000000000000000000000000\",\"name\":");
	bson_string_append(user2, name_json->str);
	bson_string_append(user2, ",\"email\":\"zoe@example.com\",\"emailVerified\":true}");
	v = session_cache_encode(session_json, user2->str, now, 300);
	CHECK(v != NULL, "encode non-ASCII");
	CHECK(decode(v, token, now + 1000, &s, &u), "non-ASCII round trip");
	CHECK_STR(get_utf8(&u, "name"), name);
	CHECK(bson_iter_init_find(&it, &u, "emailVerified") && BSON_ITER_HOLDS_BOOL(&it) &&
	              bson_iter_bool(&it),
	      "emailVerified true");
	CHECK_STR(get_utf8(&s, "token"), token);
	free(v);
	bson_string_free(user2, true);
	bson_string_free(name_json, true);

	/* The fast reader (session_cache_answer) decides the common cookies
	 * itself: the vector, the encoder's, short escapes in a string. */
	{
		bson_string_t *ans = NULL;
		int before = fast_hits;

		CHECK(session_cache_answer(vector, strlen(vector), token, now + 60000, &ans),
		      "fast: the vector");
		CHECK_STR(
			ans ? ans->str : "",
			"{\"session\":{\"id\":\"sessionid0000000000000000000000A\",\"createdAt\":"
			"\"2025-01-01T00:00:00.000Z\",\"updatedAt\":\"2025-01-01T00:00:00.000Z\","
			"\"userId\":\"userid00000000000000000000000000\",\"expiresAt\":\"2025-01-"
			"08T00:00:00.000Z\",\"token\":\"abcdefghijklmnopqrstuvwxyz012345\","
			"\"ipAddress\":\"\",\"userAgent\":\"curl/7.88.1\"},\"user\":{\"id\":"
			"\"userid00000000000000000000000000\",\"createdAt\":\"2025-01-01T00:00:00."
			"000Z\",\"updatedAt\":\"2025-01-01T00:00:00.000Z\",\"email\":\"alice@"
			"example.com\",\"emailVerified\":false,\"name\":\"Alice\"}}");
		if (ans)
			bson_string_free(ans, true);
		ans = NULL;
		CHECK(!session_cache_answer(vector, strlen(vector), token, now + 300001, &ans) &&
		              !ans,
		      "fast: expired declined");
		CHECK(!session_cache_answer(vector, strlen(vector),
		                            "abcdefghijklmnopqrstuvwxyz012346", now, &ans) &&
		              !ans,
		      "fast: another token declined");

		user2 = bson_string_new("{\"id\":\"u1\",\"name\":\"a \\\"q\\\" \\\\ \\n\\t "
		                        "\xc3\xab\",\"email\":\"e@x\",\"emailVerified\":true,"
		                        "\"image\":null}");
		v = session_cache_encode(session_json, user2->str, now, 300);
		CHECK(decode(v, token, now, &s, &u), "short escapes accepted");
		CHECK(fast_hits == before + 1, "short escapes decided by the fast reader");
		CHECK_STR(get_utf8(&u, "name"), "a \"q\" \\ \n\t \xc3\xab");
		free(v);
		bson_string_free(user2, true);

		/* Signed over text JSON.stringify would not write: refused by
		 * both readers (the generic one signs its own re-serialisation). */
		{
			static const char *const odd[] = {
				"{\"name\": \"A\"}",           /* whitespace */
				"{\"name\":\"a\\/b\"}",        /* \/ */
				"{\"name\":\"\\u0041\"}",      /* \u escape of a plain letter */
				"{\"name\":\"A\",\"n\":01}",   /* leading zero: not JSON */
				"{\"name\":\"A\",\"n\":-0}",   /* prints as 0 */
				"{\"name\":\"A\",\"n\":1E3}",  /* prints as 1000 */
				"{\"name\":\"\xc3(\"}",        /* not UTF-8 */
				"{\"name\":\"\xed\xa0\x80\"}", /* a surrogate in UTF-8 */
				"{\"name\":\"\xf0\x9f\x98\"}", /* cut short */
				"{\"name\":\"\xc0\xaf\"}",     /* overlong */
			};

			for (i = 0; i < sizeof odd / sizeof odd[0]; i++) {
				before = fast_hits;
				p = payload_with(session_json, odd[i], tail);
				CHECK(!try_forged(p, "1735689900000", now), "signed over %s",
				      odd[i]);
				CHECK(fast_hits == before, "fast reader declined %s", odd[i]);
				free(p);
			}
		}
		/* Multi-byte UTF-8 and U+2028, unescaped as JSON.stringify leaves
		 * them: decided by the fast reader. */
		p = payload_with(
			session_json,
			"{\"id\":\"u\",\"name\":\"Zo\xc3\xab \xe2\x80\xa8 \xf0\x9f\x98\x80\"}",
			tail);
		before = fast_hits;
		CHECK(try_forged(p, "1735689900000", now), "multi-byte name accepted");
		CHECK(fast_hits == before + 1, "multi-byte name decided by the fast reader");
		free(p);
		/* Members the answer does not show, or _id: left to the generic
		 * reader, which shows what it shows. */
		p = payload_with(session_json,
		                 "{\"id\":\"u\",\"role\":\"admin\",\"email\":\"e@x\"}", tail);
		before = fast_hits;
		CHECK(try_forged(p, "1735689900000", now), "an extra user field");
		CHECK(fast_hits == before, "extra field declined by the fast reader");
		free(p);
	}
	/* Keys the fast reader matches in place: near misses of ours are
	 * declined by it, and what the generic reader makes of them stands. */
	{
		static const struct {
			const char *user;
			bool fast; /* decided by the fast reader */
		} keys[] = {
			{"{\"id\":\"u\",\"nam\":\"A\"}", false},        /* a prefix of a key */
			{"{\"id\":\"u\",\"names\":\"A\"}", false},      /* a key plus a byte */
			{"{\"id\":\"u\",\"nbme\":\"A\"}", false},       /* its length, first byte */
			{"{\"id\":\"u\",\"n\\u0061me\":\"A\"}", false}, /* escaped: not ours */
			{"{\"id\":\"u\",\"name\" :\"A\"}", false},      /* space before ':' */
			{"{\"id\":\"u\",\"name\"}", false},             /* no ':' */
			{"{\"id\":\"u\",\"name\":\"A\",\"name\":\"B\"}", false}, /* twice */
			{"{\"id\":\"u\",\"\":\"A\"}", false},                    /* empty key */
			{"{\"id\":\"u\",name:\"A\"}", false},                    /* unquoted */
			{"{}", true},                                            /* no member */
			{"{\"image\":null,\"id\":\"u\"}", true},                 /* any order */
		};

		for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			bool accepted;
			int before = fast_hits;

			p = payload_with(session_json, keys[i].user, tail);
			accepted = try_forged(p, "1735689900000", now);
			CHECK(fast_hits == before + keys[i].fast, "%s: fast reader %s",
			      keys[i].user, keys[i].fast ? "should decide" : "should decline");
			if (keys[i].fast)
				CHECK(accepted, "%s accepted", keys[i].user);
			free(p);
		}
		/* A session object cut right after a key's opening quote or
		 * inside it: the text ends there (the NUL after it is no key). */
		CHECK(!try_text("{\"session\":{\"session\":{\""), "cut after a quote");
		CHECK(!try_text("{\"session\":{\"session\":{\"tok"), "cut inside a key");
		CHECK(!try_text("{\"session\":{\"session\":{\"token\""), "cut after a key");
	}
	/* The fast reader takes a span of the header: what follows it is not
	 * read, and a span one byte short is not the value. */
	{
		bson_string_t *ans = NULL, *whole = NULL;
		size_t vn = strlen(vector);

		big = malloc(vn + 16);
		memcpy(big, vector, vn);
		memcpy(big + vn, "; x=AAAA", sizeof "; x=AAAA");
		CHECK(session_cache_answer(vector, vn, token, now + 60000, &whole), "the vector");
		CHECK(session_cache_answer(big, vn, token, now + 60000, &ans), "a span");
		CHECK(ans && whole && !strcmp(ans->str, whole->str), "the span's answer");
		if (ans)
			bson_string_free(ans, true);
		ans = NULL;
		CHECK(!session_cache_answer(big, vn - 1, token, now + 60000, &ans) && !ans,
		      "one byte short declined");
		CHECK(!session_cache_answer(big, vn + 1, token, now + 60000, &ans) && !ans,
		      "one byte more declined");
		CHECK(!session_cache_answer(big, 0, token, now + 60000, &ans) && !ans,
		      "empty declined");
		if (whole)
			bson_string_free(whole, true);
		free(big);
	}
	CHECK(fast_hits >= 8, "the fast reader decided %d cases", fast_hits);

	free(value);
	bson_destroy(&s);
	bson_destroy(&u);
	crypto_cleanup();
	UNIT_END();
}
