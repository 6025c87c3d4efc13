/*
 * origin.c — see origin.h.
 */
#include "origin.h"

#include "config.h"
#include "request.h"
#include "url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool
origin_is_trusted(const struct request *req, const char *value)
{
	char *o = url_origin(value, strlen(value));
	bool ok = o && config_is_trusted_origin(req->cfg, o);

	free(o);
	return ok;
}

/* The origin check proper: Origin, else Referer, must be a trusted origin. */
static bool
origin_validate(const struct request *req, enum response_error *err)
{
	const char *h = req->origin && *req->origin ? req->origin : req->referer;

	if (!h || !*h || !strcmp(h, "null")) {
		/* Origin: null with Sec-Fetch-Site: same-origin means our own
		 * origin (a Referer of "null" does not count). */
		if (h && h == req->origin && !strcmp(h, "null") && req->sec_fetch_site &&
		    !strcmp(req->sec_fetch_site, "same-origin"))
			return true;
		*err = ERR_MISSING_OR_NULL_ORIGIN;
		return false;
	}
	if (!origin_is_trusted(req, h)) {
		*err = ERR_INVALID_ORIGIN;
		return false;
	}
	return true;
}

bool
origin_check(const struct request *req, enum response_error *err)
{
	const char *m = req->method;

	if (!strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS"))
		return true;
	if (req->cookie)
		return origin_validate(req, err);
	return true;
}

/* A header counts as Fetch Metadata only when not blank (site.trim()). */
static bool
origin_present(const char *h)
{
	if (!h)
		return false;
	for (; *h; h++)
		if (!isspace((unsigned char)*h))
			return true;
	return false;
}

bool
origin_check_form(const struct request *req, enum response_error *err)
{
	if (req->cookie) /* already checked by origin_check */
		return true;
	if (origin_present(req->sec_fetch_site) || origin_present(req->sec_fetch_mode) ||
	    origin_present(req->sec_fetch_dest)) {
		if (req->sec_fetch_site && !strcmp(req->sec_fetch_site, "cross-site") &&
		    req->sec_fetch_mode && !strcmp(req->sec_fetch_mode, "navigate")) {
			*err = ERR_CROSS_SITE_NAVIGATION;
			return false;
		}
		return origin_validate(req, err);
	}
	if ((req->origin && *req->origin) || (req->referer && *req->referer))
		return origin_validate(req, err);
	return true;
}

/* A C0 or C1 control character (U+0000-U+001F, U+007F-U+009F) at url[i]. */
static bool
origin_is_control(const char *url, size_t n, size_t i)
{
	unsigned char c = (unsigned char)url[i];

	return c < 0x20 || c == 0x7f ||
	       (c == 0xc2 && i + 1 < n && (unsigned char)url[i + 1] >= 0x80 &&
	        (unsigned char)url[i + 1] <= 0x9f);
}

bool
origin_callback_ok(const struct request *req, const char *url, size_t n)
{
	size_t i;
	char *o;
	bool ok;

	/* Better Auth's isSafeRelativeURL: "/" but not "//", no '\' and no
	 * control character anywhere, no %2F or %5C before the query. */
	if (n >= 1 && url[0] == '/' && (n == 1 || url[1] != '/')) {
		bool in_path = true;

		for (i = 0; i < n; i++) {
			if (origin_is_control(url, n, i) || url[i] == '\\')
				return false;
			if (url[i] == '?' || url[i] == '#')
				in_path = false;
			if (in_path && url[i] == '%' && i + 2 < n &&
			    ((url[i + 1] == '2' && (url[i + 2] == 'f' || url[i + 2] == 'F')) ||
			     (url[i + 1] == '5' && (url[i + 2] == 'c' || url[i + 2] == 'C'))))
				return false;
		}
		return true;
	}
	for (i = 0; i < n; i++) /* the URL goes into a Location header */
		if ((unsigned char)url[i] < 0x20 || url[i] == 0x7f)
			return false;
	o = url_origin(url, n);
	ok = o && config_is_trusted_origin(req->cfg, o);
	free(o);
	return ok;
}
