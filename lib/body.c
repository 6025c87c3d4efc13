/*
 * body.c — see body.h.
 */
#include "body.h"

#include "form.h"
#include "origin.h"
#include "password.h"
#include "request.h"
#include "urlcode.h"
#include "response.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const body_kind_names[] = {
	[JSON_OBJECT] = "object", [JSON_ARRAY] = "array",  [JSON_STRING] = "string",
	[JSON_NUMBER] = "number", [JSON_BOOL] = "boolean", [JSON_NULL] = "null",
};

/* Content-Type lower-cased, cut at ';', trimmed, into buf. */
static void
body_media_type(const char *ct, char *buf, size_t cap)
{
	size_t n = 0;

	while (*ct == ' ' || *ct == '\t')
		ct++;
	for (; *ct && *ct != ';' && n + 1 < cap; ct++)
		buf[n++] = (char)tolower((unsigned char)*ct);
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
}

void
body_init(struct body *b)
{
	bson_init(&b->doc);
	b->present = false;
	b->kind = JSON_NULL;
}

bool
body_read(const struct request *req, struct response *res, bool allow_form, struct body *b)
{
	char type[128];
	bool is_json;

	body_init(b);
	if (req->body_too_large) {
		response_error(res, ERR_PAYLOAD_TOO_LARGE);
		return false;
	}
	/* Without Content-Type, Node's handler drops the body: "undefined". */
	if (!req->has_body || !req->content_type)
		return true;
	body_media_type(req->content_type, type, sizeof(type));
	is_json = !strcmp(type, "application/json");
	if (!is_json && !(allow_form && !strcmp(type, "application/x-www-form-urlencoded"))) {
		bson_string_t *msg = bson_string_new("Content-Type \"");

		bson_string_append_printf(
			msg, "%.200s\" is not allowed. Allowed types: %s", req->content_type,
			allow_form ? "application/x-www-form-urlencoded, application/json"
				   : "application/json");
		response_error_message(res, 415, msg->str, "UNSUPPORTED_MEDIA_TYPE");
		bson_string_free(msg, true);
		return false;
	}
	b->present = true;
	if (!is_json) {
		b->kind = JSON_OBJECT;
		if (!form_parse(req->body, req->body_len, &b->doc)) {
			response_error_message(res, 400, "Invalid form body", "BAD_REQUEST");
			return false;
		}
		return true;
	}
	if (json_parse(req->body, req->body_len, &b->doc, &b->kind) != JSON_OK) {
		response_error(res, ERR_BAD_JSON);
		return false;
	}
	return true;
}

void
body_cleanup(struct body *b)
{
	bson_destroy(&b->doc);
}

static bool
body_find(const struct body *b, const char *key, bson_iter_t *it)
{
	return b->present && b->kind == JSON_OBJECT && bson_iter_init_find(it, &b->doc, key);
}

const char *
body_string(const struct body *b, const char *key)
{
	bson_iter_t it;

	if (body_find(b, key, &it) && BSON_ITER_HOLDS_UTF8(&it))
		return bson_iter_utf8(&it, NULL);
	return NULL;
}

bool
body_bool(const struct body *b, const char *key, bool def)
{
	bson_iter_t it;

	if (body_find(b, key, &it) && BSON_ITER_HOLDS_BOOL(&it))
		return bson_iter_bool(&it);
	return def;
}

/* JavaScript truthiness of a JSON value. */
static bool
body_truthy(const bson_iter_t *it)
{
	switch (bson_iter_type(it)) {
	case BSON_TYPE_NULL: return false;
	case BSON_TYPE_BOOL: return bson_iter_bool(it);
	case BSON_TYPE_DOUBLE:
		return bson_iter_double(it) != 0 && bson_iter_double(it) == bson_iter_double(it);
	case BSON_TYPE_UTF8: {
		uint32_t n;

		bson_iter_utf8(it, &n);
		return n > 0;
	}
	default: return true;
	}
}

static const struct {
	const char *field;
	const char *label; /* as Better Auth names it in messages */
	const char *code;
} body_callbacks[] = {
	{"callbackURL", "callbackURL", "INVALID_CALLBACK_URL"},
	{"redirectTo", "redirectURL", "INVALID_REDIRECT_URL"},
	{"errorCallbackURL", "errorCallbackURL", "INVALID_ERROR_CALLBACK_URL"},
	{"newUserCallbackURL", "newUserCallbackURL", "INVALID_NEW_USER_CALLBACK_URL"},
};

static bool
body_refuse_callback(struct response *res, size_t i, bool not_string)
{
	char msg[96];

	if (not_string) {
		snprintf(msg, sizeof(msg), "Invalid %s: expected a string",
		         body_callbacks[i].label);
		response_error_message(res, 400, msg, NULL);
	} else {
		snprintf(msg, sizeof(msg), "Invalid %s", body_callbacks[i].label);
		response_error_message(res, 403, msg, body_callbacks[i].code);
	}
	return false;
}

/* The query's callbackURL, percent-decoded for the check (as
 * URLSearchParams reads it), is acceptable or absent. */
static bool
body_query_callback_ok(const struct request *req)
{
	const char *q;
	size_t qlen, o;
	char *dec;
	bool ok;

	q = request_query_param(req, "callbackURL", &qlen);
	if (!q || !qlen)
		return true;
	dec = urlcode_decode(q, qlen, URLCODE_FORM, &o);
	if (!dec)
		return false;
	ok = origin_callback_ok(req, dec, o);
	free(dec);
	return ok;
}

