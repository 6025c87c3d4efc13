/*
 * auth.h — the email/password service: sign-up, sign-in, sign-out and
 * get-session, step for step as Better Auth 1.7.25 does them (spec §1–§6):
 * body checks, origin checks, validation, the database, then cookies and the
 * JSON answer. Each fills res; none writes output.
 */
#ifndef AUTH_H
#define AUTH_H

#include "request.h"
#include "response.h"

#include <bson/bson.h>
#include <stdbool.h>

void auth_sign_up(struct request *req, struct response *res);
void auth_sign_in(struct request *req, struct response *res);
void auth_sign_out(struct request *req, struct response *res);
void auth_get_session(struct request *req, struct response *res);

/* The FastCGI Authorizer role (FCGI_ROLE=AUTHORIZER): a valid session →
 * 200 with Variable-AUTH_USER_ID, Variable-AUTH_USER_EMAIL and
 * Variable-REMOTE_USER (the id), which the web server hands to the protected
 * backend; otherwise 401 with a JSON body
 * (503 when the store is unreachable). Any method, any URL. */
void auth_authorize(struct request *req, struct response *res);

/* The signed-in user of req, for other services (me, sync-user, the
 * authorizer): the session read from the database (expired rows deleted),
 * and its user. true with *session and *user set (caller destroys);
 * false with *st DB_NOT_FOUND (no valid session) or a store failure. */
bool auth_current_user(struct request *req, bson_t **session, bson_t **user, int *st);

/* Adds Set-Cookie lines that expire the session cookies, as Better Auth
 * orders them: session_token, session_data, [session_data again when the
 * request carried one], dont_remember. */
void auth_expire_cookies(const struct request *req, struct response *res);

#endif
