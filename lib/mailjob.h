/*
 * mailjob.h — the mails of the flows (reset, verification, change of
 * address), sent after the answer (app_defer) so a slow or dead mail server
 * never delays or changes an answer, and the links they carry, built as
 * Better Auth builds them (accounts spec §4.2). Also the query parameters
 * of the GET endpoints those links lead to.
 */
#ifndef MAILJOB_H
#define MAILJOB_H

#include "app.h"
#include "mail.h"

#include <bson/bson.h>
#include <stdbool.h>

struct config;

/* A program's init (app_program.init) for the programs that send mail:
 * mail_init, then, with a sender, BETTER_AUTH_URL is required (the links
 * need it). Without a sender it logs what the mail endpoints will answer. */
bool mailjob_init(const struct config *cfg, char *err, size_t errlen);

/* A sender is configured: Better Auth's "the callback is set". */
bool mailjob_is_enabled(void);

/* Sends m once the answer is out: the strings are copied. One mail per
 * request (app_defer). */
void mailjob_defer(struct call *c, const struct mail_message *m);

/* <BETTER_AUTH_URL>/api/auth<path><token><param><encodeURIComponent(value)>,
 * malloc'd: "/reset-password/", t, "?callbackURL=", redirectTo or "". */
char *mailjob_link(const struct config *cfg, const char *path, const char *token, const char *param,
                   const char *value);

/* The verification link of a token: /verify-email?token=<jwt>&callbackURL=
 * <callbackURL or "/">, malloc'd. */
char *mailjob_verify_link(const struct config *cfg, const char *jwt, const char *callback);

/* The user's _id as 24 hex characters into hex[25] ("" when absent). */
void mailjob_user_id(const bson_t *user, char hex[25]);

/* A query parameter of the request, URLSearchParams-decoded (malloc'd), or
 * NULL when absent or not UTF-8; *repeated when given more than once
 * (zod then sees an array). */
char *mailjob_query(const struct request *req, const char *name, bool *repeated);

/* zod's string() / string().optional() of a query parameter: false with
 * "[query.<name>] …" appended to issues ("; "-joined). *out the decoded
 * value (caller frees) or NULL. */
bool mailjob_query_string(const struct request *req, const char *name, bool required, char **out,
                          bson_string_t *issues);

/* After the query's checks: the 400 VALIDATION_ERROR of the issues, else the
 * callbackURL rule (§2.3, 403 INVALID_CALLBACK_URL); false with the answer in
 * c->res. Frees issues. */
bool mailjob_query_done(struct call *c, bson_string_t *issues, const char *callback);

#endif
