/*
 * test_response.c — lib/response.c: every entry of the error table (status
 * line and body bytes; 503 with Retry-After; 404 and the empty 500 with no
 * body and no Content-Type), and response_format's layout: Status line,
 * Content-Type when there is a body, headers in the order added (the cap,
 * no CR/LF inside a value), Content-Length, blank line, body; plus
 * response_remove_cookie and response_redirect.
 */
#include "response.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

static const struct {
	enum response_error err;
	int status;
	const char *body; /* NULL: none */
} errors[] = {
	{ERR_NOT_FOUND, 404, NULL},
	{ERR_BAD_JSON, 400,
         "{\"message\":\"Invalid JSON in request body\",\"code\":\"BAD_REQUEST\"}"},
	{ERR_INVALID_EMAIL, 400, "{\"message\":\"Invalid email\",\"code\":\"INVALID_EMAIL\"}"},
	{ERR_PASSWORD_TOO_SHORT, 400,
         "{\"message\":\"Password too short\",\"code\":\"PASSWORD_TOO_SHORT\"}"},
	{ERR_PASSWORD_TOO_LONG, 400,
         "{\"message\":\"Password too long\",\"code\":\"PASSWORD_TOO_LONG\"}"},
	{ERR_USER_EXISTS, 422,
         "{\"message\":\"User already exists. Use another "
         "email.\",\"code\":\"USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL\"}"},
	{ERR_FAILED_TO_CREATE_USER, 422,
         "{\"message\":\"Failed to create user\",\"code\":\"FAILED_TO_CREATE_USER\"}"},
	{ERR_FAILED_TO_CREATE_SESSION, 400,
         "{\"message\":\"Failed to create session\",\"code\":\"FAILED_TO_CREATE_SESSION\"}"},
	{ERR_FAILED_TO_CREATE_SESSION_401, 401,
         "{\"message\":\"Failed to create session\",\"code\":\"FAILED_TO_CREATE_SESSION\"}"},
	{ERR_INVALID_EMAIL_OR_PASSWORD, 401,
         "{\"message\":\"Invalid email or password\",\"code\":\"INVALID_EMAIL_OR_PASSWORD\"}"},
	{ERR_UNAUTHORIZED, 401, "{\"message\":\"Unauthorized\",\"code\":\"UNAUTHORIZED\"}"},
	{ERR_FAILED_TO_GET_SESSION, 401,
         "{\"message\":\"Failed to get session\",\"code\":\"FAILED_TO_GET_SESSION\"}"},
	{ERR_METHOD_NOT_ALLOWED_DEFER, 405,
         "{\"message\":\"POST method requires deferSessionRefresh to be enabled in session "
         "config\",\"code\":\"METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED\"}"},
	{ERR_MISSING_OR_NULL_ORIGIN, 403,
         "{\"message\":\"Missing or null Origin\",\"code\":\"MISSING_OR_NULL_ORIGIN\"}"},
	{ERR_INVALID_ORIGIN, 403, "{\"message\":\"Invalid origin\",\"code\":\"INVALID_ORIGIN\"}"},
	{ERR_CROSS_SITE_NAVIGATION, 403,
         "{\"message\":\"Cross-site navigation login blocked. This request appears to be a CSRF "
         "attack.\",\"code\":\"CROSS_SITE_NAVIGATION_LOGIN_BLOCKED\"}"},
	{ERR_INVALID_CALLBACK_URL, 403,
         "{\"message\":\"Invalid callbackURL\",\"code\":\"INVALID_CALLBACK_URL\"}"},
	{ERR_CALLBACK_NOT_STRING, 400, "{\"message\":\"Invalid callbackURL: expected a string\"}"},
	{ERR_PAYLOAD_TOO_LARGE, 413,
         "{\"message\":\"Request body too large\",\"code\":\"PAYLOAD_TOO_LARGE\"}"},
	{ERR_HEADER_TOO_LARGE, 431,
         "{\"message\":\"Request header fields too "
         "large\",\"code\":\"REQUEST_HEADER_FIELDS_TOO_LARGE\"}"},
	{ERR_SERVICE_UNAVAILABLE, 503,
         "{\"message\":\"Service temporarily unavailable, please "
         "retry\",\"code\":\"SERVICE_UNAVAILABLE\"}"},
	{ERR_INTERNAL, 500,
         "{\"message\":\"Internal Server Error\",\"code\":\"INTERNAL_SERVER_ERROR\"}"},
	{ERR_TOO_MANY_REQUESTS, 429,
         "{\"message\":\"Too many requests. Please try again later.\"}"},
	{ERR_SESSION_NOT_FRESH, 403,
         "{\"message\":\"Session is not fresh\",\"code\":\"SESSION_NOT_FRESH\"}"},
	{ERR_EMAIL_CAN_NOT_BE_UPDATED, 400,
         "{\"message\":\"Email can not be updated\",\"code\":\"EMAIL_CAN_NOT_BE_UPDATED\"}"},
	{ERR_NO_FIELDS_TO_UPDATE, 400, "{\"message\":\"No fields to update\"}"},
	{ERR_INVALID_PASSWORD, 400,
         "{\"message\":\"Invalid password\",\"code\":\"INVALID_PASSWORD\"}"},
	{ERR_CREDENTIAL_ACCOUNT_NOT_FOUND, 400,
         "{\"message\":\"Credential account not "
         "found\",\"code\":\"CREDENTIAL_ACCOUNT_NOT_FOUND\"}"},
	{ERR_FAILED_TO_UNLINK_LAST_ACCOUNT, 400,
         "{\"message\":\"You can't unlink your last "
         "account\",\"code\":\"FAILED_TO_UNLINK_LAST_ACCOUNT\"}"},
	{ERR_ACCOUNT_NOT_FOUND, 400,
         "{\"message\":\"Account not found\",\"code\":\"ACCOUNT_NOT_FOUND\"}"},
	{ERR_SESSION_EXPIRED, 400,
         "{\"message\":\"Session expired. Re-authenticate to perform this "
         "action.\",\"code\":\"SESSION_EXPIRED\"}"},
	{ERR_NOT_FOUND_JSON, 404, "{\"message\":\"Not found\",\"code\":\"NOT_FOUND\"}"},
	{ERR_INVALID_TOKEN, 400, "{\"message\":\"Invalid token\",\"code\":\"INVALID_TOKEN\"}"},
	{ERR_INVALID_TOKEN_401, 401, "{\"message\":\"Invalid token\",\"code\":\"INVALID_TOKEN\"}"},
	{ERR_INVALID_TOKEN_404, 404, "{\"message\":\"Invalid token\",\"code\":\"INVALID_TOKEN\"}"},
	{ERR_USER_NOT_FOUND, 400, "{\"message\":\"User not found\",\"code\":\"USER_NOT_FOUND\"}"},
	{ERR_FAILED_TO_GET_USER_INFO, 404,
         "{\"message\":\"Failed to get user info\",\"code\":\"FAILED_TO_GET_USER_INFO\"}"},
	{ERR_BANNED_USER, 403,
         "{\"message\":\"You have been banned from this application\",\"code\":\"BANNED_USER\"}"},
	{ERR_FORBIDDEN, 403, "{\"message\":\"Forbidden\",\"code\":\"FORBIDDEN\"}"},
	{ERR_RESET_PASSWORD_DISABLED, 400,
         "{\"message\":\"Reset password isn't enabled\",\"code\":\"RESET_PASSWORD_DISABLED\"}"},
	{ERR_VERIFICATION_EMAIL_NOT_ENABLED, 400,
         "{\"message\":\"Verification email isn't "
         "enabled\",\"code\":\"VERIFICATION_EMAIL_NOT_ENABLED\"}"},
	{ERR_VERIFICATION_NOT_ENABLED_NO_CODE, 400,
         "{\"message\":\"Verification email isn't enabled\"}"},
	{ERR_EMAIL_MISMATCH, 400, "{\"message\":\"Email mismatch\",\"code\":\"EMAIL_MISMATCH\"}"},
	{ERR_EMAIL_ALREADY_VERIFIED, 400,
         "{\"message\":\"Email is already verified\",\"code\":\"EMAIL_ALREADY_VERIFIED\"}"},
	{ERR_TOKEN_EXPIRED_401, 401, "{\"message\":\"Token expired\",\"code\":\"TOKEN_EXPIRED\"}"},
	{ERR_USER_NOT_FOUND_401, 401,
         "{\"message\":\"User not found\",\"code\":\"USER_NOT_FOUND\"}"},
	{ERR_INVALID_USER_401, 401, "{\"message\":\"Invalid user\",\"code\":\"INVALID_USER\"}"},
	{ERR_CHANGE_EMAIL_DISABLED, 400,
         "{\"message\":\"Change email is disabled\",\"code\":\"CHANGE_EMAIL_DISABLED\"}"},
	{ERR_EMAIL_IS_THE_SAME, 400, "{\"message\":\"Email is the same\"}"},
	{ERR_EMAIL_NOT_VERIFIED, 403,
         "{\"message\":\"Email not verified\",\"code\":\"EMAIL_NOT_VERIFIED\"}"},
	{ERR_INTERNAL_EMPTY, 500, NULL},
};

