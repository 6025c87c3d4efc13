/*
 * json.c — see json.h.
 */
#include "json.h"

#include "json_write.h"
#include "utf8.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

struct json_parser {
	const unsigned char *p, *end;
	int depth;
	enum json_status status;
	bson_string_t *scratch; /* decoded string of the moment */
};

static void
json_skip_ws(struct json_parser *jp)
{
	while (jp->p < jp->end &&
	       (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static bool
json_fail(struct json_parser *jp, enum json_status st)
{
	if (jp->status == JSON_OK)
		jp->status = st;
	return false;
}

static int
json_hex4(const unsigned char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		int c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static void
json_put_utf8(bson_string_t *s, unsigned cp)
{
	if (cp < 0x80) {
		bson_string_append_c(s, (char)cp);
	} else if (cp < 0x800) {
		bson_string_append_c(s, (char)(0xc0 | cp >> 6));
		bson_string_append_c(s, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		bson_string_append_c(s, (char)(0xe0 | cp >> 12));
		bson_string_append_c(s, (char)(0x80 | ((cp >> 6) & 0x3f)));
		bson_string_append_c(s, (char)(0x80 | (cp & 0x3f)));
	} else {
		bson_string_append_c(s, (char)(0xf0 | cp >> 18));
		bson_string_append_c(s, (char)(0x80 | ((cp >> 12) & 0x3f)));
		bson_string_append_c(s, (char)(0x80 | ((cp >> 6) & 0x3f)));
		bson_string_append_c(s, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Decodes the string at jp->p (on the opening quote) into jp->scratch.
 * Runs of characters that need no decoding are appended in one piece. */
static bool
json_parse_string(struct json_parser *jp)
{
	const unsigned char *escape = json_write_escapes();

	/* Emptied in place (bson_string_truncate would realloc it). */
	jp->scratch->len = 0;
	jp->scratch->str[0] = '\0';
	jp->p++;
	while (jp->p < jp->end) {
		const unsigned char *run = jp->p;
		unsigned c;

		/* ASCII that needs no escape; the rest below (UTF-8 checked). */
		while (jp->p < jp->end && *jp->p < 0x80 && !escape[*jp->p])
			jp->p++;
		if (jp->p > run)
			json_write_raw(jp->scratch, (const char *)run, (size_t)(jp->p - run));
		if (jp->p >= jp->end)
			break;
		c = *jp->p;
		if (c == '"') {
			jp->p++;
			return true;
		}
		if (c < 0x20)
			return json_fail(jp, JSON_SYNTAX);
		if (c == '\\') {
			int cp, lo;

			if (jp->end - jp->p < 2)
				return json_fail(jp, JSON_SYNTAX);
			switch (jp->p[1]) {
			case '"': bson_string_append_c(jp->scratch, '"'); break;
			case '\\': bson_string_append_c(jp->scratch, '\\'); break;
			case '/': bson_string_append_c(jp->scratch, '/'); break;
			case 'b': bson_string_append_c(jp->scratch, '\b'); break;
			case 'f': bson_string_append_c(jp->scratch, '\f'); break;
			case 'n': bson_string_append_c(jp->scratch, '\n'); break;
			case 'r': bson_string_append_c(jp->scratch, '\r'); break;
			case 't': bson_string_append_c(jp->scratch, '\t'); break;
			case 'u':
				if (jp->end - jp->p < 6 || (cp = json_hex4(jp->p + 2)) < 0)
					return json_fail(jp, JSON_SYNTAX);
				if (cp == 0)
					return json_fail(jp, JSON_BAD_STRING);
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return json_fail(jp, JSON_BAD_STRING);
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (jp->end - jp->p < 12 || jp->p[6] != '\\' ||
					    jp->p[7] != 'u' ||
					    (lo = json_hex4(jp->p + 8)) < 0xdc00 || lo > 0xdfff)
						return json_fail(jp, JSON_BAD_STRING);
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					jp->p += 6;
				}
				json_put_utf8(jp->scratch, (unsigned)cp);
				jp->p += 4;
				break;
			default: return json_fail(jp, JSON_SYNTAX);
			}
			jp->p += 2;
			continue;
		}
		{
			size_t n = utf8_seq_len(jp->p, jp->end);

			if (!n)
				return json_fail(jp, JSON_BAD_STRING);
			json_write_raw(jp->scratch, (const char *)jp->p, n);
			jp->p += n;
		}
	}
	return json_fail(jp, JSON_SYNTAX);
}

static bool
json_parse_number(struct json_parser *jp, double *out)
{
	const unsigned char *s = jp->p;
	char small[64], *buf = small;
	size_t n;

	if (jp->p < jp->end && *jp->p == '-')
		jp->p++;
	if (jp->p >= jp->end)
		return json_fail(jp, JSON_SYNTAX);
	if (*jp->p == '0')
		jp->p++;
	else if (*jp->p >= '1' && *jp->p <= '9')
		while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
			jp->p++;
	else
		return json_fail(jp, JSON_SYNTAX);
	if (jp->p < jp->end && *jp->p == '.') {
		jp->p++;
		if (jp->p >= jp->end || *jp->p < '0' || *jp->p > '9')
			return json_fail(jp, JSON_SYNTAX);
		while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
			jp->p++;
	}
	if (jp->p < jp->end && (*jp->p == 'e' || *jp->p == 'E')) {
		jp->p++;
		if (jp->p < jp->end && (*jp->p == '+' || *jp->p == '-'))
			jp->p++;
		if (jp->p >= jp->end || *jp->p < '0' || *jp->p > '9')
			return json_fail(jp, JSON_SYNTAX);
		while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
			jp->p++;
	}
	/* Any length, as JSON.parse takes it (the body cap bounds it). */
	n = (size_t)(jp->p - s);
	if (n >= sizeof(small))
		buf = xmalloc(n + 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod(buf, NULL);
	if (buf != small)
		free(buf);
	return true;
}

static bool json_parse_value(struct json_parser *jp, bson_t *parent, const char *key,
                             enum json_kind *kind);
struct json_keyset;
static bool json_parse_members(struct json_parser *jp, bson_t *doc, struct json_keyset *keys);

static bool
json_literal(struct json_parser *jp, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, word, n) != 0)
		return json_fail(jp, JSON_SYNTAX);
	jp->p += n;
	return true;
}

/* After a member or element: ',' → 1 (another follows); the closing
 * character → 0 (consumed, the container is done); anything else → -1. */
static int
json_separator(struct json_parser *jp, char close)
{
	json_skip_ws(jp);
	if (jp->p < jp->end && *jp->p == ',') {
		jp->p++;
		return 1;
	}
	if (jp->p < jp->end && *jp->p == (unsigned char)close) {
		jp->p++;
		jp->depth--;
		return 0;
	}
	json_fail(jp, JSON_SYNTAX);
	return -1;
}

/* The keys of one object so far, as hashes (seeded per process, so they
 * cannot be chosen to collide): duplicate detection in linear time. A
 * matching hash is confirmed against the document itself. */
struct json_keyset {
	uint64_t *slots; /* 0 = empty */
	size_t cap, n;
};

static uint64_t
json_key_hash(const char *s, size_t n)
{
	static uint64_t seed;
	uint64_t h;
	size_t i;

	if (!seed) {
		/* getrandom (glibc and musl alike; arc4random is glibc's only) */
		if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
			seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
		seed |= 1;
	}
	h = 0xcbf29ce484222325ULL ^ seed;
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	h ^= h >> 29;
	return h ? h : 1;
}

/* Adds key; true when it was already in doc. */
static bool
json_keyset_add(struct json_keyset *ks, const bson_t *doc, const char *key, size_t n)
{
	uint64_t h = json_key_hash(key, n);
	size_t i;
	bson_iter_t it;

	if (ks->n * 2 >= ks->cap) {
		struct json_keyset grown = {NULL, ks->cap ? ks->cap * 2 : 16, 0};

		grown.slots = bson_malloc0(grown.cap * sizeof(uint64_t));
		for (i = 0; i < ks->cap; i++) {
			size_t j;

			if (!ks->slots[i])
				continue;
			for (j = ks->slots[i] & (grown.cap - 1); grown.slots[j];
			     j = (j + 1) & (grown.cap - 1))
				;
			grown.slots[j] = ks->slots[i];
			grown.n++;
		}
		bson_free(ks->slots);
		*ks = grown;
	}
	for (i = h & (ks->cap - 1); ks->slots[i]; i = (i + 1) & (ks->cap - 1))
		if (ks->slots[i] == h && bson_iter_init_find(&it, doc, key))
			return true;
	ks->slots[i] = h;
	ks->n++;
	return false;
}

static bool
json_parse_object(struct json_parser *jp, bson_t *doc)
{
	struct json_keyset keys = {NULL, 0, 0};
	bool ok = json_parse_members(jp, doc, &keys);

	bson_free(keys.slots);
	return ok;
}

static bool
json_parse_members(struct json_parser *jp, bson_t *doc, struct json_keyset *keys)
{
	bool first = true;
	int sep;

	if (++jp->depth > JSON_MAX_DEPTH)
		return json_fail(jp, JSON_TOO_DEEP);
	jp->p++; /* '{' */
	for (;;) {
		char kbuf[64], *key;
		bool ok;

		json_skip_ws(jp);
		if (jp->p >= jp->end)
			return json_fail(jp, JSON_SYNTAX);
		if (first && *jp->p == '}')
			break;
		if (*jp->p != '"' || !json_parse_string(jp))
			return json_fail(jp, JSON_SYNTAX);
		if (memchr(jp->scratch->str, '\0', jp->scratch->len))
			return json_fail(jp, JSON_BAD_STRING);
		if (json_keyset_add(keys, doc, jp->scratch->str, jp->scratch->len))
			return json_fail(jp, JSON_DUPLICATE_KEY);
		/* The value's own strings reuse scratch: keep the key apart. */
		key = jp->scratch->len < sizeof(kbuf)
		              ? memcpy(kbuf, jp->scratch->str, jp->scratch->len + 1)
		              : bson_strdup(jp->scratch->str);
		json_skip_ws(jp);
		if (jp->p >= jp->end || *jp->p != ':') {
			if (key != kbuf)
				bson_free(key);
			return json_fail(jp, JSON_SYNTAX);
		}
		jp->p++;
		ok = json_parse_value(jp, doc, key, NULL);
		if (key != kbuf)
			bson_free(key);
		if (!ok)
			return false;
		if ((sep = json_separator(jp, '}')) <= 0)
			return sep == 0;
		first = false;
	}
	jp->p++;
	jp->depth--;
	return true;
}

static bool
json_parse_array(struct json_parser *jp, bson_t *arr)
{
	uint32_t i = 0;
	int sep;

	if (++jp->depth > JSON_MAX_DEPTH)
		return json_fail(jp, JSON_TOO_DEEP);
	jp->p++; /* '[' */
	json_skip_ws(jp);
	if (jp->p < jp->end && *jp->p == ']') {
		jp->p++;
		jp->depth--;
		return true;
	}
	for (;;) {
		char kbuf[16];
		const char *key;

		bson_uint32_to_string(i++, &key, kbuf, sizeof(kbuf));
		if (!json_parse_value(jp, arr, key, NULL))
			return false;
		if ((sep = json_separator(jp, ']')) <= 0)
			return sep == 0;
	}
}

/* Parses one value; appends it to parent under key (parent NULL: top level,
 * where an object's members go straight into jp's output via *kind). */
static bool
json_parse_value(struct json_parser *jp, bson_t *parent, const char *key, enum json_kind *kind)
{
	bson_t child;
	double d;
	bool ok;

	json_skip_ws(jp);
	if (jp->p >= jp->end)
		return json_fail(jp, JSON_SYNTAX);
	switch (*jp->p) {
	case '{':
		if (kind)
			*kind = JSON_OBJECT;
		if (!key) /* top level: members go into parent itself */
			return json_parse_object(jp, parent);
		bson_append_document_begin(parent, key, -1, &child);
		ok = json_parse_object(jp, &child);
		bson_append_document_end(parent, &child);
		return ok;
	case '[':
		if (kind)
			*kind = JSON_ARRAY;
		if (!key) {
			bson_t scratch = BSON_INITIALIZER;

			ok = json_parse_array(jp, &scratch);
			bson_destroy(&scratch);
			return ok;
		}
		bson_append_array_begin(parent, key, -1, &child);
		ok = json_parse_array(jp, &child);
		bson_append_array_end(parent, &child);
		return ok;
	case '"':
		if (kind)
			*kind = JSON_STRING;
		if (!json_parse_string(jp))
			return false;
		if (key)
			bson_append_utf8(parent, key, -1, jp->scratch->str, (int)jp->scratch->len);
		return true;
	case 't':
	case 'f':
	case 'n': {
		static const char *const words[] = {"true", "false", "null"};
		int w = *jp->p == 't' ? 0 : *jp->p == 'f' ? 1 : 2;

		if (kind)
			*kind = w == 2 ? JSON_NULL : JSON_BOOL;
		if (!json_literal(jp, words[w]))
			return false;
		if (key && w == 2)
			bson_append_null(parent, key, -1);
		else if (key)
			bson_append_bool(parent, key, -1, w == 0);
		return true;
	}
	default:
		if (kind)
			*kind = JSON_NUMBER;
		if (!json_parse_number(jp, &d))
			return false;
		if (key)
			bson_append_double(parent, key, -1, d);
		return true;
	}
}

enum json_status
json_parse(const char *buf, size_t len, bson_t *out, enum json_kind *kind)
{
	struct json_parser jp;
	enum json_kind k = JSON_NULL;

	memset(&jp, 0, sizeof(jp));
	jp.p = (const unsigned char *)buf;
	jp.end = jp.p + len;
	jp.scratch = bson_string_new(NULL);
	/* A UTF-8 byte-order mark is not JSON (JSON.parse rejects it too). */
	if (json_parse_value(&jp, out, NULL, &k)) {
		json_skip_ws(&jp);
		if (jp.p != jp.end)
			json_fail(&jp, JSON_SYNTAX);
	}
	bson_string_free(jp.scratch, true);
	*kind = k;
	if (jp.status != JSON_OK)
		bson_reinit(out);
	return jp.status;
}

const char *
json_type_name(const bson_iter_t *it)
{
	if (!it)
		return "undefined";
	switch (bson_iter_type(it)) {
	case BSON_TYPE_UTF8: return "string";
	case BSON_TYPE_DOUBLE:
	case BSON_TYPE_INT32:
	case BSON_TYPE_INT64: return "number";
	case BSON_TYPE_BOOL: return "boolean";
	case BSON_TYPE_NULL: return "null";
	case BSON_TYPE_ARRAY: return "array";
	default: return "object";
	}
}
