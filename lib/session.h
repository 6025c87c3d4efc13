/*
 * session.h — the signed-in session, as Better Auth keeps it: the session
 * cookies (session_token, session_data, dont_remember), loading a session
 * and its user, creating one, the sliding refresh, revoking, and Better
 * Auth's getSession lookup that get-session and every session-taking
 * endpoint run (spec §5–§6; accounts spec §2.1, §2.4, §2.5).
 */
#ifndef SESSION_H
#define SESSION_H

#include "db.h"
#include "request.h"
#include "response.h"
#include "token.h"

#include <bson/bson.h>
#include <stdbool.h>

/* ---------------------------------------------------------------- cookies */

/* The verified session token of the request (malloc'd) or NULL: no cookie,
 * or a bad signature. */
char *session_cookie_token(const struct request *req);

/* A validly signed dont_remember=true cookie is present. */
bool session_cookie_dont_remember(const struct request *req);

/* The request carries cookie `name`, whatever its value. */
bool session_cookie_has(const struct request *req, const char *name);

/* One Set-Cookie line (value already encoded; max_age < 0: no Max-Age). */
void session_cookie_set(const struct request *req, struct response *res, const char *name,
                        const char *encoded_value, long long max_age);

/* A cookie whose value is signed, then URL-encoded. */
void session_cookie_set_signed(const struct request *req, struct response *res, const char *name,
                               const char *value, long long max_age);

/* session_token=<signed token>; Max-Age=expiresIn, none when !remember. */
void session_cookie_set_token(const struct request *req, struct response *res, const char *token,
                              bool remember);

/* session_data (the cookie cache, compact strategy) for session and user. */
void session_cookie_set_data(const struct request *req, struct response *res, const bson_t *session,
                             const bson_t *user, bool remember);

/* Expires the session cookies as Better Auth orders them: session_token,
 * session_data, [session_data again when the request carried one],
 * dont_remember; Set-Cookie lines of those names added before are dropped. */
void session_cookie_expire_all(const struct request *req, struct response *res);

/* Better Auth's setSessionCookie (accounts spec §2.4): session_token (no
 * Max-Age and dont_remember re-sent when the request had a valid
 * dont_remember), then session_data when the cookie cache is on. */
void session_cookie_reset(const struct request *req, struct response *res, const char *token,
                          const bson_t *session, const bson_t *user);

/* ---------------------------------------------------------------- store */

/* Loads token's session and its user. An expired row is deleted. DB_OK with
 * *session and *user set (caller destroys), DB_NOT_FOUND (missing, expired,
 * or its user gone) or a store failure; both NULL unless DB_OK. */
enum db_status session_load(const struct request *req, const char *token, bson_t **session,
                            bson_t **user);

/* session_load of the request's own token cookie, with no cookie side
 * effects (the authorizer, me, sync-user). DB_NOT_FOUND without one. */
enum db_status session_current(const struct request *req, bson_t **session, bson_t **user);

/* Creates a session for user (remember: expiresIn, else one day and the
 * dont_remember cookie; expire_dont_remember: also expire a stale
 * dont_remember), sets its cookies (and session_data when the cache is on).
 * token gets the new token, *session the row (caller destroys; NULL unless
 * DB_OK). */
enum db_status session_create(const struct request *req, struct response *res, const bson_t *user,
                              bool remember, bool expire_dont_remember, char token[TOKEN_LEN + 1],
                              bson_t **session);

/* The client address the web server saw, IPv4-mapped IPv6 as IPv4. */
const char *session_client_ip(const struct request *req);

/* ---------------------------------------------------------------- lookup */

/* The state getSession leaves for a handler. */
struct session_state {
	bson_t *session; /* the row (or the cookie cache's copy) */
	bson_t *user;
	char *token;     /* the verified cookie token */
	bool from_cache; /* served from session_data: cache key order */
	/* SESSION_ANSWER and a cookie-cache hit: get-session's body, and then
	 * session and user are NULL. The caller may take it (and NULL it). */
	bson_string_t *answer;
	bool remember;     /* no valid dont_remember cookie */
	bool refresh_lost; /* DB_FAILED because the row vanished under the refresh */
};

enum session_flags {
	SESSION_ALLOW_CACHE = 1 << 0, /* a valid session_data answers without the store */
	SESSION_NO_REFRESH = 1 << 1,  /* get-session's disableRefresh */
	SESSION_ANSWER = 1 << 2,      /* a cache hit may give st->answer instead of documents */
};

/* Better Auth's getSession with its side effects on res: cookies of a dead
 * session expired, the sliding refresh (a new session_token line), a fresh
 * session_data when the cache is on and the store was read. DB_OK with st
 * filled, DB_NOT_FOUND (no valid session), or a store failure.
 * st is always initialised; release it with session_state_cleanup. */
enum db_status session_lookup(const struct request *req, struct response *res, unsigned flags,
                              struct session_state *st);

void session_state_cleanup(struct session_state *st);

/* now − createdAt < freshAge (or freshAge 0: always fresh). */
bool session_is_fresh(const struct request *req, const bson_t *session);

#endif
