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
	int v[7] = {0}, field = 0;
	struct tm tm, check;
	time_t t;
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
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 59)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	t = timegm(&tm);
	/* timegm normalises 2025-02-30 to March 2: refuse what moved. */
	if (!gmtime_r(&t, &check) || check.tm_mday != v[2] || check.tm_mon != v[1] - 1)
		return false;
	*ms = (int64_t)t * 1000 + v[6];
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
	size_t n;
	long json_len;
	bool ok = false;

	bson_reinit(session);
	bson_reinit(user);
	if (!value || !token)
		goto done;
	n = strnlen(value, SESSION_CACHE_MAX_VALUE + 1);
	if (n == 0 || n > SESSION_CACHE_MAX_VALUE)
		goto done;
	json = xmalloc(n / 4 * 3 + 3);
	json_len = crypto_base64url_decode(value, n, json, n / 4 * 3 + 3);
	if (json_len <= 0)
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
