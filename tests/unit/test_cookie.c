/*
 * test_cookie.c — the Cookie header as better-call's parseCookies reads it,
 * chunk detection, signing with the spec's vector (secret
 * "test-secret-0123456789abcdefghijklmnop"), verification edge cases, the
 * wire encodings a browser or client may send, encodeURIComponent, and
 * Set-Cookie formatting.
 */
#include "cookie.h"
#include "crypto.h"
#include "unit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "test-secret-0123456789abcdefghijklmnop"
#define TOKEN "abcdefghijklmnopqrstuvwxyz012345"
#define SIG "aXXNElWNEpWo5RBBdr04f5+9qMgDTCOyxaApSp2NGg0="
#define SIGNED TOKEN "." SIG
#define WIRE TOKEN ".aXXNElWNEpWo5RBBdr04f5%2B9qMgDTCOyxaApSp2NGg0%3D"
#define TRUE_SIGNED "true.TO3xUdjcBLjvSscD8JJxIQ76eBec5B5AVgTAtTpGCbI="

/* cookie_get, and cookie_find with the same result: a span of the header
 * when nothing was decoded, else the decoded copy. */
static void
check_get(const char *header, const char *name, const char *want)
{
	char *got = cookie_get(header, name), *decoded = (char *)"unset";
	const char *v = "unset";
	size_t n = 99;
	bool found = cookie_find(header, name, &v, &n, &decoded);

	if (want) {
		CHECK(got && !strcmp(got, want), "cookie_get(%s, %s) = %s, want %s",
		      header ? header : "NULL", name, got ? got : "NULL", want);
		CHECK(found && n == strlen(want) && !memcmp(v, want, n),
		      "cookie_find(%s, %s) = %.*s, want %s", header, name, (int)n, v ? v : "",
		      want);
		CHECK(decoded ? v == decoded : v >= header && v + n <= header + strlen(header),
		      "cookie_find(%s, %s): a span of the header or the decoded copy", header,
		      name);
	} else {
		CHECK(!got, "cookie_get(%s, %s) = %s, want NULL", header ? header : "NULL", name,
		      got);
		CHECK(!found && !v && n == 0 && !decoded, "cookie_find(%s, %s): absent",
		      header ? header : "NULL", name);
	}
	free(decoded);
	free(got);
}

static void
check_verify(const char *in, const char *want)
{
	char *got = cookie_verify(in);

	if (want)
		CHECK(got && !strcmp(got, want), "cookie_verify(%s) = %s, want %s", in,
		      got ? got : "NULL", want);
	else
		CHECK(!got, "cookie_verify(%s) = %s, want NULL", in, got);
	free(got);
}

/* The header as sent, then what get-session would see: decoded and verified. */
static void
check_wire(const char *header, const char *want)
{
	char *v = cookie_get(header, "better-auth.session_token");
	char *t = v ? cookie_verify(v) : NULL;

	if (want)
		CHECK(t && !strcmp(t, want), "wire %s: got %s want %s", header, t ? t : "NULL",
		      want);
	else
		CHECK(!t, "wire %s: verified as %s, want NULL", header, t);
	free(t);
	free(v);
}

static void
check_encode(const char *in, const char *want)
{
	bson_string_t *s = bson_string_new(NULL);

	cookie_encode(s, in);
	CHECK_STR(s->str, want);
	bson_string_free(s, true);
}

static void
check_format(const char *name, const char *value, long long age, bool secure, const char *want)
{
	char *got = cookie_format(name, value, age, secure);

	CHECK_STR(got, want);
	free(got);
}

