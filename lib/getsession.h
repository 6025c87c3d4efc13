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
 * Variable-AUTH_USER_EMAIL, Variable-REMOTE_USER (the id) and, when the user
 * has Better Auth's admin-plugin `role`, Variable-AUTH_USER_ROLE, which the
 * web server hands to the protected backend; otherwise 401 (503 when the
 * store is unreachable). A user with the admin plugin's `banned: true` (and
 * no banExpires in the past) is 403 BANNED_USER; when the location's config
 * sets FCGI_AUTH_REQUIRE_ROLE (comma-separated: any of them), a user without
 * such a role is 403 FORBIDDEN. Any method, any URL. */
enum response_error getsession_authorize(struct call *c);

#endif
