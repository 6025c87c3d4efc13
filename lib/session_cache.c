/*
 * session_cache.c — see session_cache.h.
 *
 * Encoding concatenates the caller's rendered JSON, so the bytes are exactly
 * what Better Auth's JSON.stringify produces for the same objects. Decoding
 * re-serialises the payload generically in its own key order, which is what
 * JSON.stringify(JSON.parse(...)) gives for any cookie Better Auth or we
 * wrote; anything else fails the signature check (fail closed).
 */
#include "session_cache.h"

#include "crypto.h"
#include "json.h"
#include "json_write.h"
#include "model.h"
#include "utf8.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SESSION_CACHE_MAX_VALUE 16384 /* longest cookie value we decode */
#define SESSION_CACHE_VERSION "1"
#define SESSION_CACHE_ISO_LEN 24 /* YYYY-MM-DDTHH:MM:SS.mmmZ */

/* Appends base64url_nopad(HMAC(msg)) to out. */
static void
session_cache_sign(bson_string_t *out, const char *msg, size_t len)
{
	unsigned char mac[CRYPTO_MAC_LEN];
	char b64[CRYPTO_MAC_LEN * 2];

	crypto_hmac(msg, len, mac);
	crypto_base64_encode(mac, sizeof mac, b64, true);
	bson_string_append(out, b64);
}

char *
session_cache_encode(const char *session_json, const char *user_json, int64_t now_ms,
                     int64_t max_age_s)
{
	bson_string_t *payload = NULL, *signed_msg = NULL, *doc = NULL;
	char *value = NULL;
	int64_t expires = now_ms + max_age_s * 1000;

	if (!session_json || !user_json)
		goto done;
	/* P without its closing brace: the HMAC input continues it. */
	payload = bson_string_new("{\"session\":");
	bson_string_append(payload, session_json);
	bson_string_append(payload, ",\"user\":");
	bson_string_append(payload, user_json);
	bson_string_append_printf(payload, ",\"updatedAt\":%lld,\"version\":\"%s\"",
	                          (long long)now_ms, SESSION_CACHE_VERSION);

	signed_msg = bson_string_new(payload->str);
	bson_string_append_printf(signed_msg, ",\"expiresAt\":%lld}", (long long)expires);

	doc = bson_string_new("{\"session\":");
	bson_string_append(doc, payload->str);
	bson_string_append_printf(doc, "},\"expiresAt\":%lld,\"signature\":\"", (long long)expires);
	session_cache_sign(doc, signed_msg->str, signed_msg->len);
	bson_string_append(doc, "\"}");

	value = xmalloc(crypto_base64_len(doc->len, true) + 1);
	crypto_base64_encode(doc->str, doc->len, value, true);
done:
	if (payload)
		bson_string_free(payload, true);
	if (signed_msg)
		bson_string_free(signed_msg, true);
	if (doc)
		bson_string_free(doc, true);
	return value;
}

/* Milliseconds since the epoch of a strict "YYYY-MM-DDTHH:MM:SS.mmmZ", or
 * false when s is anything else (including an impossible date). */
static bool
session_cache_parse_iso(const char *s, uint32_t len, int64_t *ms)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int v[7] = {0}, field = 0, y, era, yoe, doy, doe;
	int64_t days;
	bool leap;
	uint32_t i;

	if (len != SESSION_CACHE_ISO_LEN)
		return false;
	for (i = 0; i < len; i++) {
		if (shape[i] == 'd') {
			if (s[i] < '0' || s[i] > '9')
				return false;
			v[field] = v[field] * 10 + (s[i] - '0');
		} else {
			if (s[i] != shape[i])
				return false;
			field++;
		}
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[3] > 23 || v[4] > 59 || v[5] > 59)
		return false;
	/* 2025-02-30 is no date (timegm would move it to March 2). */
	leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
	if (v[2] > month_days[v[1] - 1] + (v[1] == 2 && leap))
		return false;
	/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
	 * days_from_civil), without timegm's time-zone machinery. */
	y = v[0] - (v[1] <= 2);
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (v[1] + (v[1] > 2 ? -3 : 9)) + 2) / 5 + v[2] - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = (int64_t)era * 146097 + doe - 719468;
	*ms = ((days * 24 + v[3]) * 60 + v[4]) * 60000 + (int64_t)v[5] * 1000 + v[6];
	return true;
}

