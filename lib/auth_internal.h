/*
 * auth_internal.h — helpers shared by auth.c (sign-up, sign-in, sign-out) and
 * auth_session.c (get-session); not for other modules.
 */
#ifndef AUTH_INTERNAL_H
#define AUTH_INTERNAL_H

#include "body.h"
#include "request.h"
#include "response.h"

#include <bson/bson.h>
#include <stdbool.h>

/* 503 + Retry-After for an unreachable store, else 500. */
void auth_error_of(struct response *res, int db_status);

/* One Set-Cookie line (value already encoded; max_age < 0: none). */
void auth_cookie(const struct request *req, struct response *res, const char *name,
                 const char *encoded_value, long long max_age);
void auth_cookie_token(const struct request *req, struct response *res, const char *token,
                       bool remember);
void auth_cookie_data(const struct request *req, struct response *res, const bson_t *session,
                      const bson_t *user, bool remember);

bool auth_has_cookie(const struct request *req, const char *name);
/* A validly signed dont_remember=true cookie is present. */
bool auth_has_dont_remember(const struct request *req);
/* The verified session token of the request (malloc'd) or NULL. */
char *auth_session_token(const struct request *req);

/* Body, origin check and callback-URL fields (steps 4–5). */
bool auth_read_body(const struct request *req, struct response *res, bool allow_form,
                    struct body *b);

#endif
