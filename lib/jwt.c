/*
 * jwt.c — see jwt.h.
 *
 * What jose 6.2 (the version Better Auth 1.7.25 installs) accepts, measured
 * in-process against it, and mirrored here:
 * - base64url as atob decodes it after jose refuses '+' and '/': ASCII
 *   whitespace is skipped, '=' padding is optional but, when present, must
 *   complete a multiple of four; unused low bits of the last character are
 *   ignored;
 * - a header "crit" must be a non-empty array of non-empty strings, each of
 *   them "b64", and then "b64" must be a boolean; b64:false is refused (no
 *   unencoded payloads); without "crit", "b64" is ignored;
 * - the MAC covers the first two segments exactly as received;
 * - JSON text may start with a UTF-8 byte-order mark (TextDecoder drops it);
 * - claims: iat, then nbf, then exp must be numbers when present; nbf > now
 *   is invalid, exp <= now expired, now = floor(now_ms / 1000), no tolerance.
 * One difference, reachable only with the secret: our strict JSON reader
 * refuses duplicate keys, where JSON.parse keeps the last one.
 */
#include "jwt.h"

#include "body.h"
#include "crypto.h"
#include "json.h"
#include "json_write.h"
#include "xalloc.h"

#include <bson/bson.h>
#include <stdlib.h>
#include <string.h>

/* base64url of {"alg":"HS256"}, the only header we write. */
#define JWT_HEADER "eyJhbGciOiJIUzI1NiJ9"

static void
jwt_append_lower(bson_string_t *out, const char *key, const char *s, bool first)
{
	char *lower = bson_strdup(s);
	char *p;

	for (p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	json_write_key(out, key, first);
	json_write_string(out, lower, strlen(lower));
	bson_free(lower);
}

static void
jwt_append_string(bson_string_t *out, const char *key, const char *s)
{
	json_write_key(out, key, false);
	json_write_string(out, s, strlen(s));
}

char *
jwt_format(const char *email, const char *update_to, const char *request_type, const char *user_id,
           int64_t now_ms, int64_t expires_in)
{
	bson_string_t *payload = bson_string_new("{");
	bson_string_t *token = bson_string_new(JWT_HEADER ".");
	unsigned char mac[CRYPTO_MAC_LEN];
	char *b64, *result;
	int64_t iat = now_ms >= 0 ? now_ms / 1000 : -((-now_ms + 999) / 1000);

	jwt_append_lower(payload, "email", email, true);
	if (update_to)
		jwt_append_lower(payload, "updateTo", update_to, false);
	if (request_type)
		jwt_append_string(payload, "requestType", request_type);
	if (user_id)
		jwt_append_string(payload, "userId", user_id);
	json_write_key(payload, "iat", false);
	json_write_number(payload, (double)iat);
	json_write_key(payload, "exp", false);
	json_write_number(payload, (double)(iat + expires_in));
	bson_string_append_c(payload, '}');

	b64 = bson_malloc(crypto_base64_len(payload->len, true) + 1);
	crypto_base64_encode(payload->str, payload->len, b64, true);
	bson_string_append(token, b64);
	bson_free(b64);
	crypto_hmac(token->str, token->len, mac);
	b64 = bson_malloc(crypto_base64_len(CRYPTO_MAC_LEN, true) + 1);
	crypto_base64_encode(mac, CRYPTO_MAC_LEN, b64, true);
	bson_string_append_c(token, '.');
	bson_string_append(token, b64);
	bson_free(b64);

	result = xstrdup(token->str);
	bson_string_free(token, true);
	bson_string_free(payload, true);
	return result;
}

/* Decodes one segment as jose does (see the top of the file) into dst;
 * the decoded length, or -1. */
static long
jwt_b64_decode(const char *s, size_t n, unsigned char *dst, size_t cap)
{
	char clean[JWT_MAX_LEN];
	size_t m = 0, i;

	for (i = 0; i < n && m < sizeof clean; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\f' && s[i] != '\r')
			clean[m++] = s[i];
	if (m % 4 == 0 && m > 0 && clean[m - 1] == '=') {
		m--;
		if (clean[m - 1] == '=')
			m--;
	}
	return crypto_base64url_decode(clean, m, dst, cap);
}

/* Decodes a segment and parses it as a JSON object into doc. */
static bool
jwt_parse_segment(const char *s, size_t n, bson_t *doc)
{
	unsigned char buf[JWT_MAX_LEN];
	enum json_kind kind;
	const char *json = (const char *)buf;
	long len = jwt_b64_decode(s, n, buf, sizeof buf);

	if (len < 0)
		return false;
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) {
		json += 3;
		len -= 3;
	}
	return json_parse(json, (size_t)len, doc, &kind) == JSON_OK && kind == JSON_OBJECT;
}

/* alg is "HS256"; crit, if any, names only b64, and then b64 is true. */
static bool
jwt_header_ok(const bson_t *header)
{
	bson_iter_t it, child;
	bool any = false;

	if (bson_iter_init_find(&it, header, "crit")) {
		if (!BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, &child))
			return false;
		while (bson_iter_next(&child)) {
			if (!BSON_ITER_HOLDS_UTF8(&child) ||
			    strcmp(bson_iter_utf8(&child, NULL), "b64") != 0)
				return false;
			any = true;
		}
		if (!any || !bson_iter_init_find(&it, header, "b64") ||
		    !BSON_ITER_HOLDS_BOOL(&it) || !bson_iter_bool(&it))
			return false;
	}
	return bson_iter_init_find(&it, header, "alg") && BSON_ITER_HOLDS_UTF8(&it) &&
	       strcmp(bson_iter_utf8(&it, NULL), "HS256") == 0;
}

