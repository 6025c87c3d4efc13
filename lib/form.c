/*
 * form.c — see form.h.
 */
#include "form.h"

#include "urlcode.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

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
			const char *key_end = eq ? eq : seg_end;

			keys[n] = urlcode_decode(p, (size_t)(key_end - p), URLCODE_FORM, NULL);
			vals[n] = eq ? urlcode_decode(eq + 1, (size_t)(seg_end - eq - 1),
			                              URLCODE_FORM, NULL)
			             : xstrdup("");
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
