/*
 * test_body.c — zod's email regex (spec §4.3), zod's issue texts for the
 * body fields and for a non-object body (spec §4.2), body reading (415, 400,
 * form, no Content-Type) and the callback-URL fields step (spec §1 step 5).
 */
#include "body.h"
#include "config.h"
#include "request.h"
#include "response.h"
#include "unit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static char trusted[] = "http://127.0.0.1:3000";
static struct config cfg;

static void
body_object(struct body *b)
{
	bson_init(&b->doc);
	b->present = true;
	b->kind = JSON_OBJECT;
}

/* The issues body_expect adds for one member of b. */
static void
check_expect(const struct body *b, const char *key, enum body_rule rule, const char *want)
{
	bson_string_t *s = bson_string_new(NULL);

	body_expect(b, key, rule, s);
	CHECK(!strcmp(s->str, want), "expect(%s, rule %d) = \"%s\", want \"%s\"", key, (int)rule,
	      s->str, want);
	bson_string_free(s, true);
}

static void
check_expect_object(bool present, enum json_kind kind, bool with_record, bool want_added,
                    const char *want)
{
	struct body b;
	bson_string_t *s = bson_string_new(NULL);
	bool added;

	bson_init(&b.doc);
	b.present = present;
	b.kind = kind;
	added = body_expect_object(&b, with_record, s);
	CHECK(added == want_added && !strcmp(s->str, want),
	      "expect_object(present=%d kind=%d record=%d) = %d \"%s\", want \"%s\"", present,
	      (int)kind, with_record, added, s->str, want);
	bson_string_free(s, true);
	bson_destroy(&b.doc);
}

static struct request
req_body(const char *ct, const char *body)
{
	struct request r;

	memset(&r, 0, sizeof(r));
	r.cfg = &cfg;
	r.method = "POST";
	r.content_type = ct;
	r.body = (char *)body;
	r.body_len = body ? strlen(body) : 0;
	r.has_body = body != NULL;
	return r;
}

/* body_read; want_status 0 means accepted. */
static void
check_read(const char *ct, const char *body, bool allow_form, int want_status,
           const char *want_body, bool want_present, int want_kind)
{
	struct request r = req_body(ct, body);
	struct response res;
	struct body b;
	bool ok;

	response_init(&res);
	ok = body_read(&r, &res, allow_form, &b);
	if (!want_status) {
		CHECK(ok && !res.body, "read(%s, %s) accepted", ct ? ct : "NULL",
		      body ? body : "NULL");
		CHECK(b.present == want_present && (!want_present || (int)b.kind == want_kind),
		      "read(%s, %s): present %d kind %d", ct ? ct : "NULL", body ? body : "NULL",
		      b.present, (int)b.kind);
	} else {
		CHECK(!ok && res.status == want_status && res.body &&
		              !strcmp(res.body->str, want_body),
		      "read(%s, %s): %d %s, want %d %s", ct ? ct : "NULL", body ? body : "NULL",
		      res.status, res.body ? res.body->str : "(none)", want_status, want_body);
	}
	body_cleanup(&b);
	response_cleanup(&res);
}

/* body_check_callbacks; want_status 0 means accepted. */
static void
check_callbacks(const struct body *b, const char *query, int want_status, const char *want_body)
{
	struct request r = req_body("application/json", "{}");
	struct response res;
	bool ok;

	r.query = query;
	response_init(&res);
	ok = body_check_callbacks(&r, &res, b);
	if (!want_status)
		CHECK(ok && !res.body, "callbacks (query %s) accepted; got %d %s",
		      query ? query : "-", res.status, res.body ? res.body->str : "");
	else
		CHECK(!ok && res.status == want_status && res.body &&
		              !strcmp(res.body->str, want_body),
		      "callbacks (query %s): %d %s, want %d %s", query ? query : "-", res.status,
		      res.body ? res.body->str : "(none)", want_status, want_body);
	response_cleanup(&res);
}

