/*
 * fuzz_json.c — json_parse on arbitrary bytes. When it succeeds:
 *   - the document is well-formed BSON with UTF-8 keys and strings;
 *   - each element re-serialised with json_write_value is valid UTF-8 and
 *     parses again, to the JSON kind its BSON type stands for;
 *   - the whole object re-serialised parses again and serialises to the
 *     same bytes (write ∘ parse is idempotent after one round);
 *   - {"v":<input>} parses too (unless one more level is too deep), and its
 *     member re-serialises to the input's top-level kind.
 * A failure always leaves the document empty.
 */
#include "fuzz.h"
#include "json.h"
#include "json_write.h"

#include <math.h>
#include <string.h>

/* The kind json_write_value's output of it must parse to. */
static enum json_kind
expected_kind(const bson_iter_t *it)
{
	switch (bson_iter_type(it)) {
	case BSON_TYPE_UTF8: return JSON_STRING;
	case BSON_TYPE_DOUBLE:
		/* 1e999 is Infinity, which JSON.stringify writes as null. */
		return isfinite(bson_iter_double(it)) ? JSON_NUMBER : JSON_NULL;
	case BSON_TYPE_BOOL: return JSON_BOOL;
	case BSON_TYPE_NULL: return JSON_NULL;
	case BSON_TYPE_DOCUMENT: return JSON_OBJECT;
	case BSON_TYPE_ARRAY: return JSON_ARRAY;
	default:
		/* json_parse builds nothing else. */
		FUZZ_CHECK(!"unexpected BSON type from json_parse");
		return JSON_NULL;
	}
}

static void
check_output(const bson_string_t *s)
{
	FUZZ_CHECK(strlen(s->str) == s->len); /* no NUL written */
	FUZZ_CHECK(fuzz_utf8_valid(s->str, s->len));
}

/* {members of doc} as JSON. */
static bson_string_t *
write_object(const bson_t *doc)
{
	bson_string_t *s = bson_string_new("{");
	bson_iter_t it;
	bool first = true;

	FUZZ_CHECK(bson_iter_init(&it, doc));
	while (bson_iter_next(&it)) {
		json_write_key(s, bson_iter_key(&it), first);
		json_write_value(s, &it);
		first = false;
	}
	bson_string_append_c(s, '}');
	return s;
}

static void
check_doc(const bson_t *doc)
{
	bson_iter_t it;
	size_t off = 0;

	FUZZ_CHECK(bson_validate(doc, BSON_VALIDATE_UTF8, &off));
	FUZZ_CHECK(bson_iter_init(&it, doc));
	while (bson_iter_next(&it)) {
		bson_string_t *s = bson_string_new(NULL);
		bson_t re = BSON_INITIALIZER;
		enum json_kind k = JSON_NULL;

		FUZZ_CHECK(fuzz_utf8_valid(bson_iter_key(&it), strlen(bson_iter_key(&it))));
		json_write_value(s, &it);
		check_output(s);
		FUZZ_CHECK(json_parse(s->str, s->len, &re, &k) == JSON_OK);
		FUZZ_CHECK(k == expected_kind(&it));
		bson_destroy(&re);
		bson_string_free(s, true);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bson_t doc = BSON_INITIALIZER, re = BSON_INITIALIZER, wrapped = BSON_INITIALIZER;
	bson_string_t *s1, *s2, *w;
	enum json_kind kind = JSON_NULL, k = JSON_NULL;
	enum json_status st;
	bson_iter_t it;

	st = json_parse((const char *)data, size, &doc, &kind);
	if (st != JSON_OK) {
		FUZZ_CHECK(bson_empty(&doc));
		bson_destroy(&doc);
		return 0;
	}
	FUZZ_CHECK(kind == JSON_OBJECT || bson_empty(&doc));
	check_doc(&doc);

	/* The object as a whole: parse(write(doc)) writes the same bytes. */
	s1 = write_object(&doc);
	check_output(s1);
	FUZZ_CHECK(json_parse(s1->str, s1->len, &re, &k) == JSON_OK);
	FUZZ_CHECK(k == JSON_OBJECT);
	FUZZ_CHECK(bson_count_keys(&re) == bson_count_keys(&doc));
	s2 = write_object(&re);
	FUZZ_CHECK(s1->len == s2->len && memcmp(s1->str, s2->str, s1->len) == 0);
	bson_string_free(s1, true);
	bson_string_free(s2, true);
	bson_destroy(&re);

	/* Any top-level kind, nested one level down. */
	w = bson_string_new("{\"v\":");
	bson_string_append_printf(w, "%.*s", (int)size, (const char *)data);
	bson_string_append_c(w, '}');
	FUZZ_CHECK(w->len == size + 6); /* no NUL in accepted JSON */
	st = json_parse(w->str, w->len, &wrapped, &k);
	FUZZ_CHECK(st == JSON_OK || st == JSON_TOO_DEEP);
	if (st == JSON_OK) {
		FUZZ_CHECK(k == JSON_OBJECT);
		FUZZ_CHECK(bson_count_keys(&wrapped) == 1);
		FUZZ_CHECK(bson_iter_init_find(&it, &wrapped, "v"));
		FUZZ_CHECK(expected_kind(&it) == kind ||
		           (kind == JSON_NUMBER && expected_kind(&it) == JSON_NULL));
		check_doc(&wrapped);
	}
	bson_string_free(w, true);
	bson_destroy(&wrapped);
	bson_destroy(&doc);
	return 0;
}
