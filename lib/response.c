/*
 * response.c — see response.h.
 */
#include "response.h"

#include "json_write.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	int status;
	const char *message; /* NULL: no body */
	const char *code;    /* NULL: no "code" member */
} response_errors[ERR__COUNT] = {
	[ERR_NOT_FOUND] = {404, NULL, NULL},
	[ERR_BAD_JSON] = {400, "Invalid JSON in request body", "BAD_REQUEST"},
	[ERR_INVALID_EMAIL] = {400, "Invalid email", "INVALID_EMAIL"},
	[ERR_PASSWORD_TOO_SHORT] = {400, "Password too short", "PASSWORD_TOO_SHORT"},
	[ERR_PASSWORD_TOO_LONG] = {400, "Password too long", "PASSWORD_TOO_LONG"},
	[ERR_USER_EXISTS] = {422, "User already exists. Use another email.",
                             "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"},
	[ERR_FAILED_TO_CREATE_USER] = {422, "Failed to create user", "FAILED_TO_CREATE_USER"},
	[ERR_FAILED_TO_CREATE_SESSION] = {400, "Failed to create session",
                                          "FAILED_TO_CREATE_SESSION"},
	[ERR_FAILED_TO_CREATE_SESSION_401] = {401, "Failed to create session",
                                              "FAILED_TO_CREATE_SESSION"},
	[ERR_INVALID_EMAIL_OR_PASSWORD] = {401, "Invalid email or password",
                                           "INVALID_EMAIL_OR_PASSWORD"},
	[ERR_UNAUTHORIZED] = {401, "Unauthorized", "UNAUTHORIZED"},
	[ERR_FAILED_TO_GET_SESSION] = {401, "Failed to get session", "FAILED_TO_GET_SESSION"},
	[ERR_METHOD_NOT_ALLOWED_DEFER] =
		{405, "POST method requires deferSessionRefresh to be enabled in session config",
                 "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED"},
	[ERR_MISSING_OR_NULL_ORIGIN] = {403, "Missing or null Origin", "MISSING_OR_NULL_ORIGIN"},
	[ERR_INVALID_ORIGIN] = {403, "Invalid origin", "INVALID_ORIGIN"},
	[ERR_CROSS_SITE_NAVIGATION] =
		{403,
                 "Cross-site navigation login blocked. This request appears to be a CSRF attack.",
                 "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"},
	[ERR_INVALID_CALLBACK_URL] = {403, "Invalid callbackURL", "INVALID_CALLBACK_URL"},
	[ERR_CALLBACK_NOT_STRING] = {400, "Invalid callbackURL: expected a string", NULL},
	[ERR_PAYLOAD_TOO_LARGE] = {413, "Request body too large", "PAYLOAD_TOO_LARGE"},
	[ERR_HEADER_TOO_LARGE] = {431, "Request header fields too large",
                                  "REQUEST_HEADER_FIELDS_TOO_LARGE"},
	[ERR_SERVICE_UNAVAILABLE] = {503, "Service temporarily unavailable, please retry",
                                     "SERVICE_UNAVAILABLE"},
	[ERR_INTERNAL] = {500, "Internal Server Error", "INTERNAL_SERVER_ERROR"},
	[ERR_TOO_MANY_REQUESTS] = {429, "Too many requests. Please try again later.", NULL},
	[ERR_SESSION_NOT_FRESH] = {403, "Session is not fresh", "SESSION_NOT_FRESH"},
	[ERR_EMAIL_CAN_NOT_BE_UPDATED] = {400, "Email can not be updated",
                                          "EMAIL_CAN_NOT_BE_UPDATED"},
	[ERR_NO_FIELDS_TO_UPDATE] = {400, "No fields to update", NULL},
	[ERR_INVALID_PASSWORD] = {400, "Invalid password", "INVALID_PASSWORD"},
	[ERR_CREDENTIAL_ACCOUNT_NOT_FOUND] = {400, "Credential account not found",
                                              "CREDENTIAL_ACCOUNT_NOT_FOUND"},
	[ERR_FAILED_TO_UNLINK_LAST_ACCOUNT] = {400, "You can't unlink your last account",
                                               "FAILED_TO_UNLINK_LAST_ACCOUNT"},
	[ERR_ACCOUNT_NOT_FOUND] = {400, "Account not found", "ACCOUNT_NOT_FOUND"},
	[ERR_SESSION_EXPIRED] = {400, "Session expired. Re-authenticate to perform this action.",
                                 "SESSION_EXPIRED"},
	[ERR_NOT_FOUND_JSON] = {404, "Not found", "NOT_FOUND"},
	[ERR_INVALID_TOKEN] = {400, "Invalid token", "INVALID_TOKEN"},
	[ERR_INVALID_TOKEN_401] = {401, "Invalid token", "INVALID_TOKEN"},
	[ERR_INVALID_TOKEN_404] = {404, "Invalid token", "INVALID_TOKEN"},
	[ERR_USER_NOT_FOUND] = {400, "User not found", "USER_NOT_FOUND"},
	[ERR_FAILED_TO_GET_USER_INFO] = {404, "Failed to get user info", "FAILED_TO_GET_USER_INFO"},
	[ERR_BANNED_USER] = {403, "You have been banned from this application", "BANNED_USER"},
	[ERR_FORBIDDEN] = {403, "Forbidden", "FORBIDDEN"},
	[ERR_RESET_PASSWORD_DISABLED] = {400, "Reset password isn't enabled",
                                         "RESET_PASSWORD_DISABLED"},
	[ERR_VERIFICATION_EMAIL_NOT_ENABLED] = {400, "Verification email isn't enabled",
                                                "VERIFICATION_EMAIL_NOT_ENABLED"},
	[ERR_VERIFICATION_NOT_ENABLED_NO_CODE] = {400, "Verification email isn't enabled", NULL},
	[ERR_EMAIL_MISMATCH] = {400, "Email mismatch", "EMAIL_MISMATCH"},
	[ERR_EMAIL_ALREADY_VERIFIED] = {400, "Email is already verified", "EMAIL_ALREADY_VERIFIED"},
	[ERR_TOKEN_EXPIRED_401] = {401, "Token expired", "TOKEN_EXPIRED"},
	[ERR_USER_NOT_FOUND_401] = {401, "User not found", "USER_NOT_FOUND"},
	[ERR_INVALID_USER_401] = {401, "Invalid user", "INVALID_USER"},
	[ERR_CHANGE_EMAIL_DISABLED] = {400, "Change email is disabled", "CHANGE_EMAIL_DISABLED"},
	[ERR_EMAIL_IS_THE_SAME] = {400, "Email is the same", NULL},
	[ERR_EMAIL_NOT_VERIFIED] = {403, "Email not verified", "EMAIL_NOT_VERIFIED"},
	[ERR_INTERNAL_EMPTY] = {500, NULL, NULL},
};

