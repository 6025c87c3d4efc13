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

void token_generate(char out[TOKEN_LEN + 1])
{
	token_generate_n(out, TOKEN_LEN);
}

void token_generate_n(char *out, size_t len)
{
	unsigned char batch[TOKEN_BATCH];
	size_t o = 0, i = TOKEN_BATCH;

	while (o < len) {
		if (i == TOKEN_BATCH) {
			crypto_random(batch, sizeof batch);
			i = 0;
		}
		if (batch[i] < TOKEN_REJECT)
			out[o++] = token_alphabet[batch[i] % 62];
		i++;
	}
	out[len] = '\0';
	OPENSSL_cleanse(batch, sizeof batch);
}
