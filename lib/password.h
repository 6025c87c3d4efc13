/*
 * password.h — Better Auth's password hashing: scrypt N=16384 r=16 p=1
 * dkLen=64 over the NFKC-normalised UTF-8 password, salt = 32 lower-case hex
 * characters used as text, stored as "<salt hex 32>:<key hex 128>".
 * Lengths are counted as JavaScript does (UTF-16 code units, before NFKC).
 */
#ifndef PASSWORD_H
#define PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

struct hashslot;

#define PASSWORD_HASH_LEN 161 /* 32 + 1 + 128, without the NUL */

enum password_status {
	PASSWORD_OK = 0,
	PASSWORD_MISMATCH,  /* verify: well-formed hash, wrong password */
	PASSWORD_BAD_HASH,  /* verify: stored string not "<salt>:<key>" */
	PASSWORD_BAD_INPUT, /* password is not valid UTF-8 */
	PASSWORD_FAILED     /* OpenSSL / normalisation failure (logged) */
};

/* Caps the hashes in flight: from now on every hash of this process first
 * takes a slot of hs (hashslot.h), waiting up to PASSWORD_SLOT_WAIT_MS. NULL
 * (the default) hashes without asking. */
#define PASSWORD_SLOT_WAIT_MS 10000
void password_set_hashslot(struct hashslot *hs);

/* Length of a UTF-8 string in UTF-16 code units (JavaScript .length).
 * Returns -1 if s is not valid UTF-8. */
long password_utf16_len(const char *s, size_t n);

/* NFKC-normalises UTF-8 s. Returns a malloc'd NUL-terminated string the
 * caller frees (and should OPENSSL_cleanse first), or NULL on invalid UTF-8. */
char *password_nfkc(const char *s, size_t n, size_t *out_len);

/* Hashes a password with a fresh random salt into out (PASSWORD_HASH_LEN + 1
 * bytes). */
enum password_status password_hash(const char *pw, size_t n, char out[PASSWORD_HASH_LEN + 1]);

/* The same with a given 32-character salt text: for known-answer tests. */
enum password_status password_hash_with_salt(const char *pw, size_t n, const char *salt,
                                             char out[PASSWORD_HASH_LEN + 1]);

/* Verifies pw against a stored hash as Better Auth does: split on ':' and
 * take the first two parts (extra parts ignored); either empty or missing →
 * PASSWORD_BAD_HASH; re-derive and compare the lower-case hex key (an
 * upper-case stored key never matches). Comparison is constant-time. */
enum password_status password_verify(const char *pw, size_t n, const char *stored);

#endif