static const char *
response_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 302: return "Found";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

void
response_init(struct response *res)
{
	memset(res, 0, sizeof(*res));
	res->status = 200;
}

void
response_cleanup(struct response *res)
{
	size_t i;

	if (res->body)
		bson_string_free(res->body, true);
	for (i = 0; i < res->n_headers; i++)
		free(res->owned[i]);
	memset(res, 0, sizeof(*res));
}

void
response_header(struct response *res, const char *name, const char *value)
{
	size_t n = strlen(name), v = strlen(value);
	char *line;

	if (res->n_headers == RESPONSE_MAX_HEADERS || strpbrk(value, "\r\n"))
		return; /* never split a header (values come from callers, not clients) */
	/* "name: value", copied (asprintf cost ~1 k instructions a header) */
	line = xmalloc(n + 2 + v + 1);
	memcpy(line, name, n);
	memcpy(line + n, ": ", 2);
	memcpy(line + n + 2, value, v + 1);
	res->owned[res->n_headers] = line;
	res->headers[res->n_headers++] = line;
}

void
response_header_literal(struct response *res, const char *line)
{
	if (res->n_headers == RESPONSE_MAX_HEADERS)
		return;
	res->owned[res->n_headers] = NULL;
	res->headers[res->n_headers++] = line;
}

