/*
 * test_jwt.c — the e-mail verification token: the four vectors of spec
 * accounts §4.3 byte for byte (secret "test-secret-0123456789abcdefghijklmnop",
 * Date.now() = 1735689600000), their expiry edges, and every verification
 * rule of §4.1 with the verdict jose 6.2 gives for the same token (measured
 * with jose.jwtVerify; the expected statuses below are its answers).
 */
#include "crypto.h"
#include "jwt.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#define SECRET "test-secret-0123456789abcdefghijklmnop"
#define NOW 1735689600000LL
#define USER "6b0000000000000000000001"

static const char tok_a[] =
	"eyJhbGciOiJIUzI1NiJ9."
	"eyJlbWFpbCI6ImFsaWNlQGV4YW1wbGUuY29tIiwidXNlcklkIjoiNmIwMDAwMDAwMDAwMDAwMDAwMDAw"
	"MDAxIiwiaWF0IjoxNzM1Njg5NjAwLCJleHAiOjE3MzU2OTMyMDB9."
	"25SEbmQbKSudA8Vql6C1JfDZvcHQTIZBenEbh7CRdgo";
static const char tok_b[] =
	"eyJhbGciOiJIUzI1NiJ9."
	"eyJlbWFpbCI6ImFsaWNlQGV4YW1wbGUuY29tIiwidXBkYXRlVG8iOiJhbGljZS5uZXdAZXhhbXBsZS5j"
	"b20iLCJyZXF1ZXN0VHlwZSI6ImNoYW5nZS1lbWFpbC12ZXJpZmljYXRpb24iLCJ1c2VySWQiOiI2YjAwMDAwMDAwMD"
	"AwMDAwMDAw"
	"MDAwMDEiLCJpYXQiOjE3MzU2ODk2MDAsImV4cCI6MTczNTY5MzIwMH0.Ouej2uNFkiedc_"
	"W48QtzoX4w1qFPTCqHaFntF4LFPJk";
static const char tok_c[] =
	"eyJhbGciOiJIUzI1NiJ9."
	"eyJlbWFpbCI6ImFsaWNlQGV4YW1wbGUuY29tIiwidXBkYXRlVG8iOiJhbGljZS5uZXdAZXhhbXBsZS5j"
	"b20iLCJyZXF1ZXN0VHlwZSI6ImNoYW5nZS1lbWFpbC1jb25maXJtYXRpb24iLCJ1c2VySWQiOiI2YjAwMDAwMDAwMD"
	"AwMDAwMDAw"
	"MDAwMDEiLCJpYXQiOjE3MzU2ODk2MDAsImV4cCI6MTczNTY5MzIwMH0.iLg4x_"
	"YnV2ouVvRjuvJGBuyVL4w02G9XoJx16aEwZBc";
static const char tok_d[] =
	"eyJhbGciOiJIUzI1NiJ9."
	"eyJlbWFpbCI6Imdob3N0QGV4YW1wbGUuY29tIiwiaWF0IjoxNzM1Njg5NjAwLCJleHAiOjE3MzU2OTAy"
	"MDB9.pWHkobxVOLaGA7YT3THifHoi-8bsAevgJHFx10y8vxM";

static const char *const status_names[] = {"OK", "INVALID", "EXPIRED", "BAD_PAYLOAD"};

/* base64url(header) "." base64url(payload) "." base64url(HMAC), with raw
 * bytes as given (so tests can sign what our writer would never write). */
static char *
sign(const char *header, const char *payload)
{
	size_t hn = strlen(header), pn = strlen(payload);
	char *t = malloc(crypto_base64_len(hn, true) + crypto_base64_len(pn, true) + 64);
	unsigned char mac[CRYPTO_MAC_LEN];
	size_t n;

	n = crypto_base64_encode(header, hn, t, true);
	t[n++] = '.';
	n += crypto_base64_encode(payload, pn, t + n, true);
	crypto_hmac(t, n, mac);
	t[n++] = '.';
	crypto_base64_encode(mac, CRYPTO_MAC_LEN, t + n, true);
	return t;
}

static enum jwt_status
verify_at(const char *token, long long now_ms)
{
	struct jwt_claims c;
	enum jwt_status st = jwt_verify(token, strlen(token), now_ms, &c);

	jwt_claims_cleanup(&c);
	return st;
}

