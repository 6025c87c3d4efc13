/*
 * urlcode.h — percent-decoding, the two ways JavaScript does it:
 * decodeURIComponent (strict: a bad escape is an error) for cookie values,
 * and URLSearchParams (lenient: '+' is a space, a bad escape stays literal)
 * for form bodies and query strings. Results must be UTF-8 without NUL.
 */
#ifndef URLCODE_H
#define URLCODE_H

#include <bson/bson.h>
#include <stddef.h>

enum urlcode_mode {
	URLCODE_COMPONENT, /* decodeURIComponent */
	URLCODE_FORM       /* application/x-www-form-urlencoded, URLSearchParams */
};

/* Decodes s[0..n) into a malloc'd NUL-terminated string (length in *out_len
 * when not NULL). NULL when the result is not UTF-8, holds a NUL, or (in
 * URLCODE_COMPONENT mode) an escape is not '%' and two hex digits. */
char *urlcode_decode(const char *s, size_t n, enum urlcode_mode mode, size_t *out_len);

/* Appends s percent-encoded to out: mode URLCODE_COMPONENT as
 * encodeURIComponent (A-Z a-z 0-9 - _ . ! ~ * ' ( ) kept), URLCODE_FORM as
 * URLSearchParams serialises (A-Z a-z 0-9 * - . _ kept, space as '+').
 * Upper-case hex. */
void urlcode_encode(bson_string_t *out, const char *s, size_t n, enum urlcode_mode mode);

#endif
