/*
 * errorpage.h — GET /api/auth/error (accounts spec §3.21): the small HTML
 * page that Better Auth's redirects (reset links, OAuth) may end on.
 */
#ifndef ERRORPAGE_H
#define ERRORPAGE_H

#include "app.h"

/* 200 text/html: ?error= shown when it matches ^['A-Za-z0-9_-]+$, else
 * UNKNOWN; ?error_description= HTML-escaped. */
enum response_error errorpage_get(struct call *c);

#endif
