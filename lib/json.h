/*
 * json.h — strict JSON in, Better Auth's JSON out, with libbson documents as
 * the in-memory form.
 *
 * Parsing is our own strict RFC 8259 reader that builds a bson_t. It never
 * interprets MongoDB Extended JSON: {"$gt":""}, {"$oid":…}, {"$date":…} stay
 * plain sub-documents, so a string field can only ever be a BSON UTF-8 value
 * and type checks stay simple. It rejects what bson_init_from_json lets
 * through: duplicate keys, trailing data, invalid UTF-8, NUL characters,
 * lone surrogates, nesting deeper than JSON_MAX_DEPTH. Numbers become
 * doubles. Output is json_write.h.
 */
#ifndef JSON_H
#define JSON_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 32

/* The JSON type of the top-level value (what zod calls "received X"). */
enum json_kind { JSON_OBJECT, JSON_ARRAY, JSON_STRING, JSON_NUMBER, JSON_BOOL, JSON_NULL };

enum json_status {
	JSON_OK = 0,
	JSON_SYNTAX, /* not JSON, or trailing data */
	JSON_DUPLICATE_KEY,
	JSON_TOO_DEEP,
	JSON_BAD_STRING /* invalid UTF-8, NUL, lone surrogate */
};

/* Parses exactly one JSON value from buf[0..len). When it is an object, its
 * members are appended to out (which the caller has initialised); other
 * top-level values leave out empty. *kind tells which it was. */
enum json_status json_parse(const char *buf, size_t len, bson_t *out, enum json_kind *kind);

/* zod's name for an element's JSON type: "string", "number", "boolean",
 * "null", "array", "object"; "undefined" for NULL. */
const char *json_type_name(const bson_iter_t *it);

#endif