int
main(void)
{
	static const struct {
		const char *header, *name, *want;
	} gets[] = {
		{"a=1", "a", "1"},
		{"a=1; b=2", "b", "2"},
		{"a=1;b=2", "b", "2"},
		{"  a  =  1  ;  b = 2 ", "a", "1"},
		{"a=1; b=2 ", "b", "2"},
		{"\ta=\t1\t", "a", "1"},
		{"a=x=y=z", "a", "x=y=z"}, /* the first '=' splits */
		{"a=", "a", ""},
		{"a=; b=2", "a", ""},
		{"a=\"quoted\"", "a", "quoted"},
		{"a=\"\"", "a", ""},
		{"a= \"q v\" ", "a", "q v"}, /* trimmed, then unwrapped */
		{"a=\"open", "a", "ope"},    /* slice(1, -1) even unclosed */
		{"a=\"", "a", ""},
		{"a=x\"", "a", "x\""},
		{"a=\"%41\"", "a", "A"}, /* unwrapped, then decoded */
		{"a=%41%42", "a", "AB"},
		{"a=%2B%2F%3D", "a", "+/="},
		{"a=%c3%a9", "a", "\xc3\xa9"},
		{"a=+", "a", "+"},     /* '+' is not a space */
		{"a=%zz", "a", "%zz"}, /* bad escape: raw */
		{"a=%4", "a", "%4"},
		{"a=x%", "a", "x%"},
		{"a=%E0%A4", "a", "%E0%A4"}, /* bad UTF-8: raw */
		{"a=%E0%A4%A8", "a", "\xe0\xa4\xa8"},
		{"a=%ED%A0%80", "a", "%ED%A0%80"}, /* surrogate: raw */
		{"a=%C0%AF", "a", "%C0%AF"},       /* overlong: raw */
		{"a=%41%zz", "a", "%41%zz"},       /* one bad escape keeps all raw */
		{"a=1; a=2", "a", "1"},            /* first wins */
		{"a=%zz; a=2", "a", "%zz"},
		{"b=1; a=2; a=3", "a", "2"},
		{"aa=1; a=2", "a", "2"}, /* exact names */
		{"a=1", "aa", NULL},
		{"A=1", "a", NULL},
		{"xa=1", "a", NULL},
		{"synos.session_token=s; better-auth.session_token=b", "better-auth.session_token",
	         "b"},
		{"better-auth.session_token=b; synos.session_token=s", "synos.session_token", "s"},
		{"__Secure-better-auth.session_token=x", "better-auth.session_token", NULL},
		{"__Secure-better-auth.session_token=x", "__Secure-better-auth.session_token", "x"},
		{"better-auth.session_token.0=x", "better-auth.session_token", NULL},
		{"junk; a=1", "a", "1"}, /* pairs without '=' are skipped */
		{"a; b=2", "a", NULL},
		{"a; b=2", "b", "2"},
		{";;a=1;;", "a", "1"},
		{"=v; a=1", "a", "1"},
		{"", "a", NULL},
		{"   ", "a", NULL},
		{NULL, "a", NULL},
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(gets) / sizeof(gets[0]); i++)
		check_get(gets[i].header, gets[i].name, gets[i].want);

	/* Chunks: the name itself or "<name>.<canonical index>". */
	{
		static const struct {
			const char *header;
			bool want;
		} rows[] = {
			{"better-auth.session_data=x", true},
			{"better-auth.session_data.0=x", true},
			{"a=1; better-auth.session_data.1=x", true},
			{"better-auth.session_data.12=x", true},
			{"better-auth.session_data=", true},
			{"better-auth.session_data.=x", false},
			{"better-auth.session_data.01=x", false},
			{"better-auth.session_data.1x=x", false},
			{"better-auth.session_data.+1=x", false},
			{"better-auth.session_data.a=x", false},
			{"better-auth.session_data.9007199254740991=x", true},
			{"better-auth.session_data.9007199254740992=x", false},
			{"better-auth.session_datax=x", false},
			{"better-auth.session_data0=x", false},
			{"better-auth.session_token=x", false},
			{"synos.session_data=x", false},
			{"better-auth.session_data", false},
			{"", false},
			{NULL, false},
		};

		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			CHECK(cookie_has_chunks(rows[i].header, "better-auth.session_data") ==
			              rows[i].want,
			      "has_chunks(%s) want %d", rows[i].header ? rows[i].header : "NULL",
			      rows[i].want);
	}

	/* Signing: the spec's vectors. */
	CHECK(crypto_init(SECRET, strlen(SECRET)), "crypto_init");
	s = cookie_sign(TOKEN);
	CHECK_STR(s, SIGNED);
	free(s);
	s = cookie_sign("true");
	CHECK_STR(s, TRUE_SIGNED);
	free(s);
	s = cookie_sign("");
	CHECK(s && s[0] == '.' && strlen(s) == 45 && s[44] == '=', "empty value signs: %s",
	      s ? s : "NULL");
	free(s);

	/* Verification. */
	check_verify(SIGNED, TOKEN);
	check_verify(TRUE_SIGNED, "true");
	check_verify(TOKEN ".aXXNElWNEpWo5RBBdr04f5+9qMgDTCOyxaApSp2NGg1=",
	             TOKEN); /* atob ignores the spare bits */
	check_verify(TOKEN ".aXXNElWNEpWo5RBBdr04f5+9qMgDTCOyxaApSp2NGg4=",
	             NULL); /* ...but not the others */
	check_verify(TOKEN ".bXXNElWNEpWo5RBBdr04f5+9qMgDTCOyxaApSp2NGg0=", NULL);
	check_verify("abcdefghijklmnopqrstuvwxyz012346." SIG, NULL); /* other value */
	check_verify(TOKEN "x." SIG, NULL);
	check_verify("true." SIG, NULL);
	check_verify(TOKEN SIG, NULL);                                              /* no dot */
	check_verify("." SIG, NULL);                                                /* dot at 0 */
	check_verify(TOKEN ".aXXNElWNEpWo5RBBdr04f5+9qMgDTCOyxaApSp2NGg0", NULL);   /* 43 chars */
	check_verify(TOKEN ".aXXNElWNEpWo5RBBdr04f5+9qMgDTCOyxaApSp2NGg0==", NULL); /* 45 chars */
	check_verify(TOKEN ".aXXNElWNEpWo5RBBdr04f5+9qMgDTCOyxaApSp2NGg0A", NULL);  /* 44, no '=' */
	check_verify(TOKEN ".aXXNElWNEpWo5RBBdr04f5-9qMgDTCOyxaApSp2NGg0=", NULL);  /* URL-safe */
	check_verify(TOKEN ".aXXNElWNEpWo5RBBdr04f5+9qMgDTCOyxaApSp2NG_0=", NULL);
	check_verify(TOKEN ".aXXNElWNEpWo5RBBdr04f5+9qMgDTCOyxaApSp2N g0=", NULL);
	check_verify(TOKEN ".aXXNElWNEpWo5RBBdr04f5+9qMgDTCOyxaApSp2NG=0=", NULL);
	check_verify(TOKEN "." SIG "." SIG, NULL); /* last dot: signature of "TOKEN.SIG" */
	check_verify(TOKEN ".", NULL);
	check_verify("", NULL);
	check_verify(".", NULL);
	{
		/* A value with dots splits at the last one. */
		char *signed_dots = cookie_sign("a.b.c");

		CHECK(signed_dots && !strncmp(signed_dots, "a.b.c.", 6), "sign a.b.c");
		if (signed_dots) {
			check_verify(signed_dots, "a.b.c");
			signed_dots[0] = 'x';
			check_verify(signed_dots, NULL);
			free(signed_dots);
		}
		/* A signed value signed again verifies to the inner signed value. */
		signed_dots = cookie_sign(SIGNED);
		check_verify(signed_dots, SIGNED);
		free(signed_dots);
	}

	/* The same cookie as clients send it. */
	check_wire("better-auth.session_token=" WIRE, TOKEN);        /* encoded */
	check_wire("better-auth.session_token=" SIGNED, TOKEN);      /* raw */
	check_wire("better-auth.session_token=\"" WIRE "\"", TOKEN); /* quoted */
	check_wire("better-auth.session_token=\"" SIGNED "\"", TOKEN);
	check_wire("x=1; better-auth.session_token=" WIRE "; y=2", TOKEN);
	check_wire("better-auth.session_token=" TOKEN
	           ".aXXNElWNEpWo5RBBdr04f5%2b9qMgDTCOyxaApSp2NGg0%3d",
	           TOKEN); /* lower-case hex */
	check_wire("better-auth.session_token=" TOKEN
	           "%2EaXXNElWNEpWo5RBBdr04f5%2B9qMgDTCOyxaApSp2NGg0%3D",
	           TOKEN); /* encoded dot */
	check_wire("better-auth.session_token=" TOKEN
	           ".aXXNElWNEpWo5RBBdr04f5%252B9qMgDTCOyxaApSp2NGg0%253D",
	           NULL); /* double-encoded */
	check_wire("better-auth.session_token=" TOKEN
	           ".aXXNElWNEpWo5RBBdr04f5%2B9qMgDTCOyxaApSp2NGg0%3D%zz",
	           NULL); /* bad escape: raw */
	check_wire("better-auth.session_token=" TOKEN
	           ".aXXNElWNEpWo5RBBdr04f5 9qMgDTCOyxaApSp2NGg0=",
	           NULL); /* '+' became a space */
	check_wire("better-auth.session_token=bogus; better-auth.session_token=" WIRE,
	           NULL); /* first wins */
	check_wire("better-auth.session_token=" WIRE "; better-auth.session_token=bogus", TOKEN);
	check_wire("synos.session_token=" WIRE, NULL);
	check_wire("better-auth.session_token=", NULL);
	check_wire("better-auth.dont_remember=" TRUE_SIGNED, NULL);
	{
		char *v = cookie_get("better-auth.dont_remember=true."
		                     "TO3xUdjcBLjvSscD8JJxIQ76eBec5B5AVgTAtTpGCbI%3D",
		                     "better-auth.dont_remember");
		char *t = v ? cookie_verify(v) : NULL;

		CHECK_STR(t, "true");
		free(t);
		free(v);
	}

	/* encodeURIComponent. */
	check_encode("", "");
	check_encode("AZaz09-_.!~*'()", "AZaz09-_.!~*'()");
	check_encode(SIGNED, WIRE);
	check_encode(TRUE_SIGNED, "true.TO3xUdjcBLjvSscD8JJxIQ76eBec5B5AVgTAtTpGCbI%3D");
	check_encode("+/= ", "%2B%2F%3D%20");
	check_encode("#&?;,@:$\"%<>[]\\^`{|}",
	             "%23%26%3F%3B%2C%40%3A%24%22%25%3C%3E%5B%5D%5C%5E%60%7B%7C%7D");
	check_encode("\x01\x1f\x7f", "%01%1F%7F");
	check_encode("\xc3\xa9\xf0\x9f\x98\x80", "%C3%A9%F0%9F%98%80");

	/* Set-Cookie lines. */
	check_format("better-auth.session_token", WIRE, 604800, false,
	             "better-auth.session_token=" WIRE
	             "; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax");
	check_format("better-auth.dont_remember",
	             "true.TO3xUdjcBLjvSscD8JJxIQ76eBec5B5AVgTAtTpGCbI%3D", -1, false,
	             "better-auth.dont_remember=true.TO3xUdjcBLjvSscD8JJxIQ76eBec5B5AVgTAtTpGCbI%"
	             "3D; Path=/; "
	             "HttpOnly; SameSite=Lax");
	check_format("better-auth.session_token", "", 0, false,
	             "better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
	check_format("__Secure-better-auth.session_token", "v", 604800, true,
	             "__Secure-better-auth.session_token=v; Max-Age=604800; Path=/; HttpOnly; "
	             "Secure; SameSite=Lax");
	check_format("__Secure-better-auth.session_data", "", 0, true,
	             "__Secure-better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; Secure; "
	             "SameSite=Lax");
	check_format(
		"__Secure-better-auth.dont_remember", "v", -1, true,
		"__Secure-better-auth.dont_remember=v; Path=/; HttpOnly; Secure; SameSite=Lax");
	check_format("better-auth.session_data", "x", 300, false,
	             "better-auth.session_data=x; Max-Age=300; Path=/; HttpOnly; SameSite=Lax");

	crypto_cleanup();
	UNIT_END();
}