#define EXPECT(token, now_ms, want)                                                     \
	do {                                                                            \
		enum jwt_status got_ = verify_at((token), (now_ms));                    \
		CHECK(got_ == (want), "%s: got %s want %s", #token, status_names[got_], \
		      status_names[want]);                                              \
	} while (0)

/* Signs payload under header and checks the verdict at NOW. */
static void
expect_signed(const char *what, const char *header, const char *payload, enum jwt_status want)
{
	char *t = sign(header, payload);
	enum jwt_status got = verify_at(t, NOW);

	CHECK(got == want, "%s: got %s want %s", what, status_names[got], status_names[want]);
	free(t);
}

/* tok_d with its signature segment replaced by sig. */
static void
expect_sig(const char *what, const char *sig, enum jwt_status want)
{
	char t[512];
	const char *dot = strrchr(tok_d, '.');

	enum jwt_status got;

	snprintf(t, sizeof t, "%.*s.%s", (int)(dot - tok_d), tok_d, sig);
	got = verify_at(t, NOW);
	CHECK(got == want, "signature %s: got %s want %s", what, status_names[got],
	      status_names[want]);
}

static void
test_vectors(void)
{
	char *t;
	struct jwt_claims c;

	t = jwt_format("Alice@Example.com", NULL, NULL, USER, NOW, 3600);
	CHECK_STR(t, tok_a);
	free(t);
	t = jwt_format("alice@example.com", "Alice.New@Example.com", "change-email-verification",
	               USER, NOW, 3600);
	CHECK_STR(t, tok_b);
	free(t);
	t = jwt_format("alice@example.com", "alice.new@example.com", "change-email-confirmation",
	               USER, NOW, 3600);
	CHECK_STR(t, tok_c);
	free(t);
	t = jwt_format("ghost@example.com", NULL, NULL, NULL, NOW, 600);
	CHECK_STR(t, tok_d);
	free(t);
	/* iat is floor(now / 1000): 999 ms later is still the same token. */
	t = jwt_format("ghost@example.com", NULL, NULL, NULL, NOW + 999, 600);
	CHECK_STR(t, tok_d);
	free(t);

	CHECK(jwt_verify(tok_a, strlen(tok_a), NOW, &c) == JWT_OK, "vector a verifies");
	CHECK_STR(c.email, "alice@example.com");
	CHECK_STR(c.user_id, USER);
	CHECK(!c.update_to && !c.request_type, "vector a: no change-email claims");
	CHECK(c.has_exp && c.exp == 1735693200.0 && c.iat == 1735689600.0,
	      "vector a: iat %f exp %f", c.iat, c.exp);
	jwt_claims_cleanup(&c);
	CHECK(!c.email && !c.user_id, "cleanup clears");

	CHECK(jwt_verify(tok_b, strlen(tok_b), NOW, &c) == JWT_OK, "vector b verifies");
	CHECK_STR(c.email, "alice@example.com");
	CHECK_STR(c.update_to, "alice.new@example.com");
	CHECK_STR(c.request_type, "change-email-verification");
	CHECK_STR(c.user_id, USER);
	jwt_claims_cleanup(&c);
	CHECK(jwt_verify(tok_c, strlen(tok_c), NOW, &c) == JWT_OK, "vector c verifies");
	CHECK_STR(c.request_type, "change-email-confirmation");
	jwt_claims_cleanup(&c);
	CHECK(jwt_verify(tok_d, strlen(tok_d), NOW, &c) == JWT_OK, "vector d verifies");
	CHECK_STR(c.email, "ghost@example.com");
	CHECK(!c.user_id, "vector d has no userId");
	jwt_claims_cleanup(&c);

	/* Expiry edges: valid at exp - 0.001 s, expired at exp (jose's answers). */
	EXPECT(tok_a, NOW + 3599000, JWT_OK);
	EXPECT(tok_a, NOW + 3599999, JWT_OK);
	EXPECT(tok_a, NOW + 3600000, JWT_EXPIRED);
	EXPECT(tok_b, NOW + 3599999, JWT_OK);
	EXPECT(tok_b, NOW + 3600000, JWT_EXPIRED);
	EXPECT(tok_c, NOW + 3600000, JWT_EXPIRED);
	EXPECT(tok_d, NOW + 599999, JWT_OK);
	EXPECT(tok_d, NOW + 600000, JWT_EXPIRED);
	EXPECT(tok_d, NOW + 86400000LL * 365, JWT_EXPIRED);
	/* iat is not checked against the clock: before iat is fine. */
	EXPECT(tok_d, NOW - 86400000, JWT_OK);

	/* An expired token is expired, and its out-parameter is empty. */
	CHECK(jwt_verify(tok_a, strlen(tok_a), NOW + 3600000, &c) == JWT_EXPIRED && !c.email,
	      "expired: no claims returned");
	jwt_claims_cleanup(&c);
}

