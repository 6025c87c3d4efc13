/*
 * crypto.c — HMAC-SHA256 with the process secret, Base64 (standard and
 * URL-safe), hex, constant-time comparison and the CSPRNG, on OpenSSL 3.
 *
 * The HMAC context is keyed once in crypto_init; each crypto_hmac re-inits it
 * with a NULL key (EVP_MAC_init keeps the key, only the state is reset), so
 * no call allocates or re-keys. One context per process: not thread-safe,
 * which matches the one-request-at-a-time FastCGI accept loop.
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

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

static EVP_MAC *crypto_mac;
static EVP_MAC_CTX *crypto_mac_ctx;

static const char crypto_b64_std[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char crypto_b64_url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool
crypto_init(const char *secret, size_t secret_len)
{
	bool ok = false;
	char digest[] = "SHA256";
	OSSL_PARAM params[2];

	crypto_cleanup();
	crypto_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (crypto_mac == NULL)
		goto done;
	crypto_mac_ctx = EVP_MAC_CTX_new(crypto_mac);
	if (crypto_mac_ctx == NULL)
		goto done;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* A NULL key would mean "keep the current one", so an empty secret
	 * is passed as a non-NULL pointer of length 0. */
	if (!EVP_MAC_init(crypto_mac_ctx, (const unsigned char *)(secret ? secret : ""),
	                  secret ? secret_len : 0, params))
		goto done;
	ok = true;
done:
	if (!ok) {
		fprintf(stderr, "crypto: HMAC-SHA256 initialisation failed\n");
		crypto_cleanup();
	}
	return ok;
}

void
crypto_cleanup(void)
{
	EVP_MAC_CTX_free(crypto_mac_ctx);
	crypto_mac_ctx = NULL;
	EVP_MAC_free(crypto_mac);
	crypto_mac = NULL;
}

void
crypto_hmac(const void *msg, size_t len, unsigned char mac[CRYPTO_MAC_LEN])
{
	size_t out_len = 0;

	if (crypto_mac_ctx == NULL) {
		fprintf(stderr, "crypto: crypto_hmac called before crypto_init\n");
		abort();
	}
	/* NULL key: reset the state, keep the key set in crypto_init. */
	if (!EVP_MAC_init(crypto_mac_ctx, NULL, 0, NULL) ||
	    !EVP_MAC_update(crypto_mac_ctx, msg, len) ||
	    !EVP_MAC_final(crypto_mac_ctx, mac, &out_len, CRYPTO_MAC_LEN) ||
	    out_len != CRYPTO_MAC_LEN) {
		fprintf(stderr, "crypto: HMAC-SHA256 failed\n");
		abort();
	}
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

/* The 6-bit value of each character, -1 outside the alphabet: one table
 * per alphabet, filled on first use. */
static const signed char *
crypto_b64_table(bool url)
{
	static signed char table[2][256];
	static bool filled;
	int a, i;

	if (!filled) {
		memset(table, -1, sizeof(table));
		for (a = 0; a < 2; a++)
			for (i = 0; i < 64; i++)
				table[a][(unsigned char)(a ? crypto_b64_url : crypto_b64_std)[i]] =
					(signed char)i;
		filled = true;
	}
	return table[url];
}

static long
crypto_b64_decode(const char *src, size_t n, unsigned char *dst, size_t cap, bool url)
{
	const signed char *val = crypto_b64_table(url);
	const unsigned char *s = (const unsigned char *)src;
	size_t digits = n, out_len, i, o = 0;
	unsigned long acc = 0;
	int bits = 0, v;

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
	if (digits % 4 == 1)
		return -1;
	out_len = digits / 4 * 3 + (digits % 4 ? digits % 4 - 1 : 0);
	if (out_len > cap || out_len > LONG_MAX)
		return -1;
	/* Four characters to three bytes at a time, then the tail. */
	for (i = 0; i + 4 <= digits; i += 4) {
		int a = val[s[i]], b = val[s[i + 1]], c = val[s[i + 2]], d = val[s[i + 3]];

		if ((a | b | c | d) < 0)
			return -1;
		acc = (unsigned long)a << 18 | (unsigned long)b << 12 | (unsigned long)c << 6 |
		      (unsigned long)d;
		dst[o++] = (unsigned char)(acc >> 16);
		dst[o++] = (unsigned char)(acc >> 8 & 0xff);
		dst[o++] = (unsigned char)(acc & 0xff);
	}
	for (acc = 0; i < digits; i++) {
		v = val[s[i]];
		if (v < 0)
			return -1;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			dst[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	return (long)o;
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
