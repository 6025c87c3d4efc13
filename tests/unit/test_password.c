/*
 * test_password.c — scrypt known answers from Better Auth (section (a) and
 * (b) of tests/vectors/better-auth-test-vectors.txt), verification rules,
 * NFKC normalisation and JavaScript string lengths. scrypt costs ~130 ms a
 * call: this file makes 15 of them.
 */
#include "password.h"
#include "unit.h"

#include <openssl/crypto.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PW "correct horse battery staple"
#define SALT "00112233445566778899aabbccddeeff"
#define STORED                                                                   \
	SALT ":f5b22309b28fe412c82a4b2cab57498b8f8a42c849af16cb908974048f61c139" \
	     "33421858db3a8f111430bdc493c7cef90f61f904061c77206e3820a2e8b11bc2"
#define STORED_ZERO                                                                \
	"00000000000000000000000000000000:38f31288c9e34fa3ef0749d7c5f674947ad1e1"  \
	"29a80120039712f189b6a75172c8a266980ec585fc2b3fadb0c360828083862191615491" \
	"f685da054ce21c7aba"
#define FULLWIDTH                                                                  \
	"\xef\xbc\xb0\xef\xbd\x81\xef\xbd\x93\xef\xbd\x93\xef\xbd\x97\xef\xbd\x8f" \
	"\xef\xbd\x92\xef\xbd\x84\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93"
#define STORED_FULLWIDTH                                                         \
	SALT ":503d058ffa344ded3ade56ae37c931eeefdf127685942056bd9f50687f4fc3ce" \
	     "d01bc958abc4957631dbc6774e6ff941d25010d5b60c8ae0b261cb36ada8b5bb"
#define CAFE_NFC "caf\xc3\xa9-pass"
#define CAFE_NFD "cafe\xcc\x81-pass"
#define STORED_CAFE                                                              \
	SALT ":97beefda7c42bd9fdfab1226f198d98a9b739ea9018f41c5b27458a34fc20d76" \
	     "a2a260cb1ded262cf13fe68276303767cf708f3ad3d734be2daa1e18d22dc26c"

static enum password_status
verify(const char *pw, const char *stored)
{
	return password_verify(pw, strlen(pw), stored);
}

static bool
is_lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void
test_utf16_len(void)
{
	static const char emoji[] = "\xf0\x9f\x98\x80"; /* U+1F600 */
	static const struct {
		const char *s;
		size_t n;
		long want;
	} v[] = {
		{"abc", 3, 3},
		{"", 0, 0},
		{"caf\xc3\xa9", 5, 4},
		{"\xe2\x82\xac", 3, 1},     /* U+20AC */
		{"\xef\xbf\xbf", 3, 1},     /* U+FFFF: one unit */
		{"\xf0\x90\x80\x80", 4, 2}, /* U+10000: a pair */
		{"\xf4\x8f\xbf\xbf", 4, 2}, /* U+10FFFF */
		{"a\0b", 3, 3},             /* NUL is a character */
		{FULLWIDTH, sizeof FULLWIDTH - 1, 11},
		{CAFE_NFD, sizeof CAFE_NFD - 1, 10}, /* counted before NFKC */
		{"\xff", 1, -1},
		{"\xc0\xaf", 2, -1},         /* overlong '/' */
		{"\xe0\x80\xaf", 3, -1},     /* overlong, 3 bytes */
		{"\xed\xa0\x80", 3, -1},     /* lone high surrogate */
		{"\xed\xbf\xbf", 3, -1},     /* lone low surrogate */
		{"\xf4\x90\x80\x80", 4, -1}, /* above U+10FFFF */
		{"\xe2\x82", 2, -1},         /* truncated */
		{"\x80", 1, -1},             /* stray continuation */
		{"ab\xc3", 3, -1},
	};
	char buf[4 * 65 + 1];
	size_t i;
	long got;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		got = password_utf16_len(v[i].s, v[i].n);
		CHECK(got == v[i].want, "case %zu: got %ld want %ld", i, got, v[i].want);
	}
	buf[0] = '\0';
	for (i = 0; i < 4; i++)
		strcat(buf, emoji);
	CHECK(password_utf16_len(buf, strlen(buf)) == 8, "4 emoji");
	for (; i < 65; i++)
		strcat(buf, emoji);
	CHECK(password_utf16_len(buf, strlen(buf)) == 130, "65 emoji");
}

static void
test_nfkc(void)
{
	char *a, *b;
	size_t la = 0, lb = 0;

	a = password_nfkc(FULLWIDTH, sizeof FULLWIDTH - 1, &la);
	CHECK_STR(a, "Password123");
	CHECK(la == 11, "fullwidth NFKC length %zu", la);
	if (a) {
		OPENSSL_cleanse(a, la);
		free(a);
	}

	a = password_nfkc(CAFE_NFC, sizeof CAFE_NFC - 1, &la);
	b = password_nfkc(CAFE_NFD, sizeof CAFE_NFD - 1, &lb);
	CHECK_STR(a, CAFE_NFC);
	CHECK_STR(b, CAFE_NFC);
	CHECK(la == sizeof CAFE_NFC - 1 && lb == la, "NFC/NFD lengths %zu %zu", la, lb);
	free(a);
	free(b);

	a = password_nfkc("\xef\xac\x81", 3, &la); /* U+FB01 LATIN SMALL LIGATURE FI */
	CHECK_STR(a, "fi");
	free(a);

	a = password_nfkc("", 0, &la);
	CHECK(a != NULL && a[0] == '\0' && la == 0, "empty NFKC");
	free(a);

	a = password_nfkc("plain", 5, NULL); /* out_len optional */
	CHECK_STR(a, "plain");
	free(a);

	CHECK(password_nfkc("\xff", 1, &la) == NULL, "invalid UTF-8 → NULL");
	CHECK(password_nfkc("\xed\xa0\x80", 3, &la) == NULL, "surrogate → NULL");
}