static void
test_format(void)
{
	char t[512], *s;
	size_t n = strlen(tok_d);

	/* Tampering: any change to a signed segment or the signature. */
	memcpy(t, tok_d, n + 1);
	t[30] = t[30] == 'A' ? 'B' : 'A';
	EXPECT(t, NOW, JWT_INVALID);
	memcpy(t, tok_d, n + 1);
	t[5] = t[5] == 'A' ? 'B' : 'A';
	EXPECT(t, NOW, JWT_INVALID);
	memcpy(t, tok_d, n + 1);
	t[n - 3] = t[n - 3] == 'A' ? 'B' : 'A';
	EXPECT(t, NOW, JWT_INVALID);

	/* Segments: exactly three. */
	EXPECT("", NOW, JWT_INVALID);
	EXPECT("a.b", NOW, JWT_INVALID);
	EXPECT("..", NOW, JWT_INVALID);
	snprintf(t, sizeof t, "%s.", tok_d);
	EXPECT(t, NOW, JWT_INVALID);
	snprintf(t, sizeof t, "%s.x", tok_d);
	EXPECT(t, NOW, JWT_INVALID);
	CHECK(jwt_verify(tok_d, n - 1, NOW, &(struct jwt_claims){0}) == JWT_INVALID,
	      "truncated length");
	memcpy(t, tok_d, n + 1);
	t[10] = '\0';
	CHECK(jwt_verify(t, n, NOW, &(struct jwt_claims){0}) == JWT_INVALID, "NUL inside");

	/* The signature segment, as jose decodes it. */
	expect_sig("one '=' completing 44", "pWHkobxVOLaGA7YT3THifHoi-8bsAevgJHFx10y8vxM=", JWT_OK);
	expect_sig("two '='", "pWHkobxVOLaGA7YT3THifHoi-8bsAevgJHFx10y8vxM==", JWT_INVALID);
	expect_sig("'=' inside", "pWHkobxVOL=aGA7YT3THifHoi-8bsAevgJHFx10y8vxM", JWT_INVALID);
	expect_sig("'+' for '-'", "pWHkobxVOLaGA7YT3THifHoi+8bsAevgJHFx10y8vxM", JWT_INVALID);
	expect_sig("space inside", "pWHkobxVOL aGA7YT3THifHoi-8bsAevgJHFx10y8vxM", JWT_OK);
	expect_sig("tab inside", "pWHkobxVOL\taGA7YT3THifHoi-8bsAevgJHFx10y8vxM", JWT_OK);
	expect_sig("unused low bits set", "pWHkobxVOLaGA7YT3THifHoi-8bsAevgJHFx10y8vxN", JWT_OK);
	expect_sig("one more character", "pWHkobxVOLaGA7YT3THifHoi-8bsAevgJHFx10y8vxMA",
	           JWT_INVALID);
	expect_sig("one less character", "pWHkobxVOLaGA7YT3THifHoi-8bsAevgJHFx10y8vx", JWT_INVALID);
	expect_sig("empty", "", JWT_INVALID);
	expect_sig("two MACs long",
	           "pWHkobxVOLaGA7YT3THifHoi-8bsAevgJHFx10y8vxMpWHkobxVOLaGA7YT3THifHoi-"
	           "8bsAevgJHFx10y8vxM",
	           JWT_INVALID);

	/* Too long for us: refused before decoding. */
	s = malloc(JWT_MAX_LEN + 2);
	memset(s, 'A', JWT_MAX_LEN + 1);
	s[1] = '.';
	s[3] = '.';
	s[JWT_MAX_LEN + 1] = '\0';
	EXPECT(s, NOW, JWT_INVALID);
	free(s);

	/* Another secret. */
	crypto_init("another-secret-0123456789abcdefghijklmnop", 41);
	EXPECT(tok_a, NOW, JWT_INVALID);
	crypto_init(SECRET, strlen(SECRET));
	EXPECT(tok_a, NOW, JWT_OK);
}

