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
 * turns the level down. The handlers name them (app_event in app.h), with
 * these outcomes:
 *   sign_up                  ok
 *   sign_up_failed           user_exists (also the 200 that requireEmail-
 *                            Verification answers for a taken address),
 *                            invalid_request (400, 403, 413, 415, 422 …)
 *   sign_in                  ok
 *   sign_in_failed           invalid_credentials (unknown email or wrong
 *                            password: the metrics tell them apart),
 *                            email_not_verified, session_not_created,
 *                            invalid_request
 *   sign_out                 ok, no_session (no or an unknown cookie)
 *   session_revoked          revoke_session, revoke_sessions,
 *                            revoke_other_sessions, password_changed,
 *                            password_reset (why the sessions ended)
 *   password_changed         ok
 *   password_change_failed   invalid_password (the current one)
 *   password_reset_requested ok, unknown_email (the answers are the same)
 *   password_reset           ok
 *   password_reset_failed    invalid_token
 *   email_verified           ok
 *   email_changed            verified (the link followed),
 *                            without_verification (an unverified user's)
 *   user_deletion_requested  ok (the mail with the link)
 *   user_deleted             ok
 *   access_denied            the authorizer's 401/403: unauthorized,
 *                            forbidden (role), banned
 *   rate_limited             (a 429; app.c)
 *   store_unavailable        (every 503; app.c)
 *   message                  a log_msg line
 * Each carries the status answered and duration_ms. outcome values are
 * short snake_case words from the code, never user input; no event carries
 * an email, a password, a token or a cookie.
 */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* What an event line carries besides time, level, program, pid, event and
 * the request context; NULL, 0 or a duration <= 0 means absent, so
 * `struct log_fields f = {.outcome = "invalid_credentials", .status = 401};`
 * names only what applies. */
struct log_fields {
	const char *outcome; /* snake_case reason from the code */
	const char *client;  /* the client address; default: the request's */
	int status;          /* the HTTP status answered */
	double duration_ms;  /* time spent on the request so far */
	const char *message; /* free text (never a secret) */
};

/* Names the program in every line and installs the libmongoc log handler.
 * FCGI_AUTH_LOG_LEVEL (error|warn|info|debug, default info) and
 * FCGI_AUTH_LOG_FORMAT (text|json, default text) are read here. */
void log_init(const char *program);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

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
