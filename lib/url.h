/*
 * url.h — the origin of an absolute http(s) URL, as `new URL(url).origin`
 * computes it. A leaf: config (trusted origins), origin checks and profile
 * URL validation build on it.
 */
#ifndef URL_H
#define URL_H

#include <stddef.h>

/* "scheme://host[:port]", scheme and host lower-cased, default port dropped.
 * Returns a malloc'd string, or NULL when url is not an absolute http(s) URL. */
char *url_origin(const char *url, size_t n);

#endif
