/*
 * errorpage.c — see errorpage.h.
 */
#include "errorpage.h"

#include "urlcode.h"

#include <stdlib.h>
#include <string.h>

/* Better Auth's test for a code it shows as is. */
static bool
errorpage_is_code(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!strchr("'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
		            *s))
			return false;
	return true;
}

static void
errorpage_escape(bson_string_t *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': bson_string_append(out, "&amp;"); break;
		case '<': bson_string_append(out, "&lt;"); break;
		case '>': bson_string_append(out, "&gt;"); break;
		case '"': bson_string_append(out, "&quot;"); break;
		case '\'': bson_string_append(out, "&#39;"); break;
		default: bson_string_append_c(out, *s);
		}
	}
}

/* A query parameter, decoded as URLSearchParams does, or NULL. */
static char *
errorpage_param(const struct request *req, const char *name)
{
	size_t n;
	const char *v = request_query_param(req, name, &n);

	return v ? urlcode_decode(v, n, URLCODE_FORM, NULL) : NULL;
}

enum response_error
errorpage_get(struct call *c)
{
	char *error = errorpage_param(c->req, "error");
	char *description = errorpage_param(c->req, "error_description");
	const char *code = errorpage_is_code(error) ? error : "UNKNOWN";
	bson_string_t *out = bson_string_new(
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"UTF-8\" />\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\" />\n"
		"<title>Error</title>\n</head>\n<body>\n<main>\n<h1>Something went wrong</h1>\n"
		"<p>Error code: <code>");

	errorpage_escape(out, code); /* a quote may be part of a code */
	bson_string_append(out, "</code></p>\n");
	if (description && *description) {
		bson_string_append(out, "<p>");
		errorpage_escape(out, description);
		bson_string_append(out, "</p>\n");
	}
	bson_string_append(out, "<p><a href=\"/\">Go home</a></p>\n</main>\n</body>\n</html>\n");
	response_body(c->res, 200, "text/html", out);
	free(error);
	free(description);
	return ERR_OK;
}
