/*
 * json_write.h — JSON out, byte for byte as JavaScript's JSON.stringify writes
 * the values we emit: escapes, numbers (Number.prototype.toString), ISO dates
 * with milliseconds; BSON values (ObjectIds as hex) written the way Better
 * Auth's responses show them.
 */
#ifndef JSON_WRITE_H
#define JSON_WRITE_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A new empty string with room for n bytes: two allocations (bson_string_new
 * then a reserve is three). Free it with bson_string_free. */
bson_string_t *json_write_new(size_t n);

/* Appends s[0..n) unchanged. */
void json_write_raw(bson_string_t *out, const char *s, size_t n);

/* Makes room for n more bytes in out at once (writes of a known total
 * length then never grow it). */
void json_write_reserve(bson_string_t *out, size_t n);

/* Lengthens out by n bytes (NUL-terminated after them) and returns where
 * they start, for the caller to fill: a text of known length written in
 * place, without a copy. The pointer is valid until out next grows. */
char *json_write_extend(bson_string_t *out, size_t n);

/* 256 flags: non-zero for the bytes a JSON string cannot hold as they are
 * (", \, control characters). */
const unsigned char *json_write_escapes(void);

/* Appends s[0..n) as a JSON string literal, escaped as JSON.stringify does
 * (", \, control characters; not '/' or U+2028). */
void json_write_string(bson_string_t *out, const char *s, size_t n);

/* Appends a date as "YYYY-MM-DDTHH:MM:SS.mmmZ" (quoted). */
void json_write_date(bson_string_t *out, int64_t ms);

/* Appends a number as JavaScript prints it (integers without ".0"). */
void json_write_number(bson_string_t *out, double v);

/* Appends one BSON value as JSON: strings, numbers, booleans, null, dates
 * (ISO), ObjectIds (hex string), documents and arrays recursively. */
void json_write_value(bson_string_t *out, const bson_iter_t *it);

/* Appends `"key":` (with a leading ',' unless first). */
void json_write_key(bson_string_t *out, const char *key, bool first);

#endif
