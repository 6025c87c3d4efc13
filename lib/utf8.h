/*
 * utf8.h — strict UTF-8 (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF. What JSON strings, cookie values and form fields
 * must be before anything else looks at them.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (1–4) of the valid sequence starting at p (p < end), or 0. */
size_t utf8_seq_len(const unsigned char *p, const unsigned char *end);

/* True when s[0..n) is valid UTF-8 without NUL characters. */
bool utf8_is_valid(const char *s, size_t n);

#endif
