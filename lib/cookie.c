/*
 * cookie.c — see cookie.h.
 */
#include "cookie.h"

#include "crypto.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COOKIE_SIG_LEN 44 /* Base64 of 32 bytes, with one '=' */

static int
cookie_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* True when s[0..n) is valid UTF-8 (what decodeURIComponent requires of the
 * bytes it produces). */
static bool
cookie_utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], cp, k, j;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			k = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 4, cp = c & 0x07;
		else
			return false;
		if (n - i < k)
			return false;
		for (j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += k;
	}
	return true;
}

/* decodeURIComponent: NULL when a '%' is not followed by two hex digits or
 * the decoded bytes are not UTF-8 (JavaScript's URIError). */
static char *
cookie_uri_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (!out)
		abort();
	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (n - i < 3 || (hi = cookie_hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = cookie_hexval((unsigned char)s[i + 2])) < 0) {
				free(out);
				return NULL;
			}
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (memchr(out, '\0', o) || !cookie_utf8_ok((unsigned char *)out, o)) {
		free(out);
		return NULL;
	}
	return out;
}

/* Visits each "name=value" pair; stops when fn returns true. */
static bool
cookie_each(const char *header, bool (*fn)(void *, const char *, size_t, const char *, size_t),
            void *arg)
{
	const char *p = header;

	while (p && *p) {
		const char *semi = strchr(p, ';');
		const char *end = semi ? semi : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));

		if (eq) {
			const char *n0 = p, *n1 = eq, *v0 = eq + 1, *v1 = end;

			while (n0 < n1 && isspace((unsigned char)*n0))
				n0++;
			while (n1 > n0 && isspace((unsigned char)n1[-1]))
				n1--;
			while (v0 < v1 && isspace((unsigned char)*v0))
				v0++;
			while (v1 > v0 && isspace((unsigned char)v1[-1]))
				v1--;
			if (fn(arg, n0, (size_t)(n1 - n0), v0, (size_t)(v1 - v0)))
				return true;
		}
		p = semi ? semi + 1 : NULL;
	}
	return false;
}

struct cookie_find {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
	bool chunks;
};

/* Better Auth's parseCookieChunkIndex: the suffix is a safe integer
 * written canonically ("0", "12"; not "01", "1a", "+1"). */
static bool
cookie_chunk_index(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 16 || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n < 16 || memcmp(s, "9007199254740991", 16) <= 0;
}

static bool
cookie_match(void *arg, const char *n, size_t nl, const char *v, size_t vl)
{
	struct cookie_find *f = arg;

	if (nl == f->name_len && !memcmp(n, f->name, nl)) {
		f->value = v;
		f->value_len = vl;
		return true;
	}
	if (f->chunks && nl > f->name_len + 1 && !memcmp(n, f->name, f->name_len) &&
	    n[f->name_len] == '.')
		return cookie_chunk_index(n + f->name_len + 1, nl - f->name_len - 1);
	return false;
}

char *
cookie_get(const char *header, const char *name)
{
	struct cookie_find f = {name, strlen(name), NULL, 0, false};
	const char *v;
	size_t n;
	char *out;

	if (!header || !cookie_each(header, cookie_match, &f))
		return NULL;
	v = f.value;
	n = f.value_len;
	/* val.slice(1, -1) whenever it starts with '"', closed or not. */
	if (n >= 1 && v[0] == '"') {
		v++;
		n = n >= 2 ? n - 2 : 0;
	}
	if (memchr(v, '%', n) && (out = cookie_uri_decode(v, n)))
		return out;
	out = strndup(v, n);
	if (!out)
		abort();
	return out;
}

bool
cookie_has_chunks(const char *header, const char *name)
{
	struct cookie_find f = {name, strlen(name), NULL, 0, true};

	return header && cookie_each(header, cookie_match, &f);
}

char *
cookie_sign(const char *value)
{
	unsigned char mac[CRYPTO_MAC_LEN];
	size_t n = strlen(value);
	char *out = malloc(n + 1 + COOKIE_SIG_LEN + 1);

	if (!out)
		abort();
	crypto_hmac(value, n, mac);
	memcpy(out, value, n);
	out[n] = '.';
	crypto_base64_encode(mac, sizeof(mac), out + n + 1, false);
	return out;
}

char *
cookie_verify(const char *signed_value)
{
	const char *dot = strrchr(signed_value, '.');
	unsigned char mac[CRYPTO_MAC_LEN], got[CRYPTO_MAC_LEN + 3];
	char *value;
	size_t n;

	if (!dot || dot == signed_value)
		return NULL;
	if (strlen(dot + 1) != COOKIE_SIG_LEN || dot[COOKIE_SIG_LEN] != '=')
		return NULL;
	if (crypto_base64_decode(dot + 1, COOKIE_SIG_LEN, got, sizeof(got)) != CRYPTO_MAC_LEN)
		return NULL;
	n = (size_t)(dot - signed_value);
	crypto_hmac(signed_value, n, mac);
	if (!crypto_equal(mac, got, CRYPTO_MAC_LEN))
		return NULL;
	value = strndup(signed_value, n);
	if (!value)
		abort();
	return value;
}

void
cookie_encode(bson_string_t *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-_.!~*'()", c))
			bson_string_append_c(out, (char)c);
		else
			bson_string_append_printf(out, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

char *
cookie_format(const char *name, const char *value, long long max_age, bool secure)
{
	char *out, age[40] = "";

	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%lld", max_age);
	if (asprintf(&out, "%s=%s%s; Path=/; HttpOnly%s; SameSite=Lax", name, value, age,
	             secure ? "; Secure" : "") < 0)
		abort();
	return out;
}
