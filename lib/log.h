/*
 * log.h — one line per log record on stderr (which the web server sends to
 * its error log), written with one write(2) so lines of concurrent processes
 * never interleave. Never pass secrets, passwords, tokens or cookie values.
 * Also quiets libmongoc's own logging.
 *
 * Two formats, chosen by FCGI_AUTH_LOG_FORMAT (read by log_init):
 *   text (default)  fcgi-auth[<program> <pid>] <level>: <message>
 *   json            one JSON object per line, keys in this order, each only
 *                   where it applies:
 *                   {"time":"2025-01-31T12:00:00.123Z","level":"info",
 *                    "program":"signin","pid":1234,"event":"sign_in_failed",
 *                    "request_id":"…","outcome":"invalid_credentials",
 *                    "client":"203.0.113.7","status":401,"duration_ms":118.204,
 *                    "message":"…"}
 *                   A log_msg line has "event":"message". Strings are
 *                   escaped (quotes, backslashes, every control character),
 *                   and bytes that are not UTF-8 become U+FFFD, so every
 *                   line parses; a message too long for a line is cut
 *                   (ending "...").
 *
 * Security events (log_event) are named after OWASP's Logging Cheat Sheet
 * and logged at LOG_INFO, the default level, so they are on unless a site
 * turns the level down:
 *   sign_up, sign_up_failed        a user created / refused (outcome says why)
 *   sign_in, sign_in_failed        authentication success / failure
 *   sign_out                       a session ended by its user
 *   session_revoked                a session ended by another request
 *                                  (revoke-session, password change, ban)
 *   session_expired                an expired session presented
 *   password_changed, password_reset, password_reset_requested
 *   email_changed, email_verified, user_deleted
 *   rate_limited                   a request refused with 429
 *   access_denied                  the authorizer refused (no session, role)
 *   store_unavailable              the store could not be reached (503)
 *   request                        one line per request (access log), at
 *                                  the level the caller picks
 * outcome values are short snake_case words from the code
 * (invalid_credentials, user_exists, ok, …), never user input.
 */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* What an event line carries besides time, level, program, pid, event and
 * the request context; NULL, 0 or a duration <= 0 means absent, so
 * `struct log_fields f = {.outcome = "invalid_credentials", .status = 401};`
 * names only what applies. */
struct log_fields {
	const char *outcome;  /* snake_case reason from the code */
	const char *client;   /* the client address; default: the request's */
	int status;           /* the HTTP status answered */
	double duration_ms;   /* time spent on the request so far */
	const char *message;  /* free text (never a secret) */
};

/* Names the program in every line and installs the libmongoc log handler.
 * FCGI_AUTH_LOG_LEVEL (error|warn|info|debug, default info) and
 * FCGI_AUTH_LOG_FORMAT (text|json, default text) are read here. */
void log_init(const char *program);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One security event (see the list above); fields may be NULL. In the text
 * format: "fcgi-auth[<program> <pid>] <level>: <event> request_id=…
 * outcome=… client=… status=… duration_ms=… <message>", with control
 * characters (and spaces, except in the message) replaced by '_'. */
void log_event(enum log_level level, const char *event, const struct log_fields *fields);

/* The request every line logged until log_request_end belongs to: its id
 * (the web server's UNIQUE_ID, or NULL) and client address (or NULL). JSON
 * lines carry both as request_id and client, text event lines as
 * request_id=… client=…. The strings are copied (request_id up to 128
 * bytes, client up to 64). */
void log_request_begin(const char *request_id, const char *client);
void log_request_end(void);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
