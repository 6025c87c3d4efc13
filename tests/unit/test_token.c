/*
 * test_token.c — session tokens: length, alphabet, uniqueness, any length,
 * and that every one of the 62 characters turns up.
 */
#include "token.h"
#include "unit.h"

#include <stdbool.h>
#include <string.h>

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

static bool
in_alphabet(const char *s)
{
	return strspn(s, alphabet) == strlen(s);
}

int
main(void)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1], big[1001], guard[8];
	bool seen[256] = {false};
	size_t i, seen_count = 0;

	memset(a, 'x', sizeof a);
	token_generate(a);
	CHECK(strlen(a) == TOKEN_LEN, "length %zu", strlen(a));
	CHECK(in_alphabet(a), "alphabet: %s", a);
	token_generate(b);
	CHECK(strlen(b) == TOKEN_LEN && in_alphabet(b), "second token");
	CHECK(strcmp(a, b) != 0, "two tokens differ");

	token_generate_n(big, 100);
	CHECK(strlen(big) == 100, "length 100: %zu", strlen(big));
	CHECK(in_alphabet(big), "alphabet of length 100");

	memset(guard, '#', sizeof guard);
	token_generate_n(guard, 0);
	CHECK(guard[0] == '\0' && guard[1] == '#', "length 0 writes only the NUL");
	token_generate_n(guard, 5);
	CHECK(strlen(guard) == 5 && guard[6] == '#', "length 5 stays in bounds");

	/* 1000 characters: each of the 62 appears with overwhelming probability
	 * (a miss has p < 62 * (61/62)^1000 ~ 5e-6). */
	token_generate_n(big, 1000);
	CHECK(strlen(big) == 1000 && in_alphabet(big), "length 1000");
	for (i = 0; i < 1000; i++)
		seen[(unsigned char)big[i]] = true;
	for (i = 0; i < sizeof alphabet - 1; i++)
		seen_count += seen[(unsigned char)alphabet[i]];
	CHECK(seen_count == 62, "%zu of 62 characters seen", seen_count);

	/* The deletion token: [0-9a-z] only, every one of the 36 seen. */
	token_generate_lower(big, 1000);
	CHECK(strlen(big) == 1000 && strspn(big, "0123456789abcdefghijklmnopqrstuvwxyz") == 1000,
	      "lower: length 1000, [0-9a-z] only");
	memset(seen, 0, sizeof seen);
	for (i = 0; i < 1000; i++)
		seen[(unsigned char)big[i]] = true;
	for (seen_count = 0, i = 0; i < 36; i++)
		seen_count += seen[(unsigned char)"0123456789abcdefghijklmnopqrstuvwxyz"[i]];
	CHECK(seen_count == 36, "lower: %zu of 36 characters seen", seen_count);
	token_generate_lower(guard, 5);
	CHECK(strlen(guard) == 5 && guard[6] == '#', "lower: length 5 stays in bounds");

	UNIT_END();
}
