/*
 * mail.h — the e-mails fcgi-auth sends (password reset, e-mail verification,
 * change-of-address confirmation, account deletion): composed from
 * templates a site may replace without recompiling (mail_template.h, read
 * from FCGI_AUTH_MAIL_TEMPLATES once, at mail_init), built as an RFC 5322 +
 * MIME message (mail_mime.h: nothing a user controls reaches a header
 * unencoded), and sent through an SMTP server (mail_smtp.h, libcurl) or a
 * sendmail command (mail_sendmail.h), within a total timeout.
 *
 * One process-wide state, set up before the accept loop; single-threaded.
 */
#ifndef MAIL_H
#define MAIL_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stdint.h>

struct config;

enum mail_kind {
	MAIL_RESET_PASSWORD,            /* "reset-password" */
	MAIL_VERIFY_EMAIL,              /* "verify-email" (also change-email's link
	                                   to the new address) */
	MAIL_CHANGE_EMAIL_CONFIRMATION, /* "change-email-confirmation" (to the old address) */
	MAIL_DELETE_ACCOUNT,            /* "delete-account" */
	MAIL__KIND_COUNT
};

enum mail_status {
	MAIL_OK = 0,
	MAIL_NOT_CONFIGURED, /* no sender (FCGI_AUTH_SMTP_URL, FCGI_AUTH_SENDMAIL): nothing sent */
	MAIL_BAD_ADDRESS,    /* the recipient is not a plain local@domain address */
	MAIL_BAD_INPUT,      /* a value is not UTF-8, or the kind is unknown */
	MAIL_FAILED,         /* the server refused, the connection failed, the
	                        command failed or stopped reading */
	MAIL_TIMEOUT         /* FCGI_AUTH_MAIL_TIMEOUT_MS elapsed (the command is killed) */
};

/* One mail. Strings are UTF-8; NULL means empty. */
struct mail_message {
	enum mail_kind kind;
	const char *to;        /* the recipient's address (required) */
	const char *name;      /* the user's name: To's display name and {{name}} */
	const char *url;       /* {{url}}: the link the mail is about */
	const char *email;     /* {{email}}: the account's address; NULL: to */
	const char *new_email; /* {{newEmail}}: change-email's new address */
};

/* Reads the mail settings of cfg (kept by reference: it must outlive the
 * process's use of mail) and the templates. Call once before the accept
 * loop. Returns false with one line in err when a setting or a template is
 * unusable (bad From address, SMTP URL, sendmail command not executable,
 * unreadable template, unknown placeholder); the program then refuses to
 * start. With no sender configured it succeeds, logs that no mail will be
 * sent, and mail_send answers MAIL_NOT_CONFIGURED. */
bool mail_init(const struct config *cfg, char *err, size_t errlen);

/* Frees the templates, the settings and libcurl's global state. */
void mail_cleanup(void);

/* True when a sender is configured. */
bool mail_is_configured(void);

/* The message m as it would be sent at now_ms (Date header), in *out (a new
 * bson_string_t; caller frees with bson_string_free(out, true); NULL unless
 * MAIL_OK). Needs mail_init with a From address; MAIL_NOT_CONFIGURED without
 * one. */
enum mail_status mail_compose(const struct mail_message *m, int64_t now_ms, bson_string_t **out);

/* Composes and sends m, within FCGI_AUTH_MAIL_TIMEOUT_MS. Logs the outcome
 * (kind, recipient's domain, error; never the link or a credential). */
enum mail_status mail_send(const struct mail_message *m);

/* Tries the configured sender without sending anything (program --check):
 * SMTP: connects, reads the greeting, EHLO, STARTTLS or TLS as configured and
 * the login, then quits; sendmail: only that the command is executable (as
 * mail_init checked; running it would send). One line for the user in msg
 * (the server's URL without credentials, libcurl's error). False when no
 * sender is configured or the server failed. */
bool mail_probe(char *msg, size_t len);

/* "reset-password", "verify-email", "change-email-confirmation",
 * "delete-account": the template file names. */
const char *mail_kind_name(enum mail_kind kind);

/* The kind named name; false when none is. */
bool mail_kind_parse(const char *name, enum mail_kind *out);

/* "ok", "not-configured", "bad-address", "bad-input", "failed", "timeout". */
const char *mail_status_name(enum mail_status st);

#endif
