/*
 * urlcode.c — see urlcode.h.
 */
#include "urlcode.h"

#include "utf8.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static int
urlcode_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
urlcode_decode(const char *s, size_t n, enum urlcode_mode mode, size_t *out_len)
{
	char *out = xmalloc(n + 1);
	size_t i = 0, o = 0, run, k;
	int hi, lo;

	while (i < n) {
		/* The run up to the next '%', copied as it is ('+' a space in
		 * form mode): a byte-wise loop cost ~13 instructions a byte. */
		const char *pct = memchr(s + i, '%', n - i);

		run = pct ? (size_t)(pct - (s + i)) : n - i;
		if (mode == URLCODE_FORM) {
			for (k = 0; k < run; k++)
				out[o + k] = s[i + k] == '+' ? ' ' : s[i + k];
		} else {
			memcpy(out + o, s + i, run);
		}
		o += run;
		i += run;
		if (i == n)
			break;
		/* s[i] is '%': an escape, or (form mode only) a literal '%'. */
		hi = n - i >= 3 ? urlcode_hexval((unsigned char)s[i + 1]) : -1;
		lo = n - i >= 3 ? urlcode_hexval((unsigned char)s[i + 2]) : -1;
		if (hi >= 0 && lo >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 3;
		} else if (mode == URLCODE_COMPONENT) {
			goto fail;
		} else {
			out[o++] = '%';
			i++;
		}
	}
	out[o] = '\0';
	if (!utf8_is_valid(out, o))
		goto fail;
	if (out_len)
		*out_len = o;
	return out;
fail:
	free(out);
	return NULL;
}

void
urlcode_encode(bson_string_t *out, const char *s, size_t n, enum urlcode_mode mode)
{
	const char *keep = mode == URLCODE_COMPONENT ? "-_.!~*'()" : "*-._";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || (ch && strchr(keep, ch)))
			bson_string_append_c(out, (char)ch);
		else if (ch == ' ' && mode == URLCODE_FORM)
			bson_string_append_c(out, '+');
		else
			bson_string_append_printf(out, "%%%02X", ch);
	}
}
