/*
 * crypto.c — HMAC-SHA256 with the process secret, Base64 (standard and
 * URL-safe), hex, constant-time comparison and the CSPRNG, on OpenSSL 3.
 *
 * HMAC-SHA256 (RFC 2104) is computed over two SHA-256 states prepared once in
 * crypto_init: the inner one after the key XOR ipad block, the outer one after
 * the key XOR opad block. A MAC is then a struct copy, the message, and two
 * finals: no allocation, no re-keying, no provider dispatch. (EVP_MAC re-init
 * duplicated a provider context per call: two thirds of a short MAC's cost,
 * and a cookie-cache get-session makes two.) The SHA256_* functions are
 * deprecated in OpenSSL 3 but present, and use the same block code as EVP.
 * crypto_init checks the result once against OpenSSL's own HMAC (EVP, under
 * the process's OpenSSL configuration: one that forbids SHA-256 still fails
 * the start). One pair of states per process: not thread-safe, which
 * matches the one-request-at-a-time FastCGI accept loop.
 *
 * Base64 is hand-written: EVP_DecodeBlock neither reports the padding length
 * nor knows the URL-safe alphabet. Decoding rejects every character outside
 * the alphabet and every bad length or padding, but, like Node's Buffer, it
 * ignores non-zero bits left over in the last character.
 */
#include "crypto.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SHA256_Init/Update/Final: deprecated in OpenSSL 3, not removed. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#define CRYPTO_BLOCK 64 /* SHA-256 block size: the HMAC key pad */

static SHA256_CTX crypto_inner, crypto_outer; /* after key^ipad, key^opad */
static bool crypto_keyed;

