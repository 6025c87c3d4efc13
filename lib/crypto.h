/*
 * crypto.h — the secret's HMAC-SHA256 (keyed once per process), Base64 in the
 * standard and URL-safe alphabets, hex, and constant-time comparison. All on
 * OpenSSL 3. Nothing here allocates per call except where a result is returned.
 */
#ifndef CRYPTO_H
#define CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#define CRYPTO_MAC_LEN 32

/* Keys the process-wide HMAC-SHA256 context with the secret's bytes (used
 * directly as the key, as Better Auth does). Call once before the accept loop.
 * Returns false on an OpenSSL failure. */
bool crypto_init(const char *secret, size_t secret_len);

/* Releases the keyed context. Safe to call when never initialised. */
void crypto_cleanup(void);

/* mac = HMAC-SHA256(secret, msg). Aborts if crypto_init was not called. */
void crypto_hmac(const void *msg, size_t len, unsigned char mac[CRYPTO_MAC_LEN]);

/* mac = HMAC-SHA256(secret, a followed by b): one message in two pieces. */
void crypto_hmac2(const void *a, size_t a_len, const void *b, size_t b_len,
                  unsigned char mac[CRYPTO_MAC_LEN]);

/* Base64 of src into dst (NUL-terminated). url=false: standard alphabet with
 * '=' padding; url=true: '-' '_' alphabet, no padding. dst must hold
 * crypto_base64_len(n, url) + 1 bytes. Returns the length written. */
size_t crypto_base64_len(size_t n, bool url);
size_t crypto_base64_encode(const void *src, size_t n, char *dst, bool url);

/* Decodes Base64 (url=false: standard alphabet, '=' padding required to a
 * multiple of 4; url=true: URL-safe, no padding) into dst, which holds at
 * most cap bytes. Returns the decoded length, or -1 on any invalid character,
 * bad length or overflow of cap. */
long crypto_base64_decode(const char *src, size_t n, unsigned char *dst, size_t cap);
long crypto_base64url_decode(const char *src, size_t n, unsigned char *dst, size_t cap);

/* Lower-case hex of src into dst (2n+1 bytes, NUL-terminated). */
void crypto_hex(const void *src, size_t n, char *dst);

/* Constant-time equality of two equal-length buffers (CRYPTO_memcmp). */
bool crypto_equal(const void *a, const void *b, size_t n);

/* Fills buf with n bytes from the CSPRNG (RAND_bytes); aborts on failure. */
void crypto_random(void *buf, size_t n);

#endif
