/*
 * token.h — random identifiers: Better Auth's 32-character session tokens
 * ([a-zA-Z0-9] from the CSPRNG, bytes >= 248 rejected, alphabet[byte % 62]).
 * Document ids are ObjectIds (bson_oid_init), not made here.
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>

#define TOKEN_LEN 32

/* Writes a TOKEN_LEN-character token and a NUL into out. */
void token_generate(char out[TOKEN_LEN + 1]);

/* Same generator, any length (out holds len + 1 bytes). */
void token_generate_n(char *out, size_t len);

/* ---- the account program (delete-user) */

/* Better Auth's generateRandomString(len, "0-9", "a-z"): characters of
 * [0-9a-z] (bytes >= 252 = 7 * 36 rejected, byte % 36), as the deletion
 * token. out holds len + 1 bytes. */
void token_generate_lower(char *out, size_t len);

#endif