static void
test_header(void)
{
	static const char pl[] =
		"{\"email\":\"ghost@example.com\",\"iat\":1735689600,\"exp\":1735690200}";
	char *t;

	expect_signed("HS256", "{\"alg\":\"HS256\"}", pl, JWT_OK);
	expect_signed("HS512", "{\"alg\":\"HS512\"}", pl, JWT_INVALID);
	expect_signed("none", "{\"alg\":\"none\"}", pl, JWT_INVALID);
	expect_signed("hs256", "{\"alg\":\"hs256\"}", pl, JWT_INVALID);
	expect_signed("alg missing", "{\"typ\":\"JWT\"}", pl, JWT_INVALID);
	expect_signed("alg a number", "{\"alg\":256}", pl, JWT_INVALID);
	expect_signed("typ and kid", "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"x\"}", pl,
	              JWT_OK);
	expect_signed("typ a number", "{\"alg\":\"HS256\",\"typ\":5}", pl, JWT_OK);
	expect_signed("crit b64 true", "{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":true}", pl,
	              JWT_OK);
	expect_signed("crit [b64, b64]",
	              "{\"alg\":\"HS256\",\"crit\":[\"b64\",\"b64\"],\"b64\":true}", pl, JWT_OK);
	expect_signed("crit b64 false", "{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}", pl,
	              JWT_INVALID);
	expect_signed("crit b64 missing", "{\"alg\":\"HS256\",\"crit\":[\"b64\"]}", pl,
	              JWT_INVALID);
	expect_signed("crit b64 not bool", "{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":1}", pl,
	              JWT_INVALID);
	expect_signed("crit exp", "{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}", pl,
	              JWT_INVALID);
	expect_signed("crit empty", "{\"alg\":\"HS256\",\"crit\":[]}", pl, JWT_INVALID);
	expect_signed("crit a string", "{\"alg\":\"HS256\",\"crit\":\"b64\",\"b64\":true}", pl,
	              JWT_INVALID);
	expect_signed("crit null", "{\"alg\":\"HS256\",\"crit\":null}", pl, JWT_INVALID);
	expect_signed("crit [\"\"]", "{\"alg\":\"HS256\",\"crit\":[\"\"]}", pl, JWT_INVALID);
	expect_signed("b64 false without crit", "{\"alg\":\"HS256\",\"b64\":false}", pl, JWT_OK);
	expect_signed("header an array", "[\"HS256\"]", pl, JWT_INVALID);
	expect_signed("header a string", "\"HS256\"", pl, JWT_INVALID);
	expect_signed("header not JSON", "{alg:HS256}", pl, JWT_INVALID);
	expect_signed("header with a BOM", "\xef\xbb\xbf{\"alg\":\"HS256\"}", pl, JWT_OK);
	expect_signed("header bad UTF-8", "{\"alg\":\"HS256\",\"x\":\"\xff\"}", pl, JWT_INVALID);

	/* A header segment with needless '=' padding (20 characters + '='). */
	t = sign("{\"alg\":\"HS256\"}", pl);
	{
		char raw[512];
		const char *dot = strchr(t, '.');
		unsigned char mac[CRYPTO_MAC_LEN];
		size_t n;

		n = (size_t)snprintf(raw, sizeof raw, "%.*s=%.*s", (int)(dot - t), t,
		                     (int)(strrchr(t, '.') - dot), dot);
		crypto_hmac(raw, n, mac);
		raw[n++] = '.';
		crypto_base64_encode(mac, CRYPTO_MAC_LEN, raw + n, true);
		EXPECT(raw, NOW, JWT_INVALID);
	}
	free(t);
}

