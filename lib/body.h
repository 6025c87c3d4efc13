/*
 * body.h — a request body as Better Auth's router sees it: media type check
 * (415), JSON or form decoding (400), the callback-URL fields check, and zod's
 * schema-validation messages ("[body.email] Invalid input: expected string,
 * received object"), all in Better Auth's order of steps (spec §1).
 */
#ifndef BODY_H
#define BODY_H

#include "json.h"

#include <bson/bson.h>
#include <stdbool.h>

struct request;
struct response;

struct body {
	bson_t doc;   /* the object's members (empty unless an object) */
	bool present; /* false: "undefined" (no body, or no Content-Type) */
	enum json_kind kind;
};

/* An empty body ("undefined"); body_cleanup releases it. */
void body_init(struct body *b);

/* Reads req's body into b (always initialised, over an empty one; body_cleanup
 * after). allow_form:
 * sign-in/sign-up also take application/x-www-form-urlencoded. On a 413, 415
 * or 400 fills res and returns false. */
bool body_read(const struct request *req, struct response *res, bool allow_form, struct body *b);

void body_cleanup(struct body *b);

/* Step 5: callbackURL / redirectTo / errorCallbackURL / newUserCallbackURL in
 * the body, and callbackURL in the query: a truthy non-string is a 400, an
 * untrusted URL a 403. false with res filled when refused. */
bool body_check_callbacks(const struct request *req, struct response *res, const struct body *b);

/* The value of a string member, or NULL when absent or not a string. */
const char *body_string(const struct body *b, const char *key);

/* Optional boolean member: def when absent. */
bool body_bool(const struct body *b, const char *key, bool def);

/* zod checks: each appends "[body.key] …" to issues (joined by "; ") when
 * the member fails. */
enum body_rule { BODY_STRING, BODY_STRING_OPT, BODY_BOOL_OPT, BODY_EMAIL, BODY_STRING_NONEMPTY };
void body_expect(const struct body *b, const char *key, enum body_rule rule, bson_string_t *issues);

/* Field limits of ours (Better Auth has none but the password's): far above
 * any real value, they keep one request from storing 64 KiB of name. */
#define BODY_EMAIL_MAX 320
#define BODY_NAME_MAX 1000
#define BODY_URL_MAX 2048

/* A schema: the fields in zod's order and their rules; NULL key ends it. */
struct body_field {
	const char *key;
	enum body_rule rule;
	long max; /* longest string accepted, in UTF-16 units; 0: no limit of ours */
};

/* Validates b against a schema as zod does: the whole-body issue (see
 * body_expect_object) or every field's, plus our length limits (zod's
 * "Too big: expected string to have <=N characters"). Returns the issues joined by "; ",
 * or NULL when there are none (caller frees with bson_string_free). */
bson_string_t *body_validate(const struct body *b, const struct body_field *schema,
                             bool with_record);

/* Whole-body issue when the body is not an object: "[body] Invalid input:
 * expected object, received X" (and "… expected record …" when
 * with_record, as sign-up's intersection schema reports). true if added. */
bool body_expect_object(const struct body *b, bool with_record, bson_string_t *issues);

/* zod's default email regex (ASCII only), spec §4.3. */
bool body_is_email(const char *s);

/* zod's z.record (update-user, update-session): "[body] Invalid input:
 * expected record, received X" when the body is not an object. Returns the
 * issue (caller frees with bson_string_free) or NULL. */
bson_string_t *body_validate_record(const struct body *b);

/* update-user's and update-session's z.record body: "[body] Invalid input:
 * expected record, received X" when b is not an object. true if added. */
bool body_expect_record(const struct body *b, bson_string_t *issues);

#endif
