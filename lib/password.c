/*
 * password.c — Better Auth's password hashing: scrypt (N=16384, r=16, p=1,
 * 64-byte key) over the NFKC-normalised UTF-8 password (libunistring), with
 * the 32 lower-case hex characters of the salt used as the salt text. Stored
 * form: "<salt>:<key hex>".
 *
 * scrypt itself is libsodium's crypto_pwhash_scryptsalsa208sha256_ll (plain
 * scrypt with explicit N, r, p), whose SSE2 Salsa20/8 core does a hash in
 * ~70 % of the time of OpenSSL 3's portable EVP_KDF "SCRYPT" (same bytes:
 * the known-answer vectors of test_password.c pass through either). Its
 * 32 MiB region is mapped in huge pages by lib/bigmap.c (--wrap=mmap).
 *
 * Normalised passwords and derived keys are wiped with OPENSSL_cleanse.
 * Failures are logged to stderr without any secret.
 */
#include "password.h"

#include "crypto.h"
#include "hashslot.h"
#include "log.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <sodium.h>

#include <uninorm.h>
#include <unistr.h>

#define PASSWORD_SALT_BYTES 16
#define PASSWORD_SALT_LEN (2 * PASSWORD_SALT_BYTES)
#define PASSWORD_KEY_BYTES 64
#define PASSWORD_KEY_LEN (2 * PASSWORD_KEY_BYTES)
#define PASSWORD_SCRYPT_N 16384
#define PASSWORD_SCRYPT_R 16
#define PASSWORD_SCRYPT_P 1

static struct hashslot *password_slots;

void
password_set_hashslot(struct hashslot *hs)
{
	password_slots = hs;
}

long
password_utf16_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	long units = 0;
	size_t i;

	if (n == 0)
		return 0;
	if (s == NULL || u8_check((const uint8_t *)s, n) != NULL)
		return -1;
	/* Valid UTF-8: each lead byte starts one code point; 4-byte sequences
	 * (above U+FFFF) are surrogate pairs in UTF-16. */
	for (i = 0; i < n; i++) {
		if (p[i] >= 0xf0)
			units += 2;
		else if ((p[i] & 0xc0) != 0x80)
			units += 1;
	}
	return units;
}

char *
password_nfkc(const char *s, size_t n, size_t *out_len)
{
	uint8_t *norm = NULL;
	size_t len = 0;
	char *out = NULL;

	if (n > 0 && (s == NULL || u8_check((const uint8_t *)s, n) != NULL))
		goto done;
	if (n > 0) {
		norm = u8_normalize(UNINORM_NFKC, (const uint8_t *)s, n, NULL, &len);
		if (norm == NULL) {
			fprintf(stderr, "password: NFKC normalisation failed\n");
			goto done;
		}
	}
	out = xmalloc(len + 1);
	if (len > 0)
		memcpy(out, norm, len);
	out[len] = '\0';
	if (out_len != NULL)
		*out_len = len;
done:
	if (norm != NULL) {
		OPENSSL_cleanse(norm, len);
		free(norm);
	}
	return out;
}

/* key = scrypt(pw, salt text); 128*N*r = 32 MiB, allocated and freed by
 * libsodium. Returns false (logged) on failure: out of memory, or
 * sodium_init failing (no usable CPU feature detection). */
static bool
password_scrypt(const char *pw, size_t pw_len, const char *salt, size_t salt_len,
                unsigned char key[PASSWORD_KEY_BYTES])
{
	static bool sodium_ready;

	/* sodium_init picks the SSE2 core; without it the portable one runs. */
	if (!sodium_ready && sodium_init() < 0) {
		fprintf(stderr, "password: sodium_init failed\n");
		return false;
	}
	sodium_ready = true;
	/* An empty buffer still needs a non-NULL pointer. */
	if (crypto_pwhash_scryptsalsa208sha256_ll(
		    (const uint8_t *)(pw_len ? pw : ""), pw_len,
		    (const uint8_t *)(salt_len ? salt : ""), salt_len, PASSWORD_SCRYPT_N,
		    PASSWORD_SCRYPT_R, PASSWORD_SCRYPT_P, key, PASSWORD_KEY_BYTES) != 0) {
		fprintf(stderr, "password: scrypt failed (out of memory?)\n");
		return false;
	}
	return true;
}

