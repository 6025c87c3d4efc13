/*
 * response.h — the response being built: status, headers (Set-Cookie in the
 * order set), an optional JSON body; written once at the end of the request.
 * Errors go through one table (enum response_error) that maps a status to
 * the HTTP status and Better Auth's {"message","code"} body.
 */
#ifndef RESPONSE_H
#define RESPONSE_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stddef.h>

#define RESPONSE_MAX_HEADERS 24

enum response_error {
	ERR_OK = 0,    /* not an error: the handler answered */
	ERR_NOT_FOUND, /* 404, empty body, no Content-Type */
	ERR_BAD_JSON,  /* 400 BAD_REQUEST Invalid JSON in request body */
	ERR_INVALID_EMAIL,
	ERR_PASSWORD_TOO_SHORT,
	ERR_PASSWORD_TOO_LONG,
	ERR_USER_EXISTS,
	ERR_FAILED_TO_CREATE_USER,
	ERR_FAILED_TO_CREATE_SESSION,
	ERR_FAILED_TO_CREATE_SESSION_401, /* sign-in's variant */
	ERR_INVALID_EMAIL_OR_PASSWORD,
	ERR_UNAUTHORIZED,
	ERR_FAILED_TO_GET_SESSION, /* 401 (refresh update found nothing) */
	ERR_METHOD_NOT_ALLOWED_DEFER,
	ERR_MISSING_OR_NULL_ORIGIN,
	ERR_INVALID_ORIGIN,
	ERR_CROSS_SITE_NAVIGATION,
	ERR_INVALID_CALLBACK_URL,
	ERR_CALLBACK_NOT_STRING, /* 400, no code */
	ERR_PAYLOAD_TOO_LARGE,   /* 413 */
	ERR_HEADER_TOO_LARGE,    /* 431 */
	ERR_SERVICE_UNAVAILABLE, /* 503 + Retry-After */
	ERR_INTERNAL,            /* 500 INTERNAL_SERVER_ERROR */
	ERR_TOO_MANY_REQUESTS,   /* 429, no code */
	ERR_SESSION_NOT_FRESH,   /* 403 */
	/* accounts spec §7 */
	ERR_EMAIL_CAN_NOT_BE_UPDATED,
	ERR_NO_FIELDS_TO_UPDATE, /* 400, no code */
	ERR_INVALID_PASSWORD,
	ERR_CREDENTIAL_ACCOUNT_NOT_FOUND,
	ERR_FAILED_TO_UNLINK_LAST_ACCOUNT,
	ERR_ACCOUNT_NOT_FOUND,
	ERR_SESSION_EXPIRED, /* 400: delete-user without password, not fresh */
	ERR_NOT_FOUND_JSON,  /* 404 NOT_FOUND "Not found" */
	ERR_INVALID_TOKEN,   /* 400 */
	ERR_INVALID_TOKEN_401,
	ERR_INVALID_TOKEN_404,
	ERR_USER_NOT_FOUND,          /* 400 */
	ERR_FAILED_TO_GET_USER_INFO, /* 404 */
	ERR_BANNED_USER,             /* 403, the admin plugin's */
	ERR_FORBIDDEN,               /* 403: the authorizer's missing role */
	/* the mail flows (accounts spec §3.9–§3.15) */
	ERR_RESET_PASSWORD_DISABLED,
	ERR_VERIFICATION_EMAIL_NOT_ENABLED,
	ERR_VERIFICATION_NOT_ENABLED_NO_CODE, /* change-email's variant, no code */
	ERR_EMAIL_MISMATCH,
	ERR_EMAIL_ALREADY_VERIFIED,
	ERR_TOKEN_EXPIRED_401,
	ERR_USER_NOT_FOUND_401,
	ERR_INVALID_USER_401,
	ERR_CHANGE_EMAIL_DISABLED,
	ERR_EMAIL_IS_THE_SAME,  /* 400, no code */
	ERR_EMAIL_NOT_VERIFIED, /* 403 */
	ERR_INTERNAL_EMPTY,     /* 500, empty body, no Content-Type */
	ERR__COUNT
};

struct response {
	int status;
	bson_string_t *body;                       /* NULL: no body */
	const char *headers[RESPONSE_MAX_HEADERS]; /* "Name: value" */
	char *owned[RESPONSE_MAX_HEADERS];         /* headers[i] when malloc'd, else NULL */
	size_t n_headers;
	bool is_error;
	const char *content_type; /* NULL: application/json when there is a body */
};

void response_init(struct response *res);
void response_cleanup(struct response *res);

/* Adds a header line "name: value" (value copied). Drops it past the cap. */
void response_header(struct response *res, const char *name, const char *value);

/* Adds a header line given whole, "Name: value", a literal (it is not
 * copied, so it must outlive res). Drops it past the cap. */
void response_header_literal(struct response *res, const char *line);

/* Sets a JSON body (takes ownership of body) and status. */
void response_json(struct response *res, int status, bson_string_t *body);

/* Sets a body of another media type (HTML, Prometheus text): takes
 * ownership of body; content_type is a literal that outlives res. */
void response_body(struct response *res, int status, const char *content_type, bson_string_t *body);

/* Sets the error's status and body, replacing any body set before;
 * cookies already added stay. */
void response_error(struct response *res, enum response_error err);

/* A 400 VALIDATION_ERROR (or another status/code) with a message built by the
 * caller; code may be NULL for Better Auth's code-less errors. */
void response_error_message(struct response *res, int status, const char *message,
                            const char *code);

/* Formats the response as a CGI/FastCGI response into out (Status line,
 * headers, blank line, body). */
void response_format(const struct response *res, bson_string_t *out);

/* Drops the Set-Cookie lines already added for cookie name (or its chunks
 * name.0, name.1, …): Better Auth's removeSetCookieEntries, run before it
 * expires a cookie. */
void response_remove_cookie(struct response *res, const char *name);
/* A 302 as Better Auth sends it: Content-Type application/json, an empty
 * body, the URL in header (FCGI_AUTH_LOCATION_HEADER, renamed to Location
 * by the Apache configs). */
void response_redirect(struct response *res, const char *header, const char *url);

#endif
