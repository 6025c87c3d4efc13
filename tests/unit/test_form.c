/*
 * test_form.c — application/x-www-form-urlencoded bodies as
 * Object.fromEntries(new URLSearchParams(body)) reads them, with our strict
 * refusals (bad UTF-8, NUL, too many pairs).
 */
#include "form.h"
#include "unit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses in and renders the result as "k=v|k=v" (bson order), or "FAIL". */
static char *
render(const char *in, size_t len)
{
	bson_t doc;
	bson_iter_t it;
	bson_string_t *s = bson_string_new(NULL);
	bool ok;

	bson_init(&doc);
	ok = form_parse(in, len, &doc);
	if (!ok) {
		CHECK(bson_count_keys(&doc) == 0, "out reset on failure (%s)", in);
		bson_string_append(s, "FAIL");
	} else if (bson_iter_init(&it, &doc)) {
		bool first = true;

		while (bson_iter_next(&it)) {
			uint32_t n;
			const char *v;

			CHECK(BSON_ITER_HOLDS_UTF8(&it), "every value is a string (%s)", in);
			v = bson_iter_utf8(&it, &n);
			bson_string_append_printf(s, "%s%s=%.*s", first ? "" : "|",
			                          bson_iter_key(&it), (int)n, v);
			first = false;
		}
	}
	bson_destroy(&doc);
	return bson_string_free(s, false);
}

static void
check_form(const char *in, const char *want)
{
	char *got = render(in, strlen(in));

	CHECK(!strcmp(got, want), "form(%s) = %s, want %s", in, got, want);
	bson_free(got);
}

/* n pairs "k<i>=v" joined by '&'. */
static char *
pairs(int n)
{
	bson_string_t *s = bson_string_new(NULL);
	int i;

	for (i = 0; i < n; i++)
		bson_string_append_printf(s, "%sk%d=v", i ? "&" : "", i);
	return bson_string_free(s, false);
}

int
main(void)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
		{"", ""},
		{"a=1&b=2", "a=1|b=2"},
		{"b=2&a=1", "b=2|a=1"},
		{"a=1+2", "a=1 2"},
		{"a+b=c+d", "a b=c d"},
		{"a=%2B", "a=+"}, /* an encoded '+' stays '+' */
		{"a=%41%62", "a=Ab"},
		{"%61=1", "a=1"},   /* names are decoded too */
		{"a=%zz", "a=%zz"}, /* bad escapes stay literal */
		{"a=%4", "a=%4"},
		{"a=%", "a=%"},
		{"a=%%41", "a=%A"},
		{"a=%4g1", "a=%4g1"},
		{"a=%c3%a9", "a=\xc3\xa9"},
		{"a=\xc3\xa9", "a=\xc3\xa9"}, /* raw UTF-8 */
		{"a=%e2%82%ac+%F0%9F%98%80", "a=\xe2\x82\xac \xf0\x9f\x98\x80"},
		{"a=1&a=2", "a=2"},         /* last duplicate wins */
		{"a=1&b=2&a=3", "a=3|b=2"}, /* first position, last value */
		{"a=1&%61=2", "a=2"},
		{"email[$ne]=x", "email[$ne]=x"},
		{"email%5B%24ne%5D=x", "email[$ne]=x"},
		{"email[$ne]=x&password=p", "email[$ne]=x|password=p"},
		{"a=1&&b=2", "a=1|b=2"}, /* empty pairs skipped */
		{"&a=1&", "a=1"},
		{"&&&", ""},
		{"a", "a="}, /* no '=' */
		{"a&b=1", "a=|b=1"},
		{"=1", "=1"}, /* empty name */
		{"=", "="},
		{"a==b", "a==b"}, /* first '=' splits */
		{"a=b=c", "a=b=c"},
		{"a=;b", "a=;b"}, /* ';' is not a separator */
		{"rememberMe=false", "rememberMe=false"},
		{"a.b=1&$x=2", "a.b=1|$x=2"},
		{"a=%ff", "FAIL"}, /* not UTF-8 */
		{"%ff=a", "FAIL"},
		{"a=%c3", "FAIL"},
		{"a=%c0%af", "FAIL"},    /* overlong */
		{"a=%ed%a0%80", "FAIL"}, /* surrogate */
		{"a=\xff", "FAIL"},
		{"a=1&b=%ff", "FAIL"}, /* one bad pair fails all */
		{"a=%00", "FAIL"},     /* NUL */
		{"%00=a", "FAIL"},
		{"a%00b=1", "FAIL"},
	};
	size_t i;
	char *in, *got;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_form(rows[i].in, rows[i].want);

	/* Only len bytes are read; a raw NUL inside them is refused. */
	got = render("a=1&b=2", 3);
	CHECK_STR(got, "a=1");
	bson_free(got);
	got = render("a=1\0b", 5);
	CHECK_STR(got, "FAIL");
	bson_free(got);

	/* FORM_MAX_PAIRS pairs pass, one more does not; empty pairs do not count. */
	in = pairs(FORM_MAX_PAIRS);
	got = render(in, strlen(in));
	CHECK(strncmp(got, "k0=v|k1=v|", 10) == 0 && strstr(got, "|k255=v") && !strstr(got, "k256"),
	      "%d pairs", FORM_MAX_PAIRS);
	bson_free(got);
	bson_free(in);
	in = pairs(FORM_MAX_PAIRS + 1);
	got = render(in, strlen(in));
	CHECK_STR(got, "FAIL");
	bson_free(got);
	bson_free(in);
	{
		bson_string_t *s = bson_string_new(NULL);
		int k;

		for (k = 0; k < FORM_MAX_PAIRS; k++)
			bson_string_append(s, "x=1&&");
		got = render(s->str, s->len);
		CHECK_STR(got, "x=1");
		bson_free(got);
		bson_string_free(s, true);
	}
	{
		/* 256 duplicates still count as 256 pairs; 257 do not pass. */
		bson_string_t *s = bson_string_new(NULL);
		int k;

		for (k = 0; k <= FORM_MAX_PAIRS; k++)
			bson_string_append(s, "x=1&");
		got = render(s->str, s->len);
		CHECK_STR(got, "FAIL");
		bson_free(got);
		bson_string_free(s, true);
	}

	UNIT_END();
}