static void
test_claims(void)
{
	static const char h[] = "{\"alg\":\"HS256\"}";

	expect_signed("no exp never expires", h, "{\"email\":\"ghost@example.com\"}", JWT_OK);
	{
		char *t = sign(h, "{\"email\":\"ghost@example.com\"}");
		struct jwt_claims c;

		CHECK(jwt_verify(t, strlen(t), 32503680000000LL /* year 3000 */, &c) == JWT_OK &&
		              !c.has_exp,
		      "no exp: valid in the year 3000");
		jwt_claims_cleanup(&c);
		free(t);
	}
	expect_signed("exp fractional, after now", h,
	              "{\"email\":\"ghost@example.com\",\"exp\":1735689600.5}", JWT_OK);
	expect_signed("exp fractional, before now", h,
	              "{\"email\":\"ghost@example.com\",\"exp\":1735689599.5}", JWT_EXPIRED);
	expect_signed("exp = now", h, "{\"email\":\"ghost@example.com\",\"exp\":1735689600}",
	              JWT_EXPIRED);
	expect_signed("exp -0", h, "{\"email\":\"ghost@example.com\",\"exp\":-0}", JWT_EXPIRED);
	expect_signed("exp 1e400 (Infinity)", h, "{\"email\":\"ghost@example.com\",\"exp\":1e400}",
	              JWT_OK);
	expect_signed("exp a string", h, "{\"email\":\"ghost@example.com\",\"exp\":\"1735690200\"}",
	              JWT_INVALID);
	expect_signed("exp null", h, "{\"email\":\"ghost@example.com\",\"exp\":null}", JWT_INVALID);
	expect_signed("iat a string", h,
	              "{\"email\":\"ghost@example.com\",\"iat\":\"1\",\"exp\":1735690200}",
	              JWT_INVALID);
	/* iat is checked before exp, so a bad iat on an expired token is INVALID. */
	expect_signed("iat a string, expired", h,
	              "{\"email\":\"ghost@example.com\",\"iat\":\"1\",\"exp\":1}", JWT_INVALID);
	expect_signed("iat in the future", h,
	              "{\"email\":\"ghost@example.com\",\"iat\":1835689600}", JWT_OK);
	expect_signed("nbf = now", h, "{\"email\":\"ghost@example.com\",\"nbf\":1735689600}",
	              JWT_OK);
	expect_signed("nbf after now", h, "{\"email\":\"ghost@example.com\",\"nbf\":1735689601}",
	              JWT_INVALID);
	expect_signed("nbf after now, expired", h,
	              "{\"email\":\"ghost@example.com\",\"nbf\":1735689601,\"exp\":1}",
	              JWT_INVALID);
	expect_signed("nbf a string", h, "{\"email\":\"ghost@example.com\",\"nbf\":\"x\"}",
	              JWT_INVALID);
	expect_signed("payload an array", h, "[1]", JWT_INVALID);
	expect_signed("payload not JSON", h, "hello", JWT_INVALID);
	expect_signed("payload empty", h, "", JWT_INVALID);
	expect_signed("payload bad UTF-8", h, "{\"email\":\"ghost@example.com\",\"x\":\"\xff\"}",
	              JWT_INVALID);
	expect_signed("payload with spaces", h, " {\"email\":\"ghost@example.com\"} ", JWT_OK);
	expect_signed("payload with a BOM", h, "\xef\xbb\xbf{\"email\":\"ghost@example.com\"}",
	              JWT_OK);
	expect_signed("other claims of any type", h,
	              "{\"email\":\"ghost@example.com\",\"jti\":5,\"iss\":5,\"aud\":5,\"sub\":5}",
	              JWT_OK);

	/* Better Auth's zod check after jose: a 500. Expiry comes first. */
	expect_signed("email a number", h, "{\"email\":5,\"exp\":1735690200}", JWT_BAD_PAYLOAD);
	expect_signed("email missing", h, "{\"userId\":\"x\",\"exp\":1735690200}", JWT_BAD_PAYLOAD);
	expect_signed("email not an email", h, "{\"email\":\"ghost\",\"exp\":1735690200}",
	              JWT_BAD_PAYLOAD);
	expect_signed("email not an email, expired", h, "{\"email\":\"ghost\",\"exp\":1}",
	              JWT_EXPIRED);
	expect_signed("userId a number", h, "{\"email\":\"ghost@example.com\",\"userId\":1}",
	              JWT_BAD_PAYLOAD);
	expect_signed("updateTo null", h, "{\"email\":\"ghost@example.com\",\"updateTo\":null}",
	              JWT_BAD_PAYLOAD);
	expect_signed("requestType a bool", h,
	              "{\"email\":\"ghost@example.com\",\"requestType\":true}", JWT_BAD_PAYLOAD);
	expect_signed("updateTo any string", h,
	              "{\"email\":\"ghost@example.com\",\"updateTo\":\"\"}", JWT_OK);
}

int
main(void)
{
	CHECK(crypto_init(SECRET, strlen(SECRET)), "crypto_init");
	test_vectors();
	test_format();
	test_header();
	test_claims();
	crypto_cleanup();
	UNIT_END();
}
