/*
 * test_urlcode.c — lib/urlcode.c: decodeURIComponent and URLSearchParams.
 */
#include "unit.h"
#include "urlcode.h"

#include <stdlib.h>

static const struct {
	const char *in;
	enum urlcode_mode mode;
	const char *want; /* NULL: refused */
} rows[] = {
	{"abc", URLCODE_COMPONENT, "abc"},
	{"a%2Bb%2Fc%3D", URLCODE_COMPONENT, "a+b/c="},
	{"a%2bb", URLCODE_COMPONENT, "a+b"}, /* lower-case hex */
	{"a+b", URLCODE_COMPONENT, "a+b"},   /* '+' is not a space here */
	{"%C3%A9", URLCODE_COMPONENT, "\xc3\xa9"},
	{"%zz", URLCODE_COMPONENT, NULL}, /* URIError */
	{"%2", URLCODE_COMPONENT, NULL},
	{"%", URLCODE_COMPONENT, NULL},
	{"%E0%A4", URLCODE_COMPONENT, NULL}, /* truncated UTF-8 */
	{"%C0%AF", URLCODE_COMPONENT, NULL}, /* overlong */
	{"%00", URLCODE_COMPONENT, NULL},    /* NUL */
	{"%252B", URLCODE_COMPONENT, "%2B"}, /* decoded once only */
	{"a+b", URLCODE_FORM, "a b"},
	{"a%2Bb", URLCODE_FORM, "a+b"},
	{"%zz", URLCODE_FORM, "%zz"}, /* kept literally */
	{"100%", URLCODE_FORM, "100%"},
	{"email%5B%24ne%5D", URLCODE_FORM, "email[$ne]"},
	{"%ff", URLCODE_FORM, NULL}, /* not UTF-8 */
	{"%00", URLCODE_FORM, NULL},
	{"", URLCODE_FORM, ""},
	{"", URLCODE_COMPONENT, ""},
	/* Escapes first, last, back to back, between runs. */
	{"%41bc", URLCODE_COMPONENT, "Abc"},
	{"ab%43", URLCODE_COMPONENT, "abC"},
	{"%41%42%43", URLCODE_COMPONENT, "ABC"},
	{"a+%41+b%42c", URLCODE_COMPONENT, "a+A+bBc"},
	{"a+%41+b%42c", URLCODE_FORM, "a A bBc"},
	{"ab%4", URLCODE_COMPONENT, NULL},
	{"ab%4", URLCODE_FORM, "ab%4"},
	{"%%41", URLCODE_FORM, "%A"},
	{"%2%41+", URLCODE_FORM, "%2A "},
	{"%%41", URLCODE_COMPONENT, NULL},
	{"x%4g", URLCODE_COMPONENT, NULL},
	{"x%g4", URLCODE_FORM, "x%g4"},
};

int
main(void)
{
	size_t i, n;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *got = urlcode_decode(rows[i].in, strlen(rows[i].in), rows[i].mode, &n);

		if (!rows[i].want)
			CHECK(got == NULL, "row %zu (%s) should be refused, got \"%s\"", i,
			      rows[i].in, got);
		else {
			CHECK_STR(got, rows[i].want);
			CHECK(got && n == strlen(rows[i].want), "row %zu length", i);
		}
		free(got);
	}
	UNIT_END();
}
