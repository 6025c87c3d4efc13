/*
 * password.c — Better Auth's password hashing: scrypt (N=16384, r=16, p=1,
 * 64-byte key) through OpenSSL 3's EVP_KDF "SCRYPT", over the NFKC-normalised
 * UTF-8 password (libunistring), with the 32 lower-case hex characters of the
 * salt used as the salt text. Stored form: "<salt>:<key hex>".
 *
 * Normalised passwords and derived keys are wiped with OPENSSL_cleanse.
 * Failures are logged to stderr without any secret.
 */
#include "password.h"

#include "crypto.h"
#include "hashslot.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <uninorm.h>
#include <unistr.h>

#define PASSWORD_SALT_BYTES 16
#define PASSWORD_SALT_LEN (2 * PASSWORD_SALT_BYTES)
#define PASSWORD_KEY_BYTES 64
#define PASSWORD_KEY_LEN (2 * PASSWORD_KEY_BYTES)
#define PASSWORD_SCRYPT_N 16384
#define PASSWORD_SCRYPT_R 16
#define PASSWORD_SCRYPT_P 1
/* scrypt needs 128*N*r bytes (32 MiB) plus a little; OpenSSL's default cap
 * is exactly 32 MiB, so set it explicitly: Better Auth's 128*N*r*2 + 1 MiB. */
#define PASSWORD_SCRYPT_MAXMEM \
	((uint64_t)128 * PASSWORD_SCRYPT_N * PASSWORD_SCRYPT_R * 2 + 1024 * 1024)

static struct hashslot *password_slots;

void password_set_hashslot(struct hashslot *hs)
{
	password_slots = hs;
}

long password_utf16_len(const char *s, size_t n)
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

char *password_nfkc(const char *s, size_t n, size_t *out_len)
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
	out = malloc(len + 1);
	if (out == NULL)
		goto done;
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

/* key = scrypt(pw, salt text). Returns false (logged) on an OpenSSL failure. */
static bool password_scrypt(const char *pw, size_t pw_len, const char *salt, size_t salt_len,
                            unsigned char key[PASSWORD_KEY_BYTES])
{
	bool ok = false;
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *ctx = NULL;
	uint64_t n = PASSWORD_SCRYPT_N, maxmem = PASSWORD_SCRYPT_MAXMEM;
	uint32_t r = PASSWORD_SCRYPT_R, p = PASSWORD_SCRYPT_P;
	OSSL_PARAM params[7];
	char err[256];

	kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
	if (kdf == NULL)
		goto done;
	ctx = EVP_KDF_CTX_new(kdf);
	if (ctx == NULL)
		goto done;
	/* An empty octet string still needs a non-NULL pointer. */
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
	                                              (void *)(pw_len ? pw : ""), pw_len);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	                                              (void *)(salt_len ? salt : ""), salt_len);
	params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
	params[5] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem);
	params[6] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, key, PASSWORD_KEY_BYTES, params) != 1)
		goto done;
	ok = true;
done:
	if (!ok) {
		ERR_error_string_n(ERR_get_error(), err, sizeof err);
		fprintf(stderr, "password: scrypt failed: %s\n", err);
		ERR_clear_error();
	}
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok;
}

/* hex = lower-case hex of scrypt(NFKC(pw), salt text), PASSWORD_KEY_LEN + 1
 * bytes. */
static enum password_status password_derive_hex(const char *pw, size_t n, const char *salt,
                                                size_t salt_len, char hex[PASSWORD_KEY_LEN + 1])
{
	enum password_status st = PASSWORD_FAILED;
	unsigned char key[PASSWORD_KEY_BYTES];
	char *norm = NULL;
	size_t norm_len = 0;
	bool ok;

	norm = password_nfkc(pw, n, &norm_len);
	if (norm == NULL) {
		st = PASSWORD_BAD_INPUT;
		goto done;
	}
	if (password_slots != NULL)
		hashslot_acquire(password_slots, PASSWORD_SLOT_WAIT_MS);
	ok = password_scrypt(norm, norm_len, salt, salt_len, key);
	if (password_slots != NULL)
		hashslot_release(password_slots);
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

enum password_status password_hash(const char *pw, size_t n, char out[PASSWORD_HASH_LEN + 1])
{
	unsigned char raw[PASSWORD_SALT_BYTES];
	char salt[PASSWORD_SALT_LEN + 1];

	crypto_random(raw, sizeof raw);
	crypto_hex(raw, sizeof raw, salt);
	return password_hash_with_salt(pw, n, salt, out);
}

enum password_status password_hash_with_salt(const char *pw, size_t n, const char *salt,
                                             char out[PASSWORD_HASH_LEN + 1])
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

enum password_status password_verify(const char *pw, size_t n, const char *stored)
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