/* Re-serialises the payload object as JavaScript's {...P, expiresAt: E}
 * does: P's members in order, expiresAt replaced in place or appended. */
static void
session_cache_signed_text(bson_string_t *out, const bson_iter_t *payload, double expires)
{
	bson_iter_t child;
	bool first = true, seen = false;

	bson_string_append_c(out, '{');
	if (bson_iter_recurse(payload, &child))
		while (bson_iter_next(&child)) {
			json_write_key(out, bson_iter_key(&child), first);
			if (strcmp(bson_iter_key(&child), "expiresAt") == 0) {
				json_write_number(out, expires);
				seen = true;
			} else {
				json_write_value(out, &child);
			}
			first = false;
		}
	if (!seen) {
		json_write_key(out, "expiresAt", first);
		json_write_number(out, expires);
	}
	bson_string_append_c(out, '}');
}

/* Copies the members of the sub-document at it into dst. */
static bool
session_cache_copy(const bson_iter_t *it, bson_t *dst)
{
	const uint8_t *data;
	uint32_t len;
	bson_t src;

	bson_iter_document(it, &len, &data);
	return data && bson_init_static(&src, data, len) && bson_concat(dst, &src);
}

/* The text of a cookie value of n bytes: base64url-decoded, malloc'd, its
 * length in *len and a NUL after it (the fast reader's scans stop there), or
 * NULL when empty, too long or not base64url. */
static unsigned char *
session_cache_unwrap(const char *value, size_t n, long *len)
{
	unsigned char *json;

	*len = 0;
	if (n == 0 || n > SESSION_CACHE_MAX_VALUE)
		return NULL;
	json = xmalloc(n / 4 * 3 + 3);
	/* n / 4 * 3 + 2 bytes at most, and the NUL */
	*len = crypto_base64url_decode(value, n, json, n / 4 * 3 + 2);
	if (*len <= 0) {
		free(json);
		return NULL;
	}
	json[*len] = '\0';
	return json;
}

