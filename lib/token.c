/*
 * token.c — Better Auth's random identifiers: characters of [a-zA-Z0-9] drawn
 * from the CSPRNG by rejection sampling (bytes >= 248 = 4 * 62 are dropped so
 * that byte % 62 is uniform). Random bytes are drawn in batches and the
 * leftovers wiped, since the result is a session secret.
 */
#include "token.h"

#include "crypto.h"

#include <openssl/crypto.h>

#define TOKEN_BATCH 64
#define TOKEN_REJECT 248 /* 4 * 62: the largest multiple of 62 in a byte */

static const char token_alphabet[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

void
token_generate(char out[TOKEN_LEN + 1])
{
	token_generate_n(out, TOKEN_LEN);
}

/* len characters of alphabet (n of them) into out, from CSPRNG bytes below
 * reject (the largest multiple of n in a byte), and a NUL. */
static void
token_draw(char *out, size_t len, const char *alphabet, unsigned n, unsigned reject)
{
	unsigned char batch[TOKEN_BATCH];
	size_t o = 0, i = TOKEN_BATCH;

	while (o < len) {
		if (i == TOKEN_BATCH) {
			crypto_random(batch, sizeof batch);
			i = 0;
		}
		if (batch[i] < reject)
			out[o++] = alphabet[batch[i] % n];
		i++;
	}
	out[len] = '\0';
	OPENSSL_cleanse(batch, sizeof batch);
}

void
token_generate_n(char *out, size_t len)
{
	token_draw(out, len, token_alphabet, 62, TOKEN_REJECT);
}

/* ---- the account program (delete-user) */

#define TOKEN_LOWER_REJECT 252 /* 7 * 36 */

void
token_generate_lower(char *out, size_t len)
{
	token_draw(out, len, "0123456789abcdefghijklmnopqrstuvwxyz", 36, TOKEN_LOWER_REJECT);
}
