/*
 * cookie.h — the Cookie request header, signed cookie values and Set-Cookie
 * lines, exactly as better-call does them:
 *   parse:  split on ';', name/value around the first '=', both trimmed; a
 *           value wrapped in '"' is unwrapped; percent-decoded only if it
 *           holds '%' (kept raw when decoding fails); the first duplicate wins.
 *   sign:   value + "." + Base64(HMAC-SHA256(secret, value)), 44 chars, '='.
 *   wire:   encodeURIComponent of that.
 */
#ifndef COOKIE_H
#define COOKIE_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stddef.h>

/* The decoded value of cookie `name` in header, malloc'd (caller frees), or
 * NULL when absent. */
char *cookie_get(const char *header, const char *name);

/* cookie_get without a copy when there is nothing to percent-decode: true
 * when the cookie is present, and then *value (*len bytes, not
 * NUL-terminated) points into header, or, when the value was decoded, is
 * *decoded, which the caller frees. *decoded is NULL otherwise (and
 * *value NULL when absent). */
bool cookie_find(const char *header, const char *name, const char **value, size_t *len,
                 char **decoded);

/* True when the header carries cookie `name` or its chunks "<name>.<n>". */
bool cookie_has_chunks(const char *header, const char *name);

/* Signs value: returns malloc'd "value.<44-char base64 sig>" (not encoded). */
char *cookie_sign(const char *value);

/* Verifies a decoded signed value (split at the last '.'). Returns the
 * malloc'd unsigned value when the signature is valid, else NULL: no dot or
 * a dot at 0, a signature that is not 44 chars ending in '=', undecodable
 * Base64 or a wrong MAC (constant-time compare). */
char *cookie_verify(const char *signed_value);

/* Appends encodeURIComponent(s) to out. */
void cookie_encode(bson_string_t *out, const char *s);

/* Formats a Set-Cookie value (without the header name):
 * "<name>=<value>[; Max-Age=<n>]; Path=/; HttpOnly[; Secure]; SameSite=Lax".
 * value is written as given (already encoded); max_age < 0 omits Max-Age.
 * Returns a malloc'd string. */
char *cookie_format(const char *name, const char *value, long long max_age, bool secure);

#endif
