/*
 * form.h — application/x-www-form-urlencoded bodies, decoded as
 * Object.fromEntries(new URLSearchParams(body)) does: '+' is a space, %XX is
 * a byte, a bad escape stays literal, the last duplicate wins, every value is
 * a string. Keys such as "email[$ne]" are just keys.
 */
#ifndef FORM_H
#define FORM_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stddef.h>

#define FORM_MAX_PAIRS 256

/* Appends the pairs of buf[0..len) to out as UTF-8 strings. false when a
 * decoded name or value is not UTF-8, holds NUL, or there are more than
 * FORM_MAX_PAIRS pairs (out is then reset). */
bool form_parse(const char *buf, size_t len, bson_t *out);

#endif
