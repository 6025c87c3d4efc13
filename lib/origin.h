/*
 * origin.h — Better Auth's origin checks: the router-level check of
 * cookie-bearing POSTs, the form-CSRF check of sign-in/sign-up (Fetch
 * Metadata), and callbackURL validation (spec §10.1).
 */
#ifndef ORIGIN_H
#define ORIGIN_H

#include "response.h"

#include <stdbool.h>
#include <stddef.h>

struct request;

/* The router-level check: a non-GET request carrying any Cookie header
 * needs a trusted Origin (or Referer). true: go on; false: *err is the 403. */
bool origin_check(const struct request *req, enum response_error *err);

/* The form-CSRF check of sign-in and sign-up, for requests without cookies:
 * Fetch Metadata (cross-site navigate is refused), or a present Origin or
 * Referer, must be trusted; neither header at all (curl, servers) passes. */
bool origin_check_form(const struct request *req, enum response_error *err);

/* A callbackURL is acceptable: a safe relative path ("/x", not "//", no '\',
 * control characters, %2F or %5C) or an absolute URL of a trusted origin. */
bool origin_callback_ok(const struct request *req, const char *url, size_t n);

#endif