bool
body_check_callbacks(const struct request *req, struct response *res, const struct body *b)
{
	bson_iter_t it;
	size_t i;

	for (i = 0; i < sizeof(body_callbacks) / sizeof(body_callbacks[0]); i++) {
		uint32_t n;
		const char *s;

		if (!body_find(b, body_callbacks[i].field, &it) || !body_truthy(&it)) {
			/* body.callbackURL || query.callbackURL, checked in its turn */
			if (i == 0 && request_query_count(req, "callbackURL") > 1) /* an array */
				return body_refuse_callback(res, 0, true);
			if (i == 0 && !body_query_callback_ok(req))
				return body_refuse_callback(res, 0, false);
			continue;
		}
		if (!BSON_ITER_HOLDS_UTF8(&it))
			return body_refuse_callback(res, i, true);
		s = bson_iter_utf8(&it, &n);
		if (!origin_callback_ok(req, s, n))
			return body_refuse_callback(res, i, false);
	}
	return true;
}

static void
body_issue(bson_string_t *issues, const char *key, const char *fmt, const char *arg)
{
	if (issues->len)
		bson_string_append(issues, "; ");
	if (key)
		bson_string_append_printf(issues, "[body.%s] ", key);
	else
		bson_string_append(issues, "[body] ");
	bson_string_append_printf(issues, fmt, arg);
}

bool
body_expect_object(const struct body *b, bool with_record, bson_string_t *issues)
{
	const char *got;

	if (b->present && b->kind == JSON_OBJECT)
		return false;
	got = b->present ? body_kind_names[b->kind] : "undefined";
	body_issue(issues, NULL, "Invalid input: expected object, received %s", got);
	if (with_record)
		body_issue(issues, NULL, "Invalid input: expected record, received %s", got);
	return true;
}

void
body_expect(const struct body *b, const char *key, enum body_rule rule, bson_string_t *issues)
{
	bson_iter_t it;
	bool found = body_find(b, key, &it);
	bool want_bool = rule == BODY_BOOL_OPT;
	bool optional = rule == BODY_STRING_OPT || rule == BODY_BOOL_OPT;

	if (!found) {
		if (!optional)
			body_issue(issues, key, "Invalid input: expected string, received %s",
			           "undefined");
		return;
	}
	if (want_bool ? !BSON_ITER_HOLDS_BOOL(&it) : !BSON_ITER_HOLDS_UTF8(&it)) {
		body_issue(issues, key,
		           want_bool ? "Invalid input: expected boolean, received %s"
		                     : "Invalid input: expected string, received %s",
		           json_type_name(&it));
		return;
	}
	if (rule == BODY_EMAIL && !body_is_email(bson_iter_utf8(&it, NULL)))
		body_issue(issues, key, "Invalid email address%s", "");
	if (rule == BODY_STRING_NONEMPTY && *bson_iter_utf8(&it, NULL) == '\0')
		body_issue(issues, key, "Too small: expected string to have >=1 characters%s", "");
}

/* ^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@
 *  (?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$   — written out by hand. */
bool
body_is_email(const char *s)
{
	const char *at = strchr(s, '@'), *p, *label;

	if (!at || at == s || strchr(at + 1, '@'))
		return false;
	for (p = s; p < at; p++) {
		if (*p == '.') {
			if (p == s || p[-1] == '.')
				return false;
		} else if (!isalnum((unsigned char)*p) && !strchr("_'+-", *p)) {
			return false;
		}
	}
	if (at[-1] == '.' || at[-1] == '\'')
		return false;
	label = at + 1;
	for (;;) {
		const char *dot = strchr(label, '.');

		if (!dot) /* the top-level label: two or more letters */
			break;
		if (!isalnum((unsigned char)*label))
			return false;
		for (p = label + 1; p < dot; p++)
			if (!isalnum((unsigned char)*p) && *p != '-')
				return false;
		label = dot + 1;
	}
	if (label == at + 1 || strlen(label) < 2)
		return false;
	for (p = label; *p; p++)
		if (!isalpha((unsigned char)*p))
			return false;
	return true;
}

bson_string_t *
body_validate(const struct body *b, const struct body_field *schema, bool with_record)
{
	bson_string_t *issues = bson_string_new(NULL);

	if (!body_expect_object(b, with_record, issues))
		for (; schema->key; schema++) {
			size_t before = issues->len;
			const char *v;

			body_expect(b, schema->key, schema->rule, issues);
			if (issues->len == before && schema->max &&
			    (v = body_string(b, schema->key)) &&
			    password_utf16_len(v, strlen(v)) > schema->max) {
				char msg[80];

				snprintf(msg, sizeof(msg),
				         "Too big: expected string to have <=%ld characters",
				         schema->max);
				body_issue(issues, schema->key, "%s", msg);
			}
		}
	if (issues->len == 0) {
		bson_string_free(issues, true);
		issues = NULL;
	}
	return issues;
}

bson_string_t *
body_validate_record(const struct body *b)
{
	bson_string_t *issues = bson_string_new(NULL);

	if (!body_expect_record(b, issues)) {
		bson_string_free(issues, true);
		issues = NULL;
	}
	return issues;
}

bool
body_expect_record(const struct body *b, bson_string_t *issues)
{
	if (b->present && b->kind == JSON_OBJECT)
		return false;
	body_issue(issues, NULL, "Invalid input: expected record, received %s",
	           b->present ? body_kind_names[b->kind] : "undefined");
	return true;
}
