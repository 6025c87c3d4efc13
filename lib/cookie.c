/*
 * cookie.c — see cookie.h.
 */
#include "cookie.h"

#include "crypto.h"
#include "urlcode.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COOKIE_SIG_LEN 44 /* Base64 of 32 bytes, with one '=' */

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

struct cookie_wanted {
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
	struct cookie_wanted *f = arg;

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

bool
cookie_find(const char *header, const char *name, const char **value, size_t *len, char **decoded)
{
	struct cookie_wanted f = {name, strlen(name), NULL, 0, false};
	const char *v;
	size_t n;

	*value = NULL;
	*len = 0;
	*decoded = NULL;
	if (!header || !cookie_each(header, cookie_match, &f))
		return false;
	v = f.value;
	n = f.value_len;
	/* val.slice(1, -1) whenever it starts with '"', closed or not. */
	if (n >= 1 && v[0] == '"') {
		v++;
		n = n >= 2 ? n - 2 : 0;
	}
	if (memchr(v, '%', n) && (*decoded = urlcode_decode(v, n, URLCODE_COMPONENT, len))) {
		*value = *decoded;
		return true;
	}
	*value = v;
	*len = n;
	return true;
}

char *
cookie_get(const char *header, const char *name)
{
	const char *v;
	size_t n;
	char *decoded;

	if (!cookie_find(header, name, &v, &n, &decoded))
		return NULL;
	return decoded ? decoded : xstrndup(v, n);
}

bool
cookie_has_chunks(const char *header, const char *name)
{
	struct cookie_wanted f = {name, strlen(name), NULL, 0, true};

	return header && cookie_each(header, cookie_match, &f);
}

char *
cookie_sign(const char *value)
{
	unsigned char mac[CRYPTO_MAC_LEN];
	size_t n = strlen(value);
	char *out = xmalloc(n + 1 + COOKIE_SIG_LEN + 1);
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
	value = xstrndup(signed_value, n);
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
