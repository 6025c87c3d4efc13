/*
 * session_cache.h — Better Auth's cookie cache, "compact" strategy: the
 * session_data cookie carries the session and user, signed with the secret,
 * so get-session can answer without the database until it expires.
 *
 *   P     = {"session":<session>,"user":<user>,"updatedAt":<now ms>,"version":"1"}
 *   E     = now_ms + max_age_s * 1000
 *   S     = base64url_nopad(HMAC-SHA256(secret, P with ,"expiresAt":E appended))
 *   value = base64url_nopad({"session":P,"expiresAt":E,"signature":S})
 */
#ifndef SESSION_CACHE_H
#define SESSION_CACHE_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stdint.h>

/* Builds the cookie value from the session and user JSON objects (already
 * rendered in Better Auth's database-path key order). Returns a malloc'd
 * string (URL-safe, needs no encoding). crypto_init must have been called. */
char *session_cache_encode(const char *session_json, const char *user_json, int64_t now_ms,
                           int64_t max_age_s);

/* Decodes and verifies a session_data value. true only when: it decodes
 * (base64url, strict JSON), has {session:object, expiresAt:number,
 * signature:string}, the signature matches (constant time) the HMAC of the
 * payload re-serialised in its own key order plus "expiresAt", version is
 * "1", expiresAt >= now, session.expiresAt (ISO string) >= now, and
 * session.token equals token. Then session and user (caller-initialised)
 * receive the payload's session and user members (dates stay ISO strings). */
bool session_cache_decode(const char *value, const char *token, int64_t now_ms, bson_t *session,
                          bson_t *user);

/* The same verdict without building documents, for the cookies in the form
 * JSON.stringify writes (the ones Better Auth and session_cache_encode
 * make): true when session_cache_decode would accept value (value_len bytes,
 * no NUL needed after them: a span of the Cookie header), and then
 * *answer (the caller's to free) is get-session's body, byte for byte what
 * model_write gives for the decoded session and user in the cache key
 * order. false says nothing: the value is invalid or in another form, so
 * call session_cache_decode. */
bool session_cache_answer(const char *value, size_t value_len, const char *token, int64_t now_ms,
                          bson_string_t **answer);

#endif
