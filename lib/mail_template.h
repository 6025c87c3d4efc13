/*
 * mail_template.h — the texts of the mails (mail.h): for each kind a
 * subject, a text and optionally an HTML template, built in or replaced by
 * the site's files <dir>/<kind>.subject (one line), <kind>.txt and
 * <kind>.html, and their placeholders {{url}}, {{name}}, {{email}},
 * {{newEmail}} and {{appName}}. A site that gives <kind>.txt but no
 * <kind>.html gets an HTML part made from its text.
 *
 * One process-wide set, read once (mail_init); single-threaded.
 */
#ifndef MAIL_TEMPLATE_H
#define MAIL_TEMPLATE_H

#include "mail.h"

#include <bson/bson.h>
#include <stdbool.h>

/* The placeholders, in the order of the values given to mail_template_render. */
enum mail_template_var {
	MAIL_TEMPLATE_URL,       /* {{url}} */
	MAIL_TEMPLATE_NAME,      /* {{name}} */
	MAIL_TEMPLATE_EMAIL,     /* {{email}} */
	MAIL_TEMPLATE_NEW_EMAIL, /* {{newEmail}} */
	MAIL_TEMPLATE_APP_NAME,  /* {{appName}} */
	MAIL_TEMPLATE__VAR_COUNT
};

/* Reads the templates of every kind: the built-in ones, each replaced by
 * the file of dir (NULL: none) that exists. False with one line in err when
 * dir is not a directory, or a file cannot be read, is larger than 64 KiB,
 * is not UTF-8, names an unknown placeholder, or is a subject that is not
 * one non-empty line; the set is then partly read (mail_template_cleanup
 * frees it). */
bool mail_template_load(const char *dir, char *err, size_t errlen);

/* Frees the set (the next render needs a new mail_template_load). */
void mail_template_cleanup(void);

/* The subject, text and HTML of kind with the placeholders filled from
 * values (valid UTF-8, none NULL; control characters become spaces),
 * into the three strings (empty on entry): values as they are in the subject and the
 * text, HTML-escaped in the HTML template, and without one an HTML document
 * made from the text template (all of it escaped, {{url}} a link). kind
 * must be a valid kind. */
void mail_template_render(enum mail_kind kind, const char *const values[MAIL_TEMPLATE__VAR_COUNT],
                          bson_string_t *subject, bson_string_t *text, bson_string_t *html);

#endif