static void
test_known_answers(void)
{
	char out[PASSWORD_HASH_LEN + 1];

	CHECK(password_hash_with_salt(PW, strlen(PW), SALT, out) == PASSWORD_OK, "hash KAT");
	CHECK_STR(out, STORED);

	CHECK(password_hash_with_salt(PW, strlen(PW), "00000000000000000000000000000000", out) ==
	              PASSWORD_OK,
	      "hash KAT zero salt");
	CHECK_STR(out, STORED_ZERO);

	CHECK(password_hash_with_salt(FULLWIDTH, sizeof FULLWIDTH - 1, SALT, out) == PASSWORD_OK,
	      "hash fullwidth");
	CHECK_STR(out, STORED_FULLWIDTH);
	CHECK(password_hash_with_salt("Password123", 11, SALT, out) == PASSWORD_OK,
	      "hash Password123");
	CHECK_STR(out, STORED_FULLWIDTH);

	CHECK(password_hash_with_salt(CAFE_NFC, sizeof CAFE_NFC - 1, SALT, out) == PASSWORD_OK,
	      "hash NFC");
	CHECK_STR(out, STORED_CAFE);
	CHECK(password_hash_with_salt(CAFE_NFD, sizeof CAFE_NFD - 1, SALT, out) == PASSWORD_OK,
	      "hash NFD");
	CHECK_STR(out, STORED_CAFE);

	/* No scrypt: rejected before deriving. */
	CHECK(password_hash_with_salt("\xff", 1, SALT, out) == PASSWORD_BAD_INPUT,
	      "hash invalid UTF-8");
	CHECK(password_hash_with_salt(PW, strlen(PW), "0011", out) == PASSWORD_FAILED,
	      "short salt");
}

static void
test_verify(void)
{
	char upper[] = STORED;
	size_t i;

	CHECK(verify(PW, STORED) == PASSWORD_OK, "right password");
	CHECK(verify("wrong", STORED) == PASSWORD_MISMATCH, "wrong password");
	for (i = 33; upper[i]; i++)
		if (upper[i] >= 'a' && upper[i] <= 'f')
			upper[i] = (char)(upper[i] - 'a' + 'A');
	CHECK(verify(PW, upper) == PASSWORD_MISMATCH, "upper-case key");
	CHECK(verify(PW, STORED ":extra") == PASSWORD_OK, "extra part ignored");
	CHECK(verify(PW, SALT ":f5b22309") == PASSWORD_MISMATCH, "truncated key");
	CHECK(verify(FULLWIDTH, STORED_FULLWIDTH) == PASSWORD_OK, "fullwidth against NFKC");

	/* Malformed stored values and bad input: no scrypt. */
	CHECK(verify(PW, "nocolon") == PASSWORD_BAD_HASH, "nocolon");
	CHECK(verify(PW, ":abc") == PASSWORD_BAD_HASH, ":abc");
	CHECK(verify(PW, "abc:") == PASSWORD_BAD_HASH, "abc:");
	CHECK(verify(PW, "abc::def") == PASSWORD_BAD_HASH, "abc::def");
	CHECK(verify(PW, ":") == PASSWORD_BAD_HASH, ":");
	CHECK(verify(PW, "") == PASSWORD_BAD_HASH, "empty");
	CHECK(password_verify(PW, strlen(PW), NULL) == PASSWORD_BAD_HASH, "NULL");
	CHECK(verify("\xc0\xaf", STORED) == PASSWORD_BAD_INPUT, "invalid UTF-8 password");
}

static void
test_random_hash(void)
{
	char a[PASSWORD_HASH_LEN + 1], b[PASSWORD_HASH_LEN + 1];

	CHECK(password_hash(PW, strlen(PW), a) == PASSWORD_OK, "hash");
	CHECK(strlen(a) == PASSWORD_HASH_LEN, "length %zu", strlen(a));
	CHECK(a[32] == ':', "separator");
	CHECK(is_lower_hex(a, 32), "salt is lower-case hex: %.32s", a);
	CHECK(is_lower_hex(a + 33, 128), "key is lower-case hex");
	CHECK(verify(PW, a) == PASSWORD_OK, "fresh hash verifies");

	CHECK(password_hash(PW, strlen(PW), b) == PASSWORD_OK, "hash again");
	CHECK(strcmp(a, b) != 0, "two hashes differ");
	CHECK(strncmp(a, b, 32) != 0, "two salts differ");
	CHECK(password_hash("\xff", 1, b) == PASSWORD_BAD_INPUT, "hash invalid UTF-8");
}

int
main(void)
{
	test_utf16_len();
	test_nfkc();
	test_known_answers();
	test_verify();
	test_random_hash();
	UNIT_END();
}