static const char crypto_b64_std[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char crypto_b64_url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool
crypto_init(const char *secret, size_t secret_len)
{
	static const char probe[] = "fcgi-auth: HMAC-SHA256 known answer";
	unsigned char key[CRYPTO_BLOCK] = {0}, pad[CRYPTO_BLOCK];
	unsigned char ours[CRYPTO_MAC_LEN], theirs[EVP_MAX_MD_SIZE];
	unsigned int theirs_len = 0;
	size_t i;
	bool ok = false;

	crypto_cleanup();
	/* A key longer than the block is hashed first (RFC 2104 §2). */
	if (secret_len > CRYPTO_BLOCK) {
		if (!SHA256((const unsigned char *)secret, secret_len, key))
			goto done;
	} else if (secret_len > 0) {
		memcpy(key, secret, secret_len);
	}
	for (i = 0; i < CRYPTO_BLOCK; i++)
		pad[i] = key[i] ^ 0x36;
	if (!SHA256_Init(&crypto_inner) || !SHA256_Update(&crypto_inner, pad, sizeof pad))
		goto done;
	for (i = 0; i < CRYPTO_BLOCK; i++)
		pad[i] = key[i] ^ 0x5c;
	if (!SHA256_Init(&crypto_outer) || !SHA256_Update(&crypto_outer, pad, sizeof pad))
		goto done;
	crypto_keyed = true;
	/* Known answer: the same MAC through EVP. */
	crypto_hmac(probe, sizeof probe - 1, ours);
	ok = secret_len <= INT_MAX &&
	     HMAC(EVP_sha256(), secret ? secret : "", (int)secret_len, (const unsigned char *)probe,
	          sizeof probe - 1, theirs, &theirs_len) &&
	     theirs_len == CRYPTO_MAC_LEN && crypto_equal(ours, theirs, CRYPTO_MAC_LEN);
done:
	OPENSSL_cleanse(key, sizeof key);
	OPENSSL_cleanse(pad, sizeof pad);
	if (!ok) {
		fprintf(stderr, "crypto: HMAC-SHA256 initialisation failed\n");
		crypto_cleanup();
	}
	return ok;
}

void
crypto_cleanup(void)
{
	OPENSSL_cleanse(&crypto_inner, sizeof crypto_inner);
	OPENSSL_cleanse(&crypto_outer, sizeof crypto_outer);
	crypto_keyed = false;
}

void
crypto_hmac2(const void *a, size_t a_len, const void *b, size_t b_len,
             unsigned char mac[CRYPTO_MAC_LEN])
{
	SHA256_CTX ctx;
	unsigned char inner[SHA256_DIGEST_LENGTH];
	bool ok;

	if (!crypto_keyed) {
		fprintf(stderr, "crypto: crypto_hmac called before crypto_init\n");
		abort();
	}
	ctx = crypto_inner;
	ok = SHA256_Update(&ctx, a, a_len) && (b_len == 0 || SHA256_Update(&ctx, b, b_len)) &&
	     SHA256_Final(inner, &ctx);
	ctx = crypto_outer;
	ok = ok && SHA256_Update(&ctx, inner, sizeof inner) && SHA256_Final(mac, &ctx);
	OPENSSL_cleanse(&ctx, sizeof ctx);
	OPENSSL_cleanse(inner, sizeof inner);
	if (!ok) {
		fprintf(stderr, "crypto: HMAC-SHA256 failed\n");
		abort();
	}
}

void
crypto_hmac(const void *msg, size_t len, unsigned char mac[CRYPTO_MAC_LEN])
{
	crypto_hmac2(msg, len, NULL, 0, mac);
}

size_t
crypto_base64_len(size_t n, bool url)
{
	size_t rem = n % 3;

	if (url)
		return n / 3 * 4 + (rem ? rem + 1 : 0);
	return (n / 3 + (rem ? 1 : 0)) * 4;
}

size_t
crypto_base64_encode(const void *src, size_t n, char *dst, bool url)
{
	const unsigned char *s = src;
	const char *alphabet = url ? crypto_b64_url : crypto_b64_std;
	size_t i = 0, o = 0;
	unsigned long v;

	for (; i + 3 <= n; i += 3) {
		v = (unsigned long)s[i] << 16 | (unsigned long)s[i + 1] << 8 | s[i + 2];
		dst[o++] = alphabet[v >> 18 & 63];
		dst[o++] = alphabet[v >> 12 & 63];
		dst[o++] = alphabet[v >> 6 & 63];
		dst[o++] = alphabet[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned long)s[i] << 16;
		dst[o++] = alphabet[v >> 18 & 63];
		dst[o++] = alphabet[v >> 12 & 63];
		if (!url) {
			dst[o++] = '=';
			dst[o++] = '=';
		}
	} else if (n - i == 2) {
		v = (unsigned long)s[i] << 16 | (unsigned long)s[i + 1] << 8;
		dst[o++] = alphabet[v >> 18 & 63];
		dst[o++] = alphabet[v >> 12 & 63];
		dst[o++] = alphabet[v >> 6 & 63];
		if (!url)
			dst[o++] = '=';
	}
	dst[o] = '\0';
	return o;
}

/* Decoding tables, per alphabet and per position in a group of four
 * characters: the character's 6-bit value already shifted to its place in
 * the group's 24 bits (18, 12, 6, 0), or CRYPTO_B64_BAD outside the
 * alphabet. A group is then four lookups ORed together, checked once.
 * Filled on first use. */
#define CRYPTO_B64_BAD 0x80000000u /* a bit no valid group sets */

struct crypto_b64_table {
	uint32_t at[4][256]; /* [position in the group][character] */
};

static const struct crypto_b64_table *
crypto_b64_table(bool url)
{
	static struct crypto_b64_table table[2];
	static bool filled;
	int a, pos, c, i;

	if (!filled) {
		for (a = 0; a < 2; a++)
			for (pos = 0; pos < 4; pos++)
				for (c = 0; c < 256; c++)
					table[a].at[pos][c] = CRYPTO_B64_BAD;
		for (a = 0; a < 2; a++)
			for (i = 0; i < 64; i++) {
				c = (unsigned char)(a ? crypto_b64_url : crypto_b64_std)[i];
				for (pos = 0; pos < 4; pos++)
					table[a].at[pos][c] = (uint32_t)i << (18 - 6 * pos);
			}
		filled = true;
	}
	return &table[url];
}

static long
crypto_b64_decode(const char *src, size_t n, unsigned char *dst, size_t cap, bool url)
{
	const struct crypto_b64_table *tab = crypto_b64_table(url);
	const uint32_t *t0 = tab->at[0], *t1 = tab->at[1], *t2 = tab->at[2], *t3 = tab->at[3];
	const unsigned char *s = (const unsigned char *)src, *groups_end;
	unsigned char *d = dst;
	size_t digits = n, out_len, tail;
	uint32_t v;

	if (!url) {
		if (n % 4 != 0)
			return -1;
		/* At most two '=', and only at the very end. */
		if (n > 0 && src[n - 1] == '=') {
			digits--;
			if (src[n - 2] == '=')
				digits--;
		}
	}
	tail = digits % 4;
	if (tail == 1)
		return -1;
	out_len = digits / 4 * 3 + (tail ? tail - 1 : 0);
	if (out_len > cap || out_len > LONG_MAX)
		return -1;
	/* Four characters to three bytes at a time, then the two or three
	 * characters of a last, short group (as if padded with 'A'). */
	groups_end = s + (digits - tail);
	for (; s < groups_end; s += 4, d += 3) {
		v = t0[s[0]] | t1[s[1]] | t2[s[2]] | t3[s[3]];
		if (v & CRYPTO_B64_BAD)
			return -1;
		d[0] = (unsigned char)(v >> 16);
		d[1] = (unsigned char)(v >> 8);
		d[2] = (unsigned char)v;
	}
	if (tail) {
		v = t0[s[0]] | t1[s[1]] | (tail == 3 ? t2[s[2]] : 0);
		if (v & CRYPTO_B64_BAD)
			return -1;
		*d++ = (unsigned char)(v >> 16);
		if (tail == 3)
			*d++ = (unsigned char)(v >> 8);
	}
	return (long)out_len;
}

long
crypto_base64_decode(const char *src, size_t n, unsigned char *dst, size_t cap)
{
	return crypto_b64_decode(src, n, dst, cap, false);
}

long
crypto_base64url_decode(const char *src, size_t n, unsigned char *dst, size_t cap)
{
	return crypto_b64_decode(src, n, dst, cap, true);
}

void
crypto_hex(const void *src, size_t n, char *dst)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *s = src;
	size_t i;

	for (i = 0; i < n; i++) {
		dst[2 * i] = digits[s[i] >> 4];
		dst[2 * i + 1] = digits[s[i] & 15];
	}
	dst[2 * n] = '\0';
}

bool
crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void
crypto_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t chunk;

	while (n > 0) {
		chunk = n > INT_MAX ? INT_MAX : n;
		if (RAND_bytes(p, (int)chunk) != 1) {
			fprintf(stderr, "crypto: RAND_bytes failed\n");
			abort();
		}
		p += chunk;
		n -= chunk;
	}
}