bool
session_cache_decode(const char *value, const char *token, int64_t now_ms, bson_t *session,
                     bson_t *user)
{
	bson_t outer = BSON_INITIALIZER;
	bson_iter_t it, payload, sess, usr, child;
	bson_string_t *text = NULL;
	unsigned char *json = NULL, mac[CRYPTO_MAC_LEN], sig[CRYPTO_MAC_LEN];
	enum json_kind kind;
	const char *str;
	uint32_t str_len;
	double expires;
	int64_t session_expires;
	long json_len;
	bool ok = false;

	bson_reinit(session);
	bson_reinit(user);
	if (!value || !token)
		goto done;
	json = session_cache_unwrap(value, strnlen(value, SESSION_CACHE_MAX_VALUE + 1), &json_len);
	if (!json)
		goto done;
	if (json_parse((const char *)json, (size_t)json_len, &outer, &kind) != JSON_OK ||
	    kind != JSON_OBJECT)
		goto done;

	/* Shape: {session: object, expiresAt: number, signature: string}. */
	if (!bson_iter_init_find(&payload, &outer, "session") ||
	    !BSON_ITER_HOLDS_DOCUMENT(&payload))
		goto done;
	if (!bson_iter_init_find(&it, &outer, "expiresAt") || !BSON_ITER_HOLDS_NUMBER(&it))
		goto done;
	expires = bson_iter_as_double(&it);
	if (!bson_iter_init_find(&it, &outer, "signature") || !BSON_ITER_HOLDS_UTF8(&it))
		goto done;
	str = bson_iter_utf8(&it, &str_len);
	if (crypto_base64url_decode(str, str_len, sig, sizeof sig) != CRYPTO_MAC_LEN)
		goto done;

	text = bson_string_new(NULL);
	session_cache_signed_text(text, &payload, expires);
	crypto_hmac(text->str, text->len, mac);
	if (!crypto_equal(mac, sig, CRYPTO_MAC_LEN))
		goto done;

	/* The payload: session and user objects, updatedAt, version "1". */
	if (!bson_iter_recurse(&payload, &child) || !bson_iter_find(&child, "session") ||
	    !BSON_ITER_HOLDS_DOCUMENT(&child))
		goto done;
	sess = child;
	if (!bson_iter_recurse(&payload, &child) || !bson_iter_find(&child, "user") ||
	    !BSON_ITER_HOLDS_DOCUMENT(&child))
		goto done;
	usr = child;
	if (!bson_iter_recurse(&payload, &child) || !bson_iter_find(&child, "updatedAt") ||
	    !BSON_ITER_HOLDS_NUMBER(&child))
		goto done;
	if (bson_iter_recurse(&payload, &child) && bson_iter_find(&child, "version")) {
		if (!BSON_ITER_HOLDS_UTF8(&child))
			goto done;
		str = bson_iter_utf8(&child, &str_len);
		if (str_len != strlen(SESSION_CACHE_VERSION) ||
		    strcmp(str, SESSION_CACHE_VERSION) != 0)
			goto done;
	}

	/* Not expired, as a cache entry nor as a session. */
	if (!(expires >= (double)now_ms))
		goto done;
	if (!bson_iter_recurse(&sess, &child) || !bson_iter_find(&child, "expiresAt") ||
	    !BSON_ITER_HOLDS_UTF8(&child))
		goto done;
	str = bson_iter_utf8(&child, &str_len);
	if (!session_cache_parse_iso(str, str_len, &session_expires) || session_expires < now_ms)
		goto done;

	/* The cookie belongs to this session token. */
	if (!bson_iter_recurse(&sess, &child) || !bson_iter_find(&child, "token") ||
	    !BSON_ITER_HOLDS_UTF8(&child))
		goto done;
	str = bson_iter_utf8(&child, &str_len);
	if (str_len != strlen(token) || memcmp(str, token, str_len) != 0)
		goto done;

	if (!session_cache_copy(&sess, session) || !session_cache_copy(&usr, user))
		goto done;
	ok = true;
done:
	if (!ok) {
		bson_reinit(session);
		bson_reinit(user);
	}
	if (text)
		bson_string_free(text, true);
	free(json);
	bson_destroy(&outer);
	return ok;
}

/* ------------------------------------------------------------ fast path */

#define SESSION_CACHE_KEYS 8 /* members of the session (the user has 7) */

/* The decoded text, read left to right; *end is a NUL (session_cache_unwrap
 * puts it there), which ends every scan for a stop byte. */
struct session_cache_text {
	const char *p, *end;
};

/* A key order of the answer (model_session_cache_keys or
 * model_user_cache_keys) with the keys' lengths, measured once. */
struct session_cache_keys {
	const char *const *name;
	size_t n, len[SESSION_CACHE_KEYS];
};

static void
session_cache_keys_init(struct session_cache_keys *k, const char *const *names)
{
	k->name = names;
	for (k->n = 0; names[k->n]; k->n++) {
		BSON_ASSERT(k->n < SESSION_CACHE_KEYS);
		k->len[k->n] = strlen(names[k->n]);
	}
}

/* The index of name in k (which holds it). */
static size_t
session_cache_keys_index(const struct session_cache_keys *k, const char *name)
{
	size_t i;

	for (i = 0; strcmp(k->name[i], name) != 0; i++)
		;
	return i;
}

