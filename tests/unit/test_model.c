/*
 * test_model.c — model_write: the given key order whatever the document's,
 * absent fields left out, "id" from _id (hex) before a field "id", the first
 * of two fields of one name, dates and ObjectIds as Better Auth writes them;
 * a stored user and session in Better Auth's key orders (null kept, absent
 * left out, milliseconds), model_append_user, model_date/str/oid/lower.
 */
#include "model.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static void
check_write(const bson_t *doc, const char *const *keys, const char *want)
{
	bson_string_t *s = bson_string_new(NULL);

	model_write(s, doc, keys);
	CHECK_STR(s->str, want);
	bson_string_free(s, true);
}

int
main(void)
{
	static const char *const keys[] = {"name", "email", "createdAt", "id", NULL};
	static const char *const none[] = {NULL};
	bson_oid_t oid;
	bson_t *doc;

	bson_oid_init_from_string(&oid, "65a1b2c3d4e5f60718293a4b");

	/* Document order differs from the key order; extra fields are dropped. */
	doc = BCON_NEW("createdAt", BCON_DATE_TIME(1735689600000LL), "secret", "x", "_id",
	               BCON_OID(&oid), "email", "a@example.com", "name", "Ada");
	check_write(doc, keys,
	            "{\"name\":\"Ada\",\"email\":\"a@example.com\",\"createdAt\":\"2025-01-01T00:"
	            "00:00.000Z\","
	            "\"id\":\"65a1b2c3d4e5f60718293a4b\"}");
	check_write(doc, none, "{}");
	bson_destroy(doc);

	/* Absent fields are left out, no stray comma. */
	doc = BCON_NEW("email", "a@example.com");
	check_write(doc, keys, "{\"email\":\"a@example.com\"}");
	bson_destroy(doc);
	doc = bson_new();
	check_write(doc, keys, "{}");
	bson_destroy(doc);

	/* "id": _id wins over a field "id", wherever each stands; else "id". */
	doc = BCON_NEW("id", "plain", "name", "Ada", "_id", BCON_OID(&oid));
	check_write(doc, keys, "{\"name\":\"Ada\",\"id\":\"65a1b2c3d4e5f60718293a4b\"}");
	bson_destroy(doc);
	doc = BCON_NEW("id", "plain", "name", "Ada");
	check_write(doc, keys, "{\"name\":\"Ada\",\"id\":\"plain\"}");
	bson_destroy(doc);

	/* Two fields of one name: the first, as a lookup by name finds it. */
	doc = BCON_NEW("name", "first", "name", "second", "id", "a", "id", "b");
	check_write(doc, keys, "{\"name\":\"first\",\"id\":\"a\"}");
	bson_destroy(doc);

	/* Cookie-cache order and nested values. */
	doc = BCON_NEW("token", "t", "id", "s1", "expiresAt", "2025-01-01T00:00:00.000Z", "userId",
	               "u1");
	check_write(doc, model_session_cache_keys,
	            "{\"id\":\"s1\",\"userId\":\"u1\",\"expiresAt\":\"2025-01-01T00:00:00.000Z\","
	            "\"token\":\"t\"}");
	bson_destroy(doc);

	/* A stored user in Better Auth's order: null image kept, booleans, the
	 * milliseconds of a date, fields it does not know dropped. */
	doc = BCON_NEW("_id", BCON_OID(&oid), "email", "a@example.com", "password", "x",
	               "updatedAt", BCON_DATE_TIME(1735689600123LL), "createdAt", BCON_DATE_TIME(0),
	               "image", BCON_NULL, "emailVerified", BCON_BOOL(false), "name", "Ada \"A\"");
	check_write(
		doc, model_user_keys,
		"{\"name\":\"Ada \\\"A\\\"\",\"email\":\"a@example.com\",\"emailVerified\":false,"
		"\"image\":null,\"createdAt\":\"1970-01-01T00:00:00.000Z\","
		"\"updatedAt\":\"2025-01-01T00:00:00.123Z\",\"id\":\"65a1b2c3d4e5f60718293a4b\"}");
	{
		bson_string_t *s = bson_string_new("{\"token\":null");

		model_append_user(s, doc);
		CHECK_STR(s->str,
		          "{\"token\":null,\"user\":{\"name\":\"Ada \\\"A\\\"\","
		          "\"email\":\"a@example.com\",\"emailVerified\":false,\"image\":null,"
		          "\"createdAt\":\"1970-01-01T00:00:00.000Z\","
		          "\"updatedAt\":\"2025-01-01T00:00:00.123Z\","
		          "\"id\":\"65a1b2c3d4e5f60718293a4b\"}}");
		bson_string_free(s, true);
	}
	CHECK(model_date(doc, "updatedAt", -1) == 1735689600123LL, "date field");
	CHECK(model_date(doc, "name", -1) == -1 && model_date(doc, "nope", -2) == -2, "not a date");
	CHECK(model_str(doc, "email") && !model_str(doc, "image") && !model_str(doc, "nope"),
	      "model_str: UTF-8 only");
	bson_destroy(doc);

	/* A stored session: ObjectIds as hex, every key in order. */
	doc = BCON_NEW("_id", BCON_OID(&oid), "userId", BCON_OID(&oid), "token", "tok", "expiresAt",
	               BCON_DATE_TIME(1735776000000LL), "ipAddress", "", "userAgent", "ua",
	               "createdAt", BCON_DATE_TIME(1735689600000LL), "updatedAt",
	               BCON_DATE_TIME(1735689600000LL));
	check_write(
		doc, model_session_keys,
		"{\"expiresAt\":\"2025-01-02T00:00:00.000Z\",\"token\":\"tok\","
		"\"createdAt\":\"2025-01-01T00:00:00.000Z\",\"updatedAt\":\"2025-01-01T00:00:00."
		"000Z\","
		"\"ipAddress\":\"\",\"userAgent\":\"ua\",\"userId\":\"65a1b2c3d4e5f60718293a4b\","
		"\"id\":\"65a1b2c3d4e5f60718293a4b\"}");
	{
		bson_oid_t got;

		CHECK(model_oid(doc, "userId", &got) && bson_oid_equal(&got, &oid), "model_oid");
		CHECK(!model_oid(doc, "token", &got), "model_oid: not an ObjectId");
	}
	bson_destroy(doc);

	/* A cached date is an ISO string. */
	doc = BCON_NEW("expiresAt", "2025-01-01T00:00:00.250Z");
	CHECK(model_date(doc, "expiresAt", -1) == 1735689600250LL, "ISO date: %lld",
	      (long long)model_date(doc, "expiresAt", -1));
	bson_destroy(doc);
	{
		char *l = model_lower("Ann@Example.COM");

		CHECK_STR(l, "ann@example.com");
		free(l);
	}

	UNIT_END();
}