/* A numeric claim: absent (true, *has false), a number (true), else false. */
static bool
jwt_numeric_claim(const bson_t *payload, const char *name, bool *has, double *v)
{
	bson_iter_t it;

	*has = false;
	*v = 0;
	if (!bson_iter_init_find(&it, payload, name))
		return true;
	if (!BSON_ITER_HOLDS_DOUBLE(&it))
		return false;
	*has = true;
	*v = bson_iter_double(&it);
	return true;
}

/* An optional string claim into *out (malloc'd); false when not a string. */
static bool
jwt_string_claim(const bson_t *payload, const char *name, char **out)
{
	bson_iter_t it;

	*out = NULL;
	if (!bson_iter_init_find(&it, payload, name))
		return true;
	if (!BSON_ITER_HOLDS_UTF8(&it))
		return false;
	*out = xstrdup(bson_iter_utf8(&it, NULL));
	return true;
}

enum jwt_status
jwt_verify(const char *token, size_t len, int64_t now_ms, struct jwt_claims *out)
{
	bson_t header = BSON_INITIALIZER, payload = BSON_INITIALIZER;
	unsigned char mac[CRYPTO_MAC_LEN], given[CRYPTO_MAC_LEN + 1];
	const char *dot1, *dot2, *end = token + len;
	enum jwt_status st = JWT_INVALID;
	double now = (double)(now_ms >= 0 ? now_ms / 1000 : -((-now_ms + 999) / 1000));
	double nbf;
	bool has_iat, has_nbf;
	long n;

	memset(out, 0, sizeof *out);
	if (len > JWT_MAX_LEN || memchr(token, '\0', len))
		goto done;
	dot1 = memchr(token, '.', len);
	dot2 = dot1 ? memchr(dot1 + 1, '.', (size_t)(end - dot1 - 1)) : NULL;
	if (!dot2 || memchr(dot2 + 1, '.', (size_t)(end - dot2 - 1)))
		goto done;
	if (!jwt_parse_segment(token, (size_t)(dot1 - token), &header) || !jwt_header_ok(&header))
		goto done;
	n = jwt_b64_decode(dot2 + 1, (size_t)(end - dot2 - 1), given, sizeof given);
	crypto_hmac(token, (size_t)(dot2 - token), mac);
	if (n != CRYPTO_MAC_LEN || !crypto_equal(mac, given, CRYPTO_MAC_LEN))
		goto done;
	if (!jwt_parse_segment(dot1 + 1, (size_t)(dot2 - dot1 - 1), &payload))
		goto done;
	if (!jwt_numeric_claim(&payload, "iat", &has_iat, &out->iat) ||
	    !jwt_numeric_claim(&payload, "nbf", &has_nbf, &nbf) || (has_nbf && nbf > now) ||
	    !jwt_numeric_claim(&payload, "exp", &out->has_exp, &out->exp))
		goto done;
	if (out->has_exp && out->exp <= now) {
		st = JWT_EXPIRED;
		goto done;
	}
	/* Better Auth's zod schema: {email: z.email(), updateTo, requestType,
	 * userId: z.string().optional()}. */
	st = JWT_BAD_PAYLOAD;
	if (!jwt_string_claim(&payload, "email", &out->email) || !out->email ||
	    !body_is_email(out->email) ||
	    !jwt_string_claim(&payload, "updateTo", &out->update_to) ||
	    !jwt_string_claim(&payload, "requestType", &out->request_type) ||
	    !jwt_string_claim(&payload, "userId", &out->user_id))
		goto done;
	st = JWT_OK;
done:
	if (st != JWT_OK)
		jwt_claims_cleanup(out);
	bson_destroy(&header);
	bson_destroy(&payload);
	return st;
}

void
jwt_claims_cleanup(struct jwt_claims *c)
{
	free(c->email);
	free(c->update_to);
	free(c->request_type);
	free(c->user_id);
	memset(c, 0, sizeof *c);
}