/* A value in the text: where it starts and how long it is. */
struct session_cache_span {
	const char *p;
	size_t n;
};

static bool
session_cache_lit(struct session_cache_text *t, const char *lit, size_t n)
{
	if ((size_t)(t->end - t->p) < n || memcmp(t->p, lit, n) != 0)
		return false;
	t->p += n;
	return true;
}

#define SESSION_CACHE_LIT(t, lit) session_cache_lit(t, lit, sizeof(lit) - 1)

/* Bytes that end a run of plain string content: '"', '\\', control
 * characters and the lead bytes of multi-byte UTF-8. Filled on first use. */
static const unsigned char *
session_cache_stops(void)
{
	static unsigned char table[256];
	static bool filled;
	int c;

	if (!filled) {
		for (c = 0; c < 256; c++)
			table[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
		filled = true;
	}
	return table;
}

/* A string as JSON.stringify writes it, quotes included: no raw control
 * character, valid UTF-8, and only the escapes it uses for '"', '\\' and
 * \b \f \n \r \t (a \u escape is left to the generic reader). *plain
 * says whether it has no escape at all. */
static bool
session_cache_string(struct session_cache_text *t, struct session_cache_span *v, bool *plain)
{
	const unsigned char *stops = session_cache_stops();
	const unsigned char *q = (const unsigned char *)t->p + 1;
	const unsigned char *end = (const unsigned char *)t->end;
	size_t k;

	if (t->p >= t->end || *t->p != '"')
		return false;
	*plain = true;
	for (;;) {
		while (!stops[*q]) /* the NUL at end stops it */
			q++;
		if (q >= end || *q < 0x20)
			return false;
		if (*q == '"')
			break;
		if (*q == '\\') {
			if (++q >= end || !memchr("\"\\bfnrt", *q, 7))
				return false;
			*plain = false;
			q++;
			continue;
		}
		k = utf8_seq_len(q, end); /* a lead byte: the whole sequence */
		if (k == 0)
			return false;
		q += k;
	}
	*v = (struct session_cache_span){t->p, (size_t)((const char *)q + 1 - t->p)};
	t->p = (const char *)q + 1;
	return true;
}

/* An integer as Number.prototype.toString writes it, exactly representable
 * (at most 15 digits): what json_write_number gives back for it. */
static bool
session_cache_integer(struct session_cache_text *t, struct session_cache_span *v, int64_t *out)
{
	const char *start = t->p;
	bool neg = false;
	int64_t n = 0;
	int digits = 0;

	if (t->p < t->end && *t->p == '-') {
		neg = true;
		t->p++;
	}
	if (t->p >= t->end || *t->p < '0' || *t->p > '9' || (*t->p == '0' && neg))
		return false;
	if (*t->p == '0') {
		t->p++;
	} else {
		while (t->p < t->end && *t->p >= '0' && *t->p <= '9' && digits < 15) {
			n = n * 10 + (*t->p++ - '0');
			digits++;
		}
	}
	*v = (struct session_cache_span){start, (size_t)(t->p - start)};
	if (out)
		*out = neg ? -n : n;
	return true;
}

/* One member value of the session or user object: a string, an integer,
 * true, false or null (an object or an array is left to the generic reader). */
static bool
session_cache_scalar(struct session_cache_text *t, struct session_cache_span *v, bool *plain)
{
	const char *start = t->p;

	*plain = false;
	if (t->p >= t->end)
		return false;
	if (*t->p == '"')
		return session_cache_string(t, v, plain);
	if (*t->p == '-' || (*t->p >= '0' && *t->p <= '9'))
		return session_cache_integer(t, v, NULL);
	if (!SESSION_CACHE_LIT(t, "true") && !SESSION_CACHE_LIT(t, "false") &&
	    !SESSION_CACHE_LIT(t, "null"))
		return false;
	*v = (struct session_cache_span){start, (size_t)(t->p - start)};
	return true;
}

/* An object whose members are all among k's keys, each at most once, with
 * scalar values: at[i] receives the value of key i (p NULL when absent) and
 * plain[i] whether it is a string without escapes. */
static bool
session_cache_object(struct session_cache_text *t, const struct session_cache_keys *k,
                     struct session_cache_span *at, bool *plain)
{
	size_t i;

	memset(at, 0, k->n * sizeof(*at));
	if (!SESSION_CACHE_LIT(t, "{"))
		return false;
	if (SESSION_CACHE_LIT(t, "}"))
		return true;
	do {
		/* "key": with a key of k, matched in place: any other key (one
		 * with an escape included) is not ours, so scanning it as a
		 * string first would decide nothing more. */
		const char *name = t->p + 1;
		size_t left = (size_t)(t->end - t->p);

		if (*t->p != '"') /* *end is a NUL: safe to read */
			return false;
		for (i = 0; i < k->n; i++)
			if (left >= k->len[i] + 3 && k->name[i][0] == name[0] &&
			    name[k->len[i]] == '"' && name[k->len[i] + 1] == ':' &&
			    !memcmp(k->name[i], name, k->len[i]))
				break;
		if (i == k->n || at[i].p)
			return false;
		t->p = name + k->len[i] + 2;
		if (!session_cache_scalar(t, &at[i], &plain[i]))
			return false;
	} while (SESSION_CACHE_LIT(t, ","));
	return SESSION_CACHE_LIT(t, "}");
}

/* The length of {"k":v,...} for the members present. */
static size_t
session_cache_length(const struct session_cache_keys *k, const struct session_cache_span *at)
{
	size_t i, n = 2, members = 0;

	for (i = 0; i < k->n; i++)
		if (at[i].p) {
			n += k->len[i] + 3 + at[i].n; /* "key":value */
			members++;
		}
	return n + (members ? members - 1 : 0);
}

/* Writes {"k":v,...} in k's order, the members present, at p (which has
 * session_cache_length bytes); returns the end. The keys are plain ASCII:
 * nothing to escape. */
static char *
session_cache_put(char *p, const struct session_cache_keys *k, const struct session_cache_span *at)
{
	bool first = true;
	size_t i;

	*p++ = '{';
	for (i = 0; i < k->n; i++) {
		if (!at[i].p)
			continue;
		if (!first)
			*p++ = ',';
		*p++ = '"';
		memcpy(p, k->name[i], k->len[i]);
		p += k->len[i];
		*p++ = '"';
		*p++ = ':';
		memcpy(p, at[i].p, at[i].n);
		p += at[i].n;
		first = false;
	}
	*p++ = '}';
	return p;
}

#define SESSION_CACHE_PUT_LIT(p, lit) (memcpy(p, lit, sizeof(lit) - 1), (p) + sizeof(lit) - 1)

bool
session_cache_answer(const char *value, size_t value_len, const char *token, int64_t now_ms,
                     bson_string_t **answer)
{
	struct session_cache_span sess[SESSION_CACHE_KEYS], usr[SESSION_CACHE_KEYS], num, sig;
	bool sess_plain[SESSION_CACHE_KEYS], usr_plain[SESSION_CACHE_KEYS], plain;
	struct session_cache_text t;
	const struct session_cache_span *tok, *exp_at;
	const char *payload, *payload_end;
	unsigned char *json = NULL, mac[CRYPTO_MAC_LEN], want[CRYPTO_MAC_LEN];
	static struct session_cache_keys sess_keys, usr_keys;
	static size_t i_tok, i_exp;
	char suffix[32], *p;
	int64_t expires, session_expires;
	size_t suffix_len, sess_len, usr_len, total;
	long json_len;
	bool ok = false;

	*answer = NULL;
	if (!value || !token)
		goto done;
	if (!sess_keys.name) { /* first call: the key orders, measured */
		session_cache_keys_init(&sess_keys, model_session_cache_keys);
		session_cache_keys_init(&usr_keys, model_user_cache_keys);
		i_exp = session_cache_keys_index(&sess_keys, "expiresAt");
		i_tok = session_cache_keys_index(&sess_keys, "token");
	}
	json = session_cache_unwrap(value, value_len, &json_len);
	if (!json)
		goto done;
	t = (struct session_cache_text){(const char *)json, (const char *)json + json_len};

	/* {"session":{"session":S,"user":U,"updatedAt":N,"version":"1"},
	 *  "expiresAt":E,"signature":"..."} and nothing else. */
	if (!SESSION_CACHE_LIT(&t, "{\"session\":"))
		goto done;
	payload = t.p;
	if (!SESSION_CACHE_LIT(&t, "{\"session\":") ||
	    !session_cache_object(&t, &sess_keys, sess, sess_plain) ||
	    !SESSION_CACHE_LIT(&t, ",\"user\":") ||
	    !session_cache_object(&t, &usr_keys, usr, usr_plain) ||
	    !SESSION_CACHE_LIT(&t, ",\"updatedAt\":") || !session_cache_integer(&t, &num, NULL) ||
	    !SESSION_CACHE_LIT(&t, ",\"version\":\"" SESSION_CACHE_VERSION "\"}"))
		goto done;
	payload_end = t.p;
	if (!SESSION_CACHE_LIT(&t, ",\"expiresAt\":") ||
	    !session_cache_integer(&t, &num, &expires) ||
	    !SESSION_CACHE_LIT(&t, ",\"signature\":") || !session_cache_string(&t, &sig, &plain) ||
	    !plain || !SESSION_CACHE_LIT(&t, "}") || t.p != t.end)
		goto done;

	/* The signature: over P without its brace, then ,"expiresAt":E}. */
	if (num.n > sizeof suffix - sizeof(",\"expiresAt\":}") ||
	    crypto_base64url_decode(sig.p + 1, sig.n - 2, want, sizeof want) != CRYPTO_MAC_LEN)
		goto done;
	memcpy(suffix, ",\"expiresAt\":", sizeof(",\"expiresAt\":") - 1);
	suffix_len = sizeof(",\"expiresAt\":") - 1;
	memcpy(suffix + suffix_len, num.p, num.n);
	suffix_len += num.n;
	suffix[suffix_len++] = '}';
	crypto_hmac2(payload, (size_t)(payload_end - payload) - 1, suffix, suffix_len, mac);
	if (!crypto_equal(mac, want, CRYPTO_MAC_LEN))
		goto done;

	/* Not expired, as a cache entry nor as a session; this token's. */
	exp_at = &sess[i_exp];
	tok = &sess[i_tok];
	if (expires < now_ms || !exp_at->p || !sess_plain[i_exp] ||
	    !session_cache_parse_iso(exp_at->p + 1, (uint32_t)(exp_at->n - 2), &session_expires) ||
	    session_expires < now_ms)
		goto done;
	if (!tok->p || !sess_plain[i_tok] || tok->n - 2 != strlen(token) ||
	    memcmp(tok->p + 1, token, tok->n - 2) != 0)
		goto done;

	/* {"session":S,"user":U}, written in place at its exact length. */
	sess_len = session_cache_length(&sess_keys, sess);
	usr_len = session_cache_length(&usr_keys, usr);
	total = sizeof("{\"session\":,\"user\":}") - 1 + sess_len + usr_len;
	*answer = json_write_new(total);
	p = json_write_extend(*answer, total);
	p = SESSION_CACHE_PUT_LIT(p, "{\"session\":");
	p = session_cache_put(p, &sess_keys, sess);
	p = SESSION_CACHE_PUT_LIT(p, ",\"user\":");
	p = session_cache_put(p, &usr_keys, usr);
	*p++ = '}';
	BSON_ASSERT(p == (*answer)->str + total);
	ok = true;
done:
	free(json);
	return ok;
}