void
response_json(struct response *res, int status, bson_string_t *body)
{
	if (res->body)
		bson_string_free(res->body, true);
	res->status = status;
	res->body = body;
	res->content_type = NULL;
}

void
response_body(struct response *res, int status, const char *content_type, bson_string_t *body)
{
	response_json(res, status, body);
	res->content_type = content_type;
}

void
response_error_message(struct response *res, int status, const char *message, const char *code)
{
	bson_string_t *b = bson_string_new("{\"message\":");

	json_write_string(b, message, strlen(message));
	if (code) {
		bson_string_append(b, ",\"code\":");
		json_write_string(b, code, strlen(code));
	}
	bson_string_append_c(b, '}');
	response_json(res, status, b);
	res->is_error = true;
}

void
response_error(struct response *res, enum response_error err)
{
	if (err == ERR_OK)
		return;
	if (response_errors[err].message) {
		response_error_message(res, response_errors[err].status,
		                       response_errors[err].message, response_errors[err].code);
	} else {
		response_json(res, response_errors[err].status, NULL);
		res->is_error = true;
	}
	if (err == ERR_SERVICE_UNAVAILABLE)
		response_header(res, "Retry-After", "2");
}

/* v in decimal, in buf (16 bytes); returns buf's first digit. */
static const char *
response_decimal(char buf[16], unsigned v)
{
	char *p = buf + 15;

	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

/* Appends the string s. */
static void
response_put(bson_string_t *out, const char *s)
{
	json_write_raw(out, s, strlen(s));
}

#define RESPONSE_PUT_LIT(out, lit) json_write_raw(out, lit, sizeof(lit) - 1)

void
response_format(const struct response *res, bson_string_t *out)
{
	const char *type = res->content_type ? res->content_type : "application/json";
	char num[16];
	size_t i, room;

	/* One reservation for what follows (out starts small on every
	 * request: growing it by doubling was four reallocs), then copies of
	 * known lengths (printf cost more than the rest of this). The
	 * reservation may be a few bytes more than the text. */
	room = sizeof("Status: 000 \r\nContent-Type: \r\nContent-Length: 4294967295\r\n\r\n") +
	       strlen(response_reason(res->status)) + strlen(type);
	for (i = 0; i < res->n_headers; i++)
		room += strlen(res->headers[i]) + 2;
	json_write_reserve(out, room + (res->body ? res->body->len : 0));

	RESPONSE_PUT_LIT(out, "Status: ");
	response_put(out, response_decimal(num, (unsigned)res->status));
	RESPONSE_PUT_LIT(out, " ");
	response_put(out, response_reason(res->status));
	RESPONSE_PUT_LIT(out, "\r\n");
	if (res->body) {
		RESPONSE_PUT_LIT(out, "Content-Type: ");
		response_put(out, type);
		RESPONSE_PUT_LIT(out, "\r\n");
	}
	for (i = 0; i < res->n_headers; i++) {
		response_put(out, res->headers[i]);
		RESPONSE_PUT_LIT(out, "\r\n");
	}
	RESPONSE_PUT_LIT(out, "Content-Length: ");
	response_put(out, response_decimal(num, res->body ? res->body->len : 0u));
	RESPONSE_PUT_LIT(out, "\r\n\r\n");
	if (res->body)
		json_write_raw(out, res->body->str, res->body->len);
}

void
response_remove_cookie(struct response *res, const char *name)
{
	static const char prefix[] = "Set-Cookie: ";
	size_t i, kept = 0, n = strlen(name);

	for (i = 0; i < res->n_headers; i++) {
		const char *h = res->headers[i];
		bool match = !strncmp(h, prefix, sizeof(prefix) - 1) &&
		             !strncmp(h + sizeof(prefix) - 1, name, n) &&
		             (h[sizeof(prefix) - 1 + n] == '=' || h[sizeof(prefix) - 1 + n] == '.');

		if (match) {
			free(res->owned[i]);
		} else {
			res->owned[kept] = res->owned[i];
			res->headers[kept++] = res->headers[i];
		}
	}
	res->n_headers = kept;
}

void
response_redirect(struct response *res, const char *header, const char *url)
{
	response_json(res, 302, bson_string_new(""));
	response_header(res, header, url);
}