static const char *
reason(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "?";
	}
}

static void
check_format(const struct response *res, const char *want)
{
	bson_string_t *out = bson_string_new(NULL);

	response_format(res, out);
	CHECK_STR(out->str, want);
	bson_string_free(out, true);
}

int
main(void)
{
	struct response res;
	char want[1024], name[32];
	size_t i;
	bool seen[ERR__COUNT] = {false};

	CHECK(sizeof errors / sizeof errors[0] == ERR__COUNT - 1, "every error has a row");
	for (i = 0; i < sizeof errors / sizeof errors[0]; i++) {
		const char *body = errors[i].body;

		seen[errors[i].err] = true;
		response_init(&res);
		response_header(&res, "Set-Cookie", "a=b"); /* cookies set before stay */
		response_error(&res, errors[i].err);
		CHECK(res.is_error && res.status == errors[i].status, "error %d: status %d",
		      errors[i].err, res.status);
		snprintf(want, sizeof want,
		         "Status: %d %s\r\n%sSet-Cookie: a=b\r\n%sContent-Length: %zu\r\n\r\n%s",
		         errors[i].status, reason(errors[i].status),
		         body ? "Content-Type: application/json\r\n" : "",
		         errors[i].err == ERR_SERVICE_UNAVAILABLE ? "Retry-After: 2\r\n" : "",
		         body ? strlen(body) : 0, body ? body : "");
		check_format(&res, want);
		response_cleanup(&res);
	}
	for (i = 1; i < ERR__COUNT; i++)
		CHECK(seen[i], "error %zu has a row", i);

	/* ERR_OK changes nothing. */
	response_init(&res);
	response_error(&res, ERR_OK);
	check_format(&res, "Status: 200 OK\r\nContent-Length: 0\r\n\r\n");
	/* A body of another type; a message of the caller's, JSON-escaped; no code. */
	response_body(&res, 200, "text/plain; version=0.0.4", bson_string_new("x 1\n"));
	check_format(&res, "Status: 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
	                   "Content-Length: 4\r\n\r\nx 1\n");
	response_error_message(&res, 400, "[\"a\"\n]", NULL);
	check_format(&res, "Status: 400 Bad Request\r\nContent-Type: application/json\r\n"
	                   "Content-Length: 23\r\n\r\n{\"message\":\"[\\\"a\\\"\\n]\"}");
	response_cleanup(&res);

	/* Headers: in order, a value with CR/LF dropped, at most RESPONSE_MAX_HEADERS. */
	response_init(&res);
	response_header(&res, "X-A", "1");
	response_header(&res, "X-Bad", "1\r\nSet-Cookie: evil=1");
	response_header(&res, "X-B", "2");
	check_format(&res, "Status: 200 OK\r\nX-A: 1\r\nX-B: 2\r\nContent-Length: 0\r\n\r\n");
	for (i = res.n_headers; i < RESPONSE_MAX_HEADERS + 3; i++) {
		snprintf(name, sizeof name, "X-%zu", i);
		response_header(&res, name, "v");
	}
	CHECK(res.n_headers == RESPONSE_MAX_HEADERS, "capped at %zu", res.n_headers);
	response_cleanup(&res);

	/* removeSetCookieEntries: the cookie and its chunks, nothing else. */
	response_init(&res);
	response_header(&res, "Set-Cookie", "s=1; Path=/");
	response_header(&res, "Set-Cookie", "s.0=2; Path=/");
	response_header(&res, "Set-Cookie", "s_x=3; Path=/");
	response_header(&res, "X-s", "4");
	response_header(&res, "Set-Cookie", "t=5");
	response_remove_cookie(&res, "s");
	check_format(&res, "Status: 200 OK\r\nSet-Cookie: s_x=3; Path=/\r\nX-s: 4\r\n"
	                   "Set-Cookie: t=5\r\nContent-Length: 0\r\n\r\n");
	response_cleanup(&res);

	/* Literal lines among copied ones: in order, kept by a removal of
	 * other cookies (and never freed: ASan and valgrind would say), capped
	 * with the rest. */
	response_init(&res);
	response_header_literal(&res, "Cache-Control: no-store");
	response_header(&res, "Set-Cookie", "s=1; Path=/");
	response_header_literal(&res, "Pragma: no-cache");
	response_header(&res, "Set-Cookie", "t=2");
	response_header_literal(&res, "Set-Cookie: s.0=3");
	response_remove_cookie(&res, "s");
	check_format(&res, "Status: 200 OK\r\nCache-Control: no-store\r\nPragma: no-cache\r\n"
	                   "Set-Cookie: t=2\r\nContent-Length: 0\r\n\r\n");
	for (i = res.n_headers; i < RESPONSE_MAX_HEADERS + 3; i++)
		response_header_literal(&res, "X-L: v");
	CHECK(res.n_headers == RESPONSE_MAX_HEADERS, "literals capped at %zu", res.n_headers);
	response_header(&res, "X-Over", "v");
	CHECK(res.n_headers == RESPONSE_MAX_HEADERS, "still capped at %zu", res.n_headers);
	response_cleanup(&res);

	response_init(&res);
	response_redirect(&res, "X-Location", "http://a/b");
	check_format(&res, "Status: 302 Found\r\nContent-Type: application/json\r\n"
	                   "X-Location: http://a/b\r\nContent-Length: 0\r\n\r\n");
	response_cleanup(&res);
	UNIT_END();
}
