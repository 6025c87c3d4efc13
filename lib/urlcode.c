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
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int hi = -1, lo = -1;

		if (s[i] == '%' && n - i >= 3) {
			hi = urlcode_hexval((unsigned char)s[i + 1]);
			lo = urlcode_hexval((unsigned char)s[i + 2]);
		}
		if (hi >= 0 && lo >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '%' && mode == URLCODE_COMPONENT) {
			goto fail;
		} else {
			out[o++] = s[i] == '+' && mode == URLCODE_FORM ? ' ' : s[i];
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
