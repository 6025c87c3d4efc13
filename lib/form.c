/*
 * form.c — see form.h.
 */
#include "form.h"

#include <stdlib.h>
#include <string.h>

static int
form_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) into a new NUL-terminated string; NULL if the result is
 * not clean UTF-8 without NUL. */
static char *
form_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (!out)
		abort();
	for (i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%' && n - i >= 3 && (hi = form_hexval((unsigned char)s[i + 1])) >= 0 &&
		         (lo = form_hexval((unsigned char)s[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	if (memchr(out, '\0', o) || !bson_utf8_validate(out, o, false)) {
		free(out);
		return NULL;
	}
	return out;
}

bool
form_parse(const char *buf, size_t len, bson_t *out)
{
	char *keys[FORM_MAX_PAIRS], *vals[FORM_MAX_PAIRS];
	size_t n = 0, i, j;
	const char *p = buf, *end = buf + len;
	bool ok = true;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *seg_end = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(seg_end - p));

		if (seg_end > p) {
			if (n == FORM_MAX_PAIRS) {
				ok = false;
				break;
			}
			keys[n] = form_decode(p, (size_t)((eq ? eq : seg_end) - p));
			vals[n] = eq ? form_decode(eq + 1, (size_t)(seg_end - eq - 1)) : strdup("");
			n++;
			if (!keys[n - 1] || !vals[n - 1]) {
				ok = false;
				break;
			}
		}
		p = amp ? amp + 1 : end;
	}
	/* As Object.fromEntries: a key keeps its first position and takes its
	 * last value. */
	for (i = 0; ok && i < n; i++) {
		bool earlier = false;
		size_t last = i;

		for (j = 0; j < i && !earlier; j++)
			earlier = !strcmp(keys[i], keys[j]);
		if (earlier)
			continue;
		for (j = i + 1; j < n; j++)
			if (!strcmp(keys[i], keys[j]))
				last = j;
		bson_append_utf8(out, keys[i], -1, vals[last], -1);
	}
	for (i = 0; i < n; i++) {
		free(keys[i]);
		free(vals[i]);
	}
	if (!ok)
		bson_reinit(out);
	return ok;
}
