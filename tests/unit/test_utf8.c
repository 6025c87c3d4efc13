/*
 * test_utf8.c — lib/utf8.c: strict UTF-8 boundaries.
 */
#include "unit.h"
#include "utf8.h"

static const struct {
	const char *s;
	size_t n;
	bool valid;
} rows[] = {
	{"", 0, true},
	{"abc", 3, true},
	{"caf\xc3\xa9", 5, true},      /* U+00E9 */
	{"\xe2\x80\xa8", 3, true},     /* U+2028 */
	{"\xef\xbf\xbf", 3, true},     /* U+FFFF */
	{"\xf0\x9f\x98\x80", 4, true}, /* U+1F600 */
	{"\xf4\x8f\xbf\xbf", 4, true}, /* U+10FFFF */
	{"a\0b", 3, false},            /* NUL */
	{"\xff", 1, false},
	{"\x80", 1, false},             /* lone continuation */
	{"\xc0\xaf", 2, false},         /* overlong '/' */
	{"\xc1\xbf", 2, false},         /* overlong */
	{"\xe0\x80\xaf", 3, false},     /* overlong, 3 bytes */
	{"\xf0\x80\x80\xaf", 4, false}, /* overlong, 4 bytes */
	{"\xed\xa0\x80", 3, false},     /* U+D800 surrogate */
	{"\xed\xbf\xbf", 3, false},     /* U+DFFF surrogate */
	{"\xf4\x90\x80\x80", 4, false}, /* U+110000 */
	{"\xf5\x80\x80\x80", 4, false},
	{"\xc3", 1, false}, /* truncated */
	{"\xe2\x80", 2, false},
	{"\xf0\x9f\x98", 3, false},
	{"\xc3\x28", 2, false}, /* bad continuation */
};

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK(utf8_is_valid(rows[i].s, rows[i].n) == rows[i].valid, "row %zu", i);
	CHECK(utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x80",
	                   (const unsigned char *)"\xf0\x9f\x98\x80" + 4) == 4,
	      "4-byte");
	CHECK(utf8_seq_len((const unsigned char *)"A", (const unsigned char *)"A" + 1) == 1,
	      "ascii");
	UNIT_END();
}
