/*
 * mail_sendmail.h — the sendmail sender of mail.h: fork and execve of the
 * configured command (FCGI_AUTH_SENDMAIL), split on spaces, no shell, in its
 * own process group, with PATH as its only environment; the message goes
 * to its stdin, its stdout is discarded, the start of its stderr kept for
 * the log; past the deadline the group is SIGKILLed and the child reaped.
 *
 * One process-wide state; single-threaded.
 */
#ifndef MAIL_SENDMAIL_H
#define MAIL_SENDMAIL_H

#include "mail.h"

#include <bson/bson.h>
#include <signal.h>
#include <stdbool.h>

/* Splits cmd (an absolute path and its arguments, "/usr/sbin/sendmail -t
 * -i") on spaces. False with one line in err when it has more than 32
 * words or the program is not executable. */
bool mail_sendmail_init(const char *cmd, char *err, size_t errlen);

/* Frees the command. */
void mail_sendmail_cleanup(void);

/* The command's program (its first word); "" before mail_sendmail_init. */
const char *mail_sendmail_program(void);

/* Runs the command with msg on its stdin, within timeout_ms: MAIL_OK when
 * it read all of it and exited 0; else MAIL_FAILED (exit status, signal,
 * stopped reading; the start of its stderr) or MAIL_TIMEOUT (killed), with
 * one line in err. The caller blocks SIGPIPE; the child gets the signal
 * mask mask (the caller's own) and default signals. */
enum mail_status mail_sendmail_send(const bson_string_t *msg, int timeout_ms, const sigset_t *mask,
                                    char *err, size_t errlen);

#endif
