/*
 * fuzz_form.c — form_parse on arbitrary bytes. When it succeeds: at most
 * FORM_MAX_PAIRS members, distinct keys, every value a UTF-8 string, and
 * the document re-encoded as a form body parses back to the same bytes.
 * When it fails the document is empty.
 */
#include "form.h"
#include "fuzz.h"

#include <string.h>

/* The form encoding of s: everything but unreserved characters as %XX. */
static void
form_encode(bson_string_t *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '*')
			bson_string_append_c(out, (char)c);
		else if (c == ' ')
			bson_string_append_c(out, '+');
		else
			bson_string_append_printf(out, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bson_t doc = BSON_INITIALIZER, re = BSON_INITIALIZER;
	bson_iter_t it, other;
	bson_string_t *body;
	size_t off;
	bool first = true;

	if (!form_parse((const char *)data, size, &doc)) {
		FUZZ_CHECK(bson_empty(&doc));
		bson_destroy(&doc);
		return 0;
	}
	FUZZ_CHECK(bson_count_keys(&doc) <= FORM_MAX_PAIRS);
	FUZZ_CHECK(bson_validate(&doc, BSON_VALIDATE_UTF8, &off));
	body = bson_string_new(NULL);
	FUZZ_CHECK(bson_iter_init(&it, &doc));
	while (bson_iter_next(&it)) {
		uint32_t len;
		const char *v;

		FUZZ_CHECK(BSON_ITER_HOLDS_UTF8(&it));
		v = bson_iter_utf8(&it, &len);
		FUZZ_CHECK(strlen(v) == len && fuzz_utf8_valid(v, len));
		FUZZ_CHECK(fuzz_utf8_valid(bson_iter_key(&it), strlen(bson_iter_key(&it))));
		/* The last duplicate won: no key twice. */
		other = it;
		while (bson_iter_next(&other))
			FUZZ_CHECK(strcmp(bson_iter_key(&other), bson_iter_key(&it)) != 0);
		if (!first)
			bson_string_append_c(body, '&');
		form_encode(body, bson_iter_key(&it));
		bson_string_append_c(body, '=');
		form_encode(body, v);
		first = false;
	}
	FUZZ_CHECK(form_parse(body->str, body->len, &re));
	FUZZ_CHECK(bson_equal(&doc, &re));
	bson_string_free(body, true);
	bson_destroy(&re);
	bson_destroy(&doc);
	return 0;
}
