/*
 * test_crypto.c — HMAC-SHA256 against Better Auth's cookie vectors and
 * RFC 4231, Base64 against RFC 4648 in both alphabets, decoder rejections
 * and round trips, hex and constant-time comparison.
 */
#include "crypto.h"
#include "unit.h"

#include <stdbool.h>
#include <string.h>

static const char secret[] = "test-secret-0123456789abcdefghijklmnop";

/* Base64 of HMAC(msg) into b64 (45 bytes for standard, 44 for url). */
static void
hmac_b64(const char *msg, char *b64, bool url)
{
	unsigned char mac[CRYPTO_MAC_LEN];

	crypto_hmac(msg, strlen(msg), mac);
	crypto_base64_encode(mac, sizeof mac, b64, url);
}

static void
hmac_hex(const char *msg, char hex[2 * CRYPTO_MAC_LEN + 1])
{
	unsigned char mac[CRYPTO_MAC_LEN];

	crypto_hmac(msg, strlen(msg), mac);
	crypto_hex(mac, sizeof mac, hex);
}

static void
test_hmac(void)
{
	/* The session_data signature input of the vectors file, section (d). */
	static const char cache_json[] =
		"{\"session\":{\"id\":\"sessionid0000000000000000000000A\",\"token\":"
		"\"abcdefghijklmnopqrstuvwxyz012345\",\"userId\":\"userid0000000000000"
		"0000000000000\",\"expiresAt\":\"2025-01-08T00:00:00.000Z\",\"createdAt"
		"\":\"2025-01-01T00:00:00.000Z\",\"updatedAt\":\"2025-01-01T00:00:00.000"
		"Z\",\"ipAddress\":\"\",\"userAgent\":\"curl/7.88.1\"},\"user\":{\"id\":"
		"\"userid00000000000000000000000000\",\"name\":\"Alice\",\"email\":\"al"
		"ice@example.com\",\"emailVerified\":false,\"createdAt\":\"2025-01-01T0"
		"0:00:00.000Z\",\"updatedAt\":\"2025-01-01T00:00:00.000Z\"},\"updatedAt"
		"\":1735689600000,\"version\":\"1\",\"expiresAt\":1735689900000}";
	char b64[64], hex[2 * CRYPTO_MAC_LEN + 1];
	int i;

	crypto_cleanup(); /* safe before any init */
	CHECK(crypto_init(secret, strlen(secret)), "crypto_init failed");

	/* Several rounds, interleaved: the keyed context is reused. */
	for (i = 0; i < 3; i++) {
		hmac_b64("abcdefghijklmnopqrstuvwxyz012345", b64, false);
		CHECK_STR(b64, "aXXNElWNEpWo5RBBdr04f5+9qMgDTCOyxaApSp2NGg0=");
		hmac_b64("true", b64, false);
		CHECK_STR(b64, "TO3xUdjcBLjvSscD8JJxIQ76eBec5B5AVgTAtTpGCbI=");
	}
	hmac_b64(cache_json, b64, true);
	CHECK_STR(b64, "B88x0cq4uGYby6vmQw-zSPiqaW-NcR0xh-zNKSsxIy0");

	/* Re-keying replaces the key: RFC 4231 test case 2. */
	CHECK(crypto_init("Jefe", 4), "crypto_init Jefe failed");
	hmac_hex("what do ya want for nothing?", hex);
	CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	/* A key longer than the block is hashed first: RFC 4231 test case 6
	 * (131 bytes of 0xaa). */
	{
		char key[131];
		static const char msg[] = "Test Using Larger Than Block-Size Key - Hash Key First";
		unsigned char mac[CRYPTO_MAC_LEN];

		memset(key, 0xaa, sizeof key);
		CHECK(crypto_init(key, sizeof key), "crypto_init long key failed");
		hmac_hex(msg, hex);
		CHECK_STR(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
		/* The same message in two pieces, split anywhere, is the same MAC. */
		for (i = 0; i <= (int)strlen(msg); i += 9) {
			crypto_hmac2(msg, (size_t)i, msg + i, strlen(msg) - (size_t)i, mac);
			crypto_hex(mac, sizeof mac, hex);
			CHECK_STR(
				hex,
				"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
		}
		/* A 64-byte key is used as it is (not hashed): 0xaa × 64. */
		CHECK(crypto_init(key, 64), "crypto_init 64-byte key failed");
		hmac_hex(msg, hex);
		CHECK(strcmp(hex,
		             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
		      "a 64-byte key was hashed");
	}

	/* An empty key and an empty message. */
	CHECK(crypto_init("", 0), "crypto_init empty failed");
	hmac_hex("", hex);
	CHECK_STR(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
	hmac_hex("", hex);
	CHECK_STR(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");

	crypto_cleanup();
	crypto_cleanup(); /* twice is harmless */

	CHECK(crypto_init(secret, strlen(secret)), "crypto_init again failed");
	hmac_b64("true", b64, false);
	CHECK_STR(b64, "TO3xUdjcBLjvSscD8JJxIQ76eBec5B5AVgTAtTpGCbI=");
	crypto_cleanup();
}

static void
test_base64_vectors(void)
{
	static const struct {
		const char *plain, *std, *url;
	} v[] = {
		{"", "", ""},
		{"f", "Zg==", "Zg"},
		{"fo", "Zm8=", "Zm8"},
		{"foo", "Zm9v", "Zm9v"},
		{"foob", "Zm9vYg==", "Zm9vYg"},
		{"fooba", "Zm9vYmE=", "Zm9vYmE"},
		{"foobar", "Zm9vYmFy", "Zm9vYmFy"},
	};
	char enc[16];
	unsigned char dec[16];
	size_t i, n, len;
	long got;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		n = strlen(v[i].plain);

		CHECK(crypto_base64_len(n, false) == strlen(v[i].std), "std len of \"%s\"",
		      v[i].plain);
		len = crypto_base64_encode(v[i].plain, n, enc, false);
		CHECK(len == strlen(v[i].std), "std encode length of \"%s\"", v[i].plain);
		CHECK_STR(enc, v[i].std);

		CHECK(crypto_base64_len(n, true) == strlen(v[i].url), "url len of \"%s\"",
		      v[i].plain);
		len = crypto_base64_encode(v[i].plain, n, enc, true);
		CHECK(len == strlen(v[i].url), "url encode length of \"%s\"", v[i].plain);
		CHECK_STR(enc, v[i].url);

		got = crypto_base64_decode(v[i].std, strlen(v[i].std), dec, sizeof dec);
		CHECK(got == (long)n && memcmp(dec, v[i].plain, n) == 0, "std decode of \"%s\"",
		      v[i].std);
		got = crypto_base64url_decode(v[i].url, strlen(v[i].url), dec, sizeof dec);
		CHECK(got == (long)n && memcmp(dec, v[i].plain, n) == 0, "url decode of \"%s\"",
		      v[i].url);
	}

	/* The two alphabets differ exactly at 62 and 63. */
	{
		static const unsigned char fbff[] = {0xfb, 0xff};
		static const unsigned char all62_63[] = {0xfb, 0xef, 0xbe}; /* 62 62 62 62 */
		static const unsigned char all63[] = {0xff, 0xff, 0xff};

		crypto_base64_encode(fbff, sizeof fbff, enc, true);
		CHECK_STR(enc, "-_8");
		crypto_base64_encode(fbff, sizeof fbff, enc, false);
		CHECK_STR(enc, "+/8=");
		got = crypto_base64url_decode("-_8", 3, dec, sizeof dec);
		CHECK(got == 2 && memcmp(dec, fbff, 2) == 0, "url decode -_8 (%ld)", got);
		got = crypto_base64_decode("+/8=", 4, dec, sizeof dec);
		CHECK(got == 2 && memcmp(dec, fbff, 2) == 0, "std decode +/8= (%ld)", got);

		crypto_base64_encode(all62_63, sizeof all62_63, enc, false);
		CHECK_STR(enc, "++++");
		crypto_base64_encode(all63, sizeof all63, enc, false);
		CHECK_STR(enc, "////");
		crypto_base64_encode(all62_63, sizeof all62_63, enc, true);
		CHECK_STR(enc, "----");
		crypto_base64_encode(all63, sizeof all63, enc, true);
		CHECK_STR(enc, "____");
	}
}

static void
test_base64_reject(void)
{
	static const char *const bad_std[] = {
		"Zm9v!", "Zm9",  "Zm=v", "Z===",     "====",     "Zg=",      "=Zg=", "Zm9v\n",
		"Zm 9",  "Zm-v", "Zm_v", "Zg==Zg==", "Zm8=Zm8=", "Zm9v====", "Zg",
	};
	static const char *const bad_url[] = {
		"Zm9v!", "+/", "Zm+v", "Zm/v", "Zg==", "Zm8=", "Z", "Zm9vY", "Zm9v=", "Zm 9",
	};
	unsigned char dec[16];
	size_t i;

	for (i = 0; i < sizeof bad_std / sizeof bad_std[0]; i++)
		CHECK(crypto_base64_decode(bad_std[i], strlen(bad_std[i]), dec, sizeof dec) == -1,
		      "std decode accepted \"%s\"", bad_std[i]);
	for (i = 0; i < sizeof bad_url / sizeof bad_url[0]; i++)
		CHECK(crypto_base64url_decode(bad_url[i], strlen(bad_url[i]), dec, sizeof dec) ==
		              -1,
		      "url decode accepted \"%s\"", bad_url[i]);

	/* An embedded NUL is an invalid character, not an end. */
	CHECK(crypto_base64_decode("Zm\0v", 4, dec, sizeof dec) == -1, "std NUL");
	CHECK(crypto_base64url_decode("Zm\0v", 4, dec, sizeof dec) == -1, "url NUL");

	/* Capacity: exact fits, one short fails. */
	CHECK(crypto_base64_decode("Zm9vYmFy", 8, dec, 6) == 6, "std cap exact");
	CHECK(crypto_base64_decode("Zm9vYmFy", 8, dec, 5) == -1, "std cap short");
	CHECK(crypto_base64_decode("Zm9vYg==", 8, dec, 4) == 4, "std cap exact padded");
	CHECK(crypto_base64_decode("Zm9vYg==", 8, dec, 3) == -1, "std cap short padded");
	CHECK(crypto_base64url_decode("Zm9vYmE", 7, dec, 5) == 5, "url cap exact");
	CHECK(crypto_base64url_decode("Zm9vYmE", 7, dec, 4) == -1, "url cap short");
	CHECK(crypto_base64_decode("", 0, NULL, 0) == 0, "std empty");
	CHECK(crypto_base64url_decode("", 0, NULL, 0) == 0, "url empty");
}

static void
test_base64_roundtrip(void)
{
	unsigned char src[100], dec[100];
	char enc[140];
	size_t n, len;
	long got;
	bool ok_std = true, ok_url = true;

	for (n = 0; n <= sizeof src; n++) {
		crypto_random(src, n);

		len = crypto_base64_encode(src, n, enc, false);
		got = crypto_base64_decode(enc, len, dec, sizeof dec);
		if (len != crypto_base64_len(n, false) || strlen(enc) != len || got != (long)n ||
		    memcmp(dec, src, n) != 0)
			ok_std = false;

		len = crypto_base64_encode(src, n, enc, true);
		got = crypto_base64url_decode(enc, len, dec, sizeof dec);
		if (len != crypto_base64_len(n, true) || strlen(enc) != len || got != (long)n ||
		    memcmp(dec, src, n) != 0 || strpbrk(enc, "+/=") != NULL)
			ok_url = false;
	}
	CHECK(ok_std, "standard round trip of random buffers");
	CHECK(ok_url, "url round trip of random buffers");
}

static void
test_hex_equal_random(void)
{
	static const unsigned char bytes[] = {0x00, 0xff, 0x10, 0xab, 0x7f, 0x80};
	unsigned char a[32], b[32];
	char hex[2 * sizeof bytes + 1];

	crypto_hex(bytes, sizeof bytes, hex);
	CHECK_STR(hex, "00ff10ab7f80");
	crypto_hex(bytes, 0, hex);
	CHECK_STR(hex, "");

	CHECK(crypto_equal("abcdef", "abcdef", 6), "equal");
	CHECK(!crypto_equal("abcdef", "abcdeF", 6), "last byte differs");
	CHECK(!crypto_equal("Abcdef", "abcdef", 6), "first byte differs");
	CHECK(crypto_equal("a", "b", 0), "zero length is equal");

	crypto_random(a, sizeof a);
	crypto_random(b, sizeof b);
	CHECK(!crypto_equal(a, b, sizeof a), "two random draws differ");
	crypto_random(a, 0);
}

/* An independent decoder, bit by bit as RFC 4648 describes it: the
 * reference the table-driven one is checked against. */
static long
ref_base64_decode(const unsigned char *s, size_t n, unsigned char *out, bool url)
{
	const char *alphabet =
		url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		    : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t digits = n, i;
	unsigned long acc = 0;
	int bits = 0;
	long o = 0;

	if (!url) {
		if (n % 4 != 0)
			return -1;
		for (i = 0; i < 2 && digits > 0 && s[digits - 1] == '='; i++)
			digits--;
	}
	if (digits % 4 == 1)
		return -1;
	for (i = 0; i < digits; i++) {
		const char *p = s[i] ? strchr(alphabet, s[i]) : NULL;

		if (!p)
			return -1;
		acc = (acc << 6 | (unsigned long)(p - alphabet)) & 0xffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return o;
}

/* Decodes e[0..n) with both decoders: 1 when they disagree (printing the
 * first few), else 0. */
static int
base64_disagrees(const unsigned char *e, size_t n, bool url)
{
	static int printed;
	unsigned char ref[24], dec[24];
	long want = ref_base64_decode(e, n, ref, url), got;

	got = url ? crypto_base64url_decode((const char *)e, n, dec, sizeof dec)
	          : crypto_base64_decode((const char *)e, n, dec, sizeof dec);
	if (got == want && (want <= 0 || !memcmp(dec, ref, (size_t)want)))
		return 0;
	if (printed++ < 5)
		fprintf(stderr, "%s \"%.*s\": got %ld want %ld\n", url ? "url" : "std", (int)n,
		        (const char *)e, got, want);
	return 1;
}

/* Every length mod 4, with and without padding, and every byte value in
 * every position of the encodings of random buffers (one character more at
 * the end, one fewer): the decoder and the reference agree on the verdict
 * and the bytes. */
static void
test_base64_exhaustive(void)
{
	unsigned char src[14], enc[24], e[24], dec[24];
	size_t n, len, pos;
	int c, url, disagree = 0, cases = 0;
	long got;

	for (url = 0; url < 2; url++)
		for (n = 0; n <= sizeof src; n++) {
			crypto_random(src, n);
			len = crypto_base64_encode(src, n, (char *)enc, url);
			for (pos = 0; pos < len; pos++)
				for (c = 0; c < 256; c++) {
					memcpy(e, enc, len);
					e[pos] = (unsigned char)c;
					disagree += base64_disagrees(e, len, url);
					cases++;
				}
			for (c = 0; c < 256; c++) {
				memcpy(e, enc, len);
				e[len] = (unsigned char)c;
				disagree += base64_disagrees(e, len + 1, url);
				cases++;
			}
			if (len > 0) {
				disagree += base64_disagrees(enc, len - 1, url);
				cases++;
			}
			/* The untouched encoding decodes to the source. */
			got = url ? crypto_base64url_decode((const char *)enc, len, dec, sizeof dec)
			          : crypto_base64_decode((const char *)enc, len, dec, sizeof dec);
			CHECK(got == (long)n && memcmp(dec, src, n) == 0, "%s decode of length %zu",
			      url ? "url" : "std", n);
		}
	CHECK(disagree == 0, "%d of %d altered encodings decoded unlike the reference", disagree,
	      cases);
	CHECK(cases > 50000, "only %d cases", cases);
}

int
main(void)
{
	test_hmac();
	test_base64_vectors();
	test_base64_reject();
	test_base64_roundtrip();
	test_base64_exhaustive();
	test_hex_equal_random();
	UNIT_END();
}