int
main(void)
{
	static const struct {
		const char *s;
		bool ok;
	} emails[] = {
		{"a@b.co", true},
		{"user+tag@ex.com", true},
		{"o'neil@ex.com", true},
		{"a@b-.co", true},
		{"a@xn--bcher-kva.ch", true},
		{"A@B.CO", true},
		{"a.b.c@d.e.fg", true},
		{"a-b_c@d-e.fg", true},
		{"_@b.co", true},
		{"+@b.co", true},
		{"-@b.co", true},
		{"'a@b.co", true},
		{"a.'b@ex.com", true},
		{"1@2.co", true},
		{"a@b.c.d.ee", true},
		{"a@b.com", true},
		{"a..b@c.io", false},
		{".a@b.co", false},
		{"a.@b.co", false},
		{"a'@ex.com", false},
		{"'@ex.com", false},
		{"a@b.c", false},
		{"a@-b.co", false},
		{"\xc3\xbc@b.co", false},
		{"a@b\xc3\xbc.co", false},
		{"a_b@c.d1", false},
		{"a@b.c1", false},
		{"a@localhost", false},
		{"a b@c.co", false},
		{" a@b.co", false},
		{"a@b.co ", false},
		{"a@b.co\n", false},
		{"@b.co", false},
		{"a@", false},
		{"a@@b.co", false},
		{"a@b@c.co", false},
		{"a@b..co", false},
		{"a@.b.co", false},
		{"a@b.co.", false},
		{"a@_b.co", false},
		{"a@b_c.co", false},
		{"a@b.-co", false},
		{"\"a\"@b.co", false},
		{"a(b)@c.co", false},
		{"a@[127.0.0.1]", false},
		{"a@1.2.3.4", false},
		{"", false},
		{"@", false},
		{"a", false},
	};
	struct body b;
	size_t i;

	cfg.origins[0] = trusted;
	cfg.n_origins = 1;

	for (i = 0; i < sizeof(emails) / sizeof(emails[0]); i++)
		CHECK(body_is_email(emails[i].s) == emails[i].ok, "is_email(%s) want %d",
		      emails[i].s, emails[i].ok);

	/* zod messages, member by member. */
	body_object(&b);
	BSON_APPEND_UTF8(&b.doc, "email", "alice@example.com");
	BSON_APPEND_UTF8(&b.doc, "bad", "not-an-email");
	BSON_APPEND_UTF8(&b.doc, "password", "");
	BSON_APPEND_UTF8(&b.doc, "pw", "x");
	BSON_APPEND_UTF8(&b.doc, "str", "x");
	BSON_APPEND_DOUBLE(&b.doc, "num", 5);
	BSON_APPEND_INT32(&b.doc, "int", 5);
	BSON_APPEND_BOOL(&b.doc, "bool", true);
	BSON_APPEND_NULL(&b.doc, "nul");
	{
		bson_t child;

		BSON_APPEND_DOCUMENT_BEGIN(&b.doc, "obj", &child);
		BSON_APPEND_UTF8(&child, "$gt", "");
		bson_append_document_end(&b.doc, &child);
		BSON_APPEND_ARRAY_BEGIN(&b.doc, "arr", &child);
		BSON_APPEND_UTF8(&child, "0", "x");
		bson_append_array_end(&b.doc, &child);
	}
	check_expect(&b, "email", BODY_EMAIL, "");
	check_expect(&b, "str", BODY_STRING, "");
	check_expect(&b, "str", BODY_STRING_OPT, "");
	check_expect(&b, "pw", BODY_STRING_NONEMPTY, "");
	check_expect(&b, "password", BODY_STRING, "");
	check_expect(&b, "bool", BODY_BOOL_OPT, "");
	check_expect(&b, "missing", BODY_STRING_OPT, "");
	check_expect(&b, "missing", BODY_BOOL_OPT, "");
	check_expect(&b, "name", BODY_STRING,
	             "[body.name] Invalid input: expected string, received undefined");
	check_expect(&b, "name", BODY_EMAIL,
	             "[body.name] Invalid input: expected string, received undefined");
	check_expect(&b, "name", BODY_STRING_NONEMPTY,
	             "[body.name] Invalid input: expected string, received undefined");
	check_expect(&b, "obj", BODY_EMAIL,
	             "[body.obj] Invalid input: expected string, received object");
	check_expect(&b, "num", BODY_STRING,
	             "[body.num] Invalid input: expected string, received number");
	check_expect(&b, "int", BODY_STRING,
	             "[body.int] Invalid input: expected string, received number");
	check_expect(&b, "nul", BODY_STRING,
	             "[body.nul] Invalid input: expected string, received null");
	check_expect(&b, "arr", BODY_STRING,
	             "[body.arr] Invalid input: expected string, received array");
	check_expect(&b, "bool", BODY_STRING_OPT,
	             "[body.bool] Invalid input: expected string, received boolean");
	check_expect(&b, "nul", BODY_STRING_OPT,
	             "[body.nul] Invalid input: expected string, received null");
	check_expect(&b, "bad", BODY_EMAIL, "[body.bad] Invalid email address");
	check_expect(&b, "password", BODY_STRING_NONEMPTY,
	             "[body.password] Too small: expected string to have >=1 characters");
	check_expect(&b, "str", BODY_BOOL_OPT,
	             "[body.str] Invalid input: expected boolean, received string");
	check_expect(&b, "num", BODY_BOOL_OPT,
	             "[body.num] Invalid input: expected boolean, received number");
	check_expect(&b, "nul", BODY_BOOL_OPT,
	             "[body.nul] Invalid input: expected boolean, received null");
	check_expect(&b, "obj", BODY_BOOL_OPT,
	             "[body.obj] Invalid input: expected boolean, received object");
	{
		/* Issues are joined with "; " in the order they are checked. */
		bson_string_t *s = bson_string_new(NULL);

		body_expect(&b, "name", BODY_STRING, s);
		body_expect(&b, "email", BODY_EMAIL, s);
		body_expect(&b, "obj", BODY_EMAIL, s);
		body_expect(&b, "password", BODY_STRING_NONEMPTY, s);
		body_expect(&b, "str", BODY_BOOL_OPT, s);
		CHECK_STR(s->str,
		          "[body.name] Invalid input: expected string, received undefined; "
		          "[body.obj] Invalid input: expected string, received object; "
		          "[body.password] Too small: expected string to have >=1 characters; "
		          "[body.str] Invalid input: expected boolean, received string");
		bson_string_free(s, true);
	}
	/* body_string / body_bool */
	CHECK_STR(body_string(&b, "email"), "alice@example.com");
	CHECK(!body_string(&b, "num") && !body_string(&b, "missing") && !body_string(&b, "obj"),
	      "body_string of non-strings");
	CHECK(body_bool(&b, "bool", false) == true, "body_bool true");
	CHECK(body_bool(&b, "missing", true) == true && body_bool(&b, "missing", false) == false,
	      "body_bool default");
	CHECK(body_bool(&b, "str", true) == true, "body_bool of a string gives the default");
	body_cleanup(&b);

	/* Members of a body that is not an object are all "undefined". */
	bson_init(&b.doc);
	b.present = false;
	b.kind = JSON_NULL;
	check_expect(&b, "email", BODY_EMAIL,
	             "[body.email] Invalid input: expected string, received undefined");
	CHECK(!body_string(&b, "email"), "no strings in an absent body");
	body_cleanup(&b);

	/* The whole body. */
	check_expect_object(true, JSON_OBJECT, true, false, "");
	check_expect_object(true, JSON_OBJECT, false, false, "");
	check_expect_object(false, JSON_NULL, true, true,
	                    "[body] Invalid input: expected object, received undefined; "
	                    "[body] Invalid input: expected record, received undefined");
	check_expect_object(false, JSON_NULL, false, true,
	                    "[body] Invalid input: expected object, received undefined");
	check_expect_object(true, JSON_NULL, false, true,
	                    "[body] Invalid input: expected object, received null");
	check_expect_object(true, JSON_NULL, true, true,
	                    "[body] Invalid input: expected object, received null; "
	                    "[body] Invalid input: expected record, received null");
	check_expect_object(true, JSON_ARRAY, true, true,
	                    "[body] Invalid input: expected object, received array; "
	                    "[body] Invalid input: expected record, received array");
	check_expect_object(true, JSON_STRING, true, true,
	                    "[body] Invalid input: expected object, received string; "
	                    "[body] Invalid input: expected record, received string");
	check_expect_object(true, JSON_NUMBER, false, true,
	                    "[body] Invalid input: expected object, received number");
	check_expect_object(true, JSON_BOOL, false, true,
	                    "[body] Invalid input: expected object, received boolean");
	{
		/* Appended after earlier issues with "; ". */
		struct body nb;
		bson_string_t *s = bson_string_new("[x] y");

		bson_init(&nb.doc);
		nb.present = true;
		nb.kind = JSON_ARRAY;
		CHECK(body_expect_object(&nb, false, s), "appends");
		CHECK_STR(s->str, "[x] y; [body] Invalid input: expected object, received array");
		bson_string_free(s, true);
		bson_destroy(&nb.doc);
	}

	/* body_read */
	check_read("application/json", "{\"a\":1}", false, 0, NULL, true, JSON_OBJECT);
	check_read("APPLICATION/JSON", "{}", false, 0, NULL, true, JSON_OBJECT);
	check_read("application/json; charset=utf-8", "{}", false, 0, NULL, true, JSON_OBJECT);
	check_read(" application/json ;x", "{}", false, 0, NULL, true, JSON_OBJECT);
	check_read("application/json", "[1]", false, 0, NULL, true, JSON_ARRAY);
	check_read("application/json", "null", false, 0, NULL, true, JSON_NULL);
	check_read("application/json", "\"s\"", false, 0, NULL, true, JSON_STRING);
	check_read(NULL, "{\"a\":1}", true, 0, NULL, false, 0); /* no Content-Type: undefined */
	check_read("application/json", NULL, false, 0, NULL, false, 0); /* no body */
	check_read("text/plain", NULL, false, 0, NULL, false, 0);       /* no body: no 415 */
	check_read("application/x-www-form-urlencoded", "email=a%40b.co&password=x", true, 0, NULL,
	           true, JSON_OBJECT);
	check_read("application/json", "{\"a\":}", false, 400,
	           "{\"message\":\"Invalid JSON in request body\",\"code\":\"BAD_REQUEST\"}", false,
	           0);
	check_read("application/json", "{\"a\":1,\"a\":2}", false, 400,
	           "{\"message\":\"Invalid JSON in request body\",\"code\":\"BAD_REQUEST\"}", false,
	           0);
	check_read("text/plain", "{}", false, 415,
	           "{\"message\":\"Content-Type \\\"text/plain\\\" is not allowed. Allowed types: "
	           "application/json\",\"code\":\"UNSUPPORTED_MEDIA_TYPE\"}",
	           false, 0);
	check_read(
		"Text/Plain; charset=\"x\"", "{}", true, 415,
		"{\"message\":\"Content-Type \\\"Text/Plain; charset=\\\"x\\\"\\\" is not allowed. "
		"Allowed types: application/x-www-form-urlencoded, application/json\","
		"\"code\":\"UNSUPPORTED_MEDIA_TYPE\"}",
		false, 0);
	check_read(
		"application/x-www-form-urlencoded", "a=1", false, 415,
		"{\"message\":\"Content-Type \\\"application/x-www-form-urlencoded\\\" is not "
		"allowed. Allowed types: application/json\",\"code\":\"UNSUPPORTED_MEDIA_TYPE\"}",
		false, 0);
	check_read("application/jsonx", "{}", false, 415,
	           "{\"message\":\"Content-Type \\\"application/jsonx\\\" is not allowed. Allowed "
	           "types: application/json\",\"code\":\"UNSUPPORTED_MEDIA_TYPE\"}",
	           false, 0);
	{
		/* The form's members are strings. */
		struct request r = req_body("application/x-www-form-urlencoded",
		                            "email=a%40b.co&rememberMe=false");
		struct response res;

		response_init(&res);
		CHECK(body_read(&r, &res, true, &b), "form read");
		CHECK_STR(body_string(&b, "email"), "a@b.co");
		check_expect(&b, "rememberMe", BODY_BOOL_OPT,
		             "[body.rememberMe] Invalid input: expected boolean, received string");
		body_cleanup(&b);
		response_cleanup(&res);
	}
	{
		struct request r = req_body("application/json", "{}");
		struct response res;

		r.body_too_large = true;
		response_init(&res);
		CHECK(!body_read(&r, &res, false, &b) && res.status == 413, "413 when too large");
		body_cleanup(&b);
		response_cleanup(&res);
	}

	/* body_check_callbacks */
	body_object(&b);
	check_callbacks(&b, NULL, 0, NULL);
	check_callbacks(&b, "callbackURL=%2Fdashboard", 0, NULL);
	check_callbacks(&b, "callbackURL=http%3A%2F%2F127.0.0.1%3A3000%2Fx", 0, NULL);
	check_callbacks(&b, "callbackURL=", 0, NULL);
	check_callbacks(&b, "x=1&callbackURL=https%3A%2F%2Fevil.example", 403,
	                "{\"message\":\"Invalid callbackURL\",\"code\":\"INVALID_CALLBACK_URL\"}");
	check_callbacks(&b, "callbackURL=//evil.example", 403,
	                "{\"message\":\"Invalid callbackURL\",\"code\":\"INVALID_CALLBACK_URL\"}");
	check_callbacks(&b, "callbackURL=%2F%2Fevil.example", 403,
	                "{\"message\":\"Invalid callbackURL\",\"code\":\"INVALID_CALLBACK_URL\"}");
	check_callbacks(&b, "callbackURL=/a%0d%0aX:y", 403,
	                "{\"message\":\"Invalid callbackURL\",\"code\":\"INVALID_CALLBACK_URL\"}");
	check_callbacks(&b, "callbackURL=/a%252Fb", 403, /* decodes once to /a%2Fb */
	                "{\"message\":\"Invalid callbackURL\",\"code\":\"INVALID_CALLBACK_URL\"}");
	check_callbacks(&b, "callbackURL=/% 2Fevil.example", 0, NULL); /* not an escape */
	body_cleanup(&b);

	body_object(&b);
	BSON_APPEND_UTF8(&b.doc, "callbackURL", "/dashboard");
	BSON_APPEND_UTF8(&b.doc, "redirectTo", "http://127.0.0.1:3000/x");
	check_callbacks(&b, NULL, 0, NULL);
	/* body.callbackURL || query.callbackURL: a truthy body value hides the query's */
	check_callbacks(&b, "callbackURL=https%3A%2F%2Fevil.example", 0, NULL);
	body_cleanup(&b);

	body_object(&b);
	BSON_APPEND_UTF8(&b.doc, "callbackURL", "");
	check_callbacks(&b, "callbackURL=https%3A%2F%2Fevil.example", 403,
	                "{\"message\":\"Invalid callbackURL\",\"code\":\"INVALID_CALLBACK_URL\"}");
	body_cleanup(&b);

	body_object(&b);
	BSON_APPEND_UTF8(&b.doc, "callbackURL", "https://evil.example/x");
	check_callbacks(&b, NULL, 403,
	                "{\"message\":\"Invalid callbackURL\",\"code\":\"INVALID_CALLBACK_URL\"}");
	body_cleanup(&b);

	body_object(&b);
	BSON_APPEND_UTF8(&b.doc, "redirectTo", "//evil.example");
	check_callbacks(&b, NULL, 403,
	                "{\"message\":\"Invalid redirectURL\",\"code\":\"INVALID_REDIRECT_URL\"}");
	/* the query's callbackURL is checked first, in callbackURL's turn */
	check_callbacks(&b, "callbackURL=https%3A%2F%2Fevil.example", 403,
	                "{\"message\":\"Invalid callbackURL\",\"code\":\"INVALID_CALLBACK_URL\"}");
	body_cleanup(&b);

	body_object(&b);
	BSON_APPEND_UTF8(&b.doc, "errorCallbackURL", "https://evil.example");
	check_callbacks(&b, NULL, 403,
	                "{\"message\":\"Invalid "
	                "errorCallbackURL\",\"code\":\"INVALID_ERROR_CALLBACK_URL\"}");
	body_cleanup(&b);

	body_object(&b);
	BSON_APPEND_UTF8(&b.doc, "newUserCallbackURL", "/a\\b");
	check_callbacks(&b, NULL, 403,
	                "{\"message\":\"Invalid newUserCallbackURL\",\"code\":"
	                "\"INVALID_NEW_USER_CALLBACK_URL\"}");
	body_cleanup(&b);

	/* truthy non-strings: 400 without a code; falsy ones are left to zod */
	body_object(&b);
	BSON_APPEND_BOOL(&b.doc, "callbackURL", true);
	check_callbacks(&b, NULL, 400, "{\"message\":\"Invalid callbackURL: expected a string\"}");
	body_cleanup(&b);
	body_object(&b);
	BSON_APPEND_DOUBLE(&b.doc, "redirectTo", 1);
	check_callbacks(&b, NULL, 400, "{\"message\":\"Invalid redirectURL: expected a string\"}");
	body_cleanup(&b);
	body_object(&b);
	{
		bson_t child;

		BSON_APPEND_DOCUMENT_BEGIN(&b.doc, "callbackURL", &child);
		bson_append_document_end(&b.doc, &child);
	}
	check_callbacks(&b, NULL, 400, "{\"message\":\"Invalid callbackURL: expected a string\"}");
	body_cleanup(&b);
	body_object(&b);
	BSON_APPEND_BOOL(&b.doc, "callbackURL", false);
	BSON_APPEND_DOUBLE(&b.doc, "redirectTo", 0);
	BSON_APPEND_NULL(&b.doc, "errorCallbackURL");
	BSON_APPEND_UTF8(&b.doc, "newUserCallbackURL", "");
	check_callbacks(&b, NULL, 0, NULL);
	body_cleanup(&b);

	/* body_validate: zod's order, and our length limits (UTF-16 units) */
	{
		static const struct body_field schema[] = {
			{"name", BODY_STRING, 5},
			{"email", BODY_EMAIL, 12},
			{"rememberMe", BODY_BOOL_OPT, 0},
			{NULL, BODY_STRING, 0},
		};
		struct body vb;
		bson_string_t *issues;

		body_object(&vb);
		BSON_APPEND_UTF8(&vb.doc, "name", "12345");
		BSON_APPEND_UTF8(&vb.doc, "email", "abc@ex.co");
		issues = body_validate(&vb, schema, false);
		CHECK(issues == NULL, "at the limits: no issue, got %s", issues ? issues->str : "");
		if (issues)
			bson_string_free(issues, true);
		bson_reinit(&vb.doc);
		BSON_APPEND_UTF8(&vb.doc, "name", "12345\xf0\x9f\x98\x80"); /* 7 UTF-16 units */
		BSON_APPEND_UTF8(&vb.doc, "email", "abcdefgh@ex.co");
		BSON_APPEND_UTF8(&vb.doc, "rememberMe", "yes");
		issues = body_validate(&vb, schema, false);
		CHECK_STR(issues ? issues->str : NULL,
		          "[body.name] Too big: expected string to have <=5 characters; "
		          "[body.email] Too big: expected string to have <=12 characters; "
		          "[body.rememberMe] Invalid input: expected boolean, received string");
		if (issues)
			bson_string_free(issues, true);
		bson_reinit(&vb.doc);
		BSON_APPEND_UTF8(&vb.doc, "name", "123456");
		BSON_APPEND_UTF8(&vb.doc, "email", "not-an-email-and-long");
		issues = body_validate(&vb, schema, false);
		/* a field that already failed its rule gets no length issue too */
		CHECK_STR(issues ? issues->str : NULL,
		          "[body.name] Too big: expected string to have <=5 characters; "
		          "[body.email] Invalid email address");
		if (issues)
			bson_string_free(issues, true);
		body_cleanup(&vb);
	}

	UNIT_END();
}