static long
password_ms(const struct timespec *a, const struct timespec *b)
{
	return (long)((b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000);
}

/* hex = lower-case hex of scrypt(NFKC(pw), salt text), PASSWORD_KEY_LEN + 1
 * bytes. */
static enum password_status
password_derive_hex(const char *pw, size_t n, const char *salt, size_t salt_len,
                    char hex[PASSWORD_KEY_LEN + 1])
{
	enum password_status st = PASSWORD_FAILED;
	unsigned char key[PASSWORD_KEY_BYTES];
	char *norm = NULL;
	size_t norm_len = 0;
	struct timespec t0, t1, t2;
	bool ok;

	norm = password_nfkc(pw, n, &norm_len);
	if (norm == NULL) {
		st = PASSWORD_BAD_INPUT;
		goto done;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (password_slots != NULL)
		hashslot_acquire(password_slots, PASSWORD_SLOT_WAIT_MS);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ok = password_scrypt(norm, norm_len, salt, salt_len, key);
	if (password_slots != NULL)
		hashslot_release(password_slots);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	log_debug("scrypt: %ld ms waiting for a hash slot, %ld ms hashing", password_ms(&t0, &t1),
	          password_ms(&t1, &t2));
	if (!ok)
		goto done;
	crypto_hex(key, sizeof key, hex);
	st = PASSWORD_OK;
done:
	OPENSSL_cleanse(key, sizeof key);
	if (norm != NULL) {
		OPENSSL_cleanse(norm, norm_len);
		free(norm);
	}
	return st;
}

enum password_status
password_hash(const char *pw, size_t n, char out[PASSWORD_HASH_LEN + 1])
{
	unsigned char raw[PASSWORD_SALT_BYTES];
	char salt[PASSWORD_SALT_LEN + 1];

	crypto_random(raw, sizeof raw);
	crypto_hex(raw, sizeof raw, salt);
	return password_hash_with_salt(pw, n, salt, out);
}

enum password_status
password_hash_with_salt(const char *pw, size_t n, const char *salt, char out[PASSWORD_HASH_LEN + 1])
{
	enum password_status st = PASSWORD_FAILED;

	if (salt == NULL || strnlen(salt, PASSWORD_SALT_LEN + 1) != PASSWORD_SALT_LEN) {
		fprintf(stderr, "password: salt is not %d characters\n", PASSWORD_SALT_LEN);
		goto done;
	}
	st = password_derive_hex(pw, n, salt, PASSWORD_SALT_LEN, out + PASSWORD_SALT_LEN + 1);
	if (st != PASSWORD_OK)
		goto done;
	memcpy(out, salt, PASSWORD_SALT_LEN);
	out[PASSWORD_SALT_LEN] = ':';
done:
	if (st != PASSWORD_OK)
		OPENSSL_cleanse(out, PASSWORD_HASH_LEN + 1);
	return st;
}

enum password_status
password_verify(const char *pw, size_t n, const char *stored)
{
	enum password_status st = PASSWORD_BAD_HASH;
	char hex[PASSWORD_KEY_LEN + 1];
	const char *colon, *key, *key_end;
	size_t salt_len, key_len;

	/* JavaScript's stored.split(":") → [salt, key, ...]; the salt text is
	 * used as it is, whatever its length. */
	if (stored == NULL || (colon = strchr(stored, ':')) == NULL)
		goto done;
	salt_len = (size_t)(colon - stored);
	key = colon + 1;
	key_end = strchr(key, ':');
	key_len = key_end ? (size_t)(key_end - key) : strlen(key);
	if (salt_len == 0 || key_len == 0)
		goto done;

	st = password_derive_hex(pw, n, stored, salt_len, hex);
	if (st != PASSWORD_OK)
		goto done;
	/* Lengths are public; the comparison of equal-length keys is not. */
	if (key_len != PASSWORD_KEY_LEN || CRYPTO_memcmp(hex, key, PASSWORD_KEY_LEN) != 0)
		st = PASSWORD_MISMATCH;
done:
	OPENSSL_cleanse(hex, sizeof hex);
	return st;
}
