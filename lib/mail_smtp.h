/*
 * mail_smtp.h — the SMTP sender of mail.h, through libcurl: one easy handle
 * per message, FCGI_AUTH_MAIL_TIMEOUT_MS for the whole exchange, only the
 * smtp and smtps protocols; "?starttls=1" on an smtp:// URL demands
 * STARTTLS (no TLS, no mail); smtps:// is TLS from the first byte;
 * certificates are verified (against FCGI_AUTH_SMTP_CA_FILE when set).
 * Credentials come from the URL's userinfo (percent-decoded) or
 * FCGI_AUTH_SMTP_USER/_PASSWORD, never both.
 *
 * libcurl's global state (and with it OpenSSL's TLS set-up) is initialised
 * on the first message or probe, not at start: a process that sends no
 * mail never pays for it. One process-wide state; single-threaded.
 */
#ifndef MAIL_SMTP_H
#define MAIL_SMTP_H

#include "mail.h"

#include <bson/bson.h>
#include <stdbool.h>

struct config;

/* Reads FCGI_AUTH_SMTP_URL (smtp[s]://[user[:password]@]host[:port][/path]
 * [?starttls=1]) and the credentials of cfg (kept by reference for the
 * timeout and the CA file). False with one line in err when the URL has no
 * host, an unknown option, bad percent-encoding, or credentials twice. */
bool mail_smtp_init(const struct config *cfg, char *err, size_t errlen);

/* Frees the settings (the password wiped) and libcurl's global state. */
void mail_smtp_cleanup(void);

/* Sends msg from <from> to <to> (both plain addresses): MAIL_OK, or
 * MAIL_TIMEOUT / MAIL_FAILED with one line in err (libcurl's error; never
 * a credential). */
enum mail_status mail_smtp_send(const bson_string_t *msg, const char *from, const char *to,
                                char *err, size_t errlen);

/* Connects, reads the greeting, EHLO, STARTTLS or TLS as configured and the
 * login, then quits, sending nothing. One line for the user in msg (the
 * server's URL without credentials, libcurl's error); false on a failure. */
bool mail_smtp_probe(char *msg, size_t len);

#endif
