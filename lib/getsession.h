/*
 * getsession.h — GET /get-session (spec §2.3, §6: the signed token cookie,
 * the optional cookie cache, expiry and the sliding refresh), its POST
 * variant, GET /ok, and the FastCGI Authorizer role built on the same
 * session.
 */
#ifndef GETSESSION_H
#define GETSESSION_H

#include "app.h"

/* GET: {"session","user"} or null. POST: the origin check (done by the
 * pipeline), then Better Auth's 405 METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED. */
enum response_error getsession_get(struct call *c);
enum response_error getsession_post(struct call *c);

/* GET /ok: {"ok":true}. */
enum response_error getsession_ok(struct call *c);

/* The Authorizer role: a valid session → 200 with Variable-AUTH_USER_ID,
 * Variable-AUTH_USER_EMAIL and Variable-REMOTE_USER (the id), which the web
 * server hands to the protected backend; otherwise 401 (503 when the store
 * is unreachable). Any method, any URL. */
enum response_error getsession_authorize(struct call *c);

#endif
