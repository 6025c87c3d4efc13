/*
 * account.c — see account.h.
 */
#include "account.h"

#include "account_repo.h"
#include "hooks.h"
#include "json_write.h"
#include "model.h"
#include "user_repo.h"

#include <string.h>

/* list-accounts: the account output fields in Better Auth's schema order,
 * without password, tokens, their expiries and scope. */
static const char *const account_list_keys[] = {"accountId", "providerId", "userId", "createdAt",
                                                "updatedAt", "id",         NULL};

const struct body_field account_unlink_schema[] = {
	{"accountId", BODY_STRING, 0},
	{NULL, BODY_STRING, 0},
};

bool
account_user_oid(const bson_t *user, bson_oid_t *out)
{
	return model_oid(user, "_id", out) || model_oid(user, "id", out);
}

/* JavaScript truthiness of a JSON value. */
static bool
account_truthy(const bson_iter_t *it)
{
	switch (bson_iter_type(it)) {
	case BSON_TYPE_NULL:
	case BSON_TYPE_UNDEFINED: return false;
	case BSON_TYPE_BOOL: return bson_iter_bool(it);
	case BSON_TYPE_UTF8: {
		uint32_t n;

		bson_iter_utf8(it, &n);
		return n > 0;
	}
	case BSON_TYPE_INT32:
	case BSON_TYPE_INT64:
	case BSON_TYPE_DOUBLE: {
		double v = bson_iter_as_double(it);

		return v == v && v != 0; /* NaN and ±0 are falsy */
	}
	default: return true; /* objects and arrays */
	}
}

/* ---------------------------------------------------------------- update-user */

bool
account_update_validate(struct call *c)
{
	bson_string_t *issues = bson_string_new(NULL);
	bool ok = !body_expect_record(&c->body, issues);

	if (!ok)
		response_error_message(c->res, 400, issues->str, "VALIDATION_ERROR");
	bson_string_free(issues, true);
	return ok;
}

enum response_error
account_update_user(struct call *c)
{
	static const char *const fields[] = {"name", "image", NULL};
	const char *const *f;
	bson_t set = BSON_INITIALIZER;
	bson_t *updated = NULL, *merged = NULL;
	bson_iter_t it;
	bson_oid_t uid;
	enum response_error err = ERR_OK;
	enum db_status st;

	if (bson_iter_init_find(&it, &c->body.doc, "email") && account_truthy(&it)) {
		err = ERR_EMAIL_CAN_NOT_BE_UPDATED;
		goto done;
	}
	/* name and image as given, any type (null included); the rest dropped. */
	for (f = fields; *f; f++)
		if (bson_iter_init_find(&it, &c->body.doc, *f))
			bson_append_iter(&set, *f, -1, &it);
	if (bson_empty(&set)) {
		err = ERR_NO_FIELDS_TO_UPDATE;
		goto done;
	}
	if (!account_user_oid(c->session.user, &uid)) {
		err = ERR_INTERNAL;
		goto done;
	}
	st = user_repo_update(&uid, &set, c->req->now_ms, &updated);
	if (st == DB_NOT_FOUND) {
		/* Gone under us: Better Auth answers with the session's user and
		 * the fields given, as it does. */
		merged = bson_new();
		bson_copy_to_excluding_noinit(c->session.user, merged, "name", "image", NULL);
		bson_concat(merged, &set);
	} else if (st != DB_OK) {
		err = app_db_error(st);
		goto done;
	} else if (bson_has_field(&set, "name")) {
		hooks_user_updated(updated, c->req->now_ms);
	}
	session_cookie_reset(c->req, c->res, c->session.token, c->session.session,
	                     updated ? updated : merged);
	response_json(c->res, 200, bson_string_new("{\"status\":true}"));
done:
	bson_destroy(&set);
	bson_destroy(updated);
	bson_destroy(merged);
	return err;
}

/* ---------------------------------------------------------------- accounts */

/* Appends "scopes": the stored scope split on ',', trimmed, empties dropped. */
static void
account_write_scopes(bson_string_t *out, const char *scope)
{
	bool first = true;

	bson_string_append(out, ",\"scopes\":[");
	while (scope && *scope) {
		const char *comma = strchr(scope, ',');
		const char *end = comma ? comma : scope + strlen(scope), *s = scope;

		while (s < end && strchr(" \t\n\r\f\v", *s))
			s++;
		while (end > s && strchr(" \t\n\r\f\v", end[-1]))
			end--;
		if (end > s) {
			if (!first)
				bson_string_append_c(out, ',');
			json_write_string(out, s, (size_t)(end - s));
			first = false;
		}
		scope = comma ? comma + 1 : NULL;
	}
	bson_string_append_c(out, ']');
}

/* The user's account rows (see account_repo_find_by_user). */
static enum db_status
account_rows(const struct call *c, bson_t **rows)
{
	bson_oid_t uid;

	*rows = NULL;
	if (!account_user_oid(c->session.user, &uid))
		return DB_FAILED;
	return account_repo_find_by_user(&uid, rows);
}

enum response_error
account_list(struct call *c)
{
	bson_t *rows;
	bson_iter_t it;
	bson_t row;
	bson_string_t *out;
	enum db_status st = account_rows(c, &rows);

	if (st != DB_OK)
		return app_db_error(st);
	out = bson_string_new("[");
	bson_iter_init(&it, rows);
	while (bson_iter_next(&it)) {
		uint32_t n;
		const uint8_t *data;

		bson_iter_document(&it, &n, &data);
		if (!bson_init_static(&row, data, n))
			continue;
		if (out->len > 1)
			bson_string_append_c(out, ',');
		model_write(out, &row, account_list_keys);
		bson_string_truncate(out, out->len - 1); /* reopen the object */
		account_write_scopes(out, model_str(&row, "scope"));
		bson_string_append_c(out, '}');
	}
	bson_string_append_c(out, ']');
	response_json(c->res, 200, out);
	bson_destroy(rows);
	return ERR_OK;
}

enum response_error
account_unlink(struct call *c)
{
	const char *id = body_string(&c->body, "accountId");
	bson_t *rows = NULL;
	bson_iter_t it;
	bson_oid_t target;
	bool found = false;
	enum response_error err = ERR_OK;
	enum db_status st = account_rows(c, &rows);

	if (st != DB_OK) {
		err = app_db_error(st);
		goto done;
	}
	/* The last account rule comes first: any id gets it. */
	if (bson_count_keys(rows) == 1) {
		err = ERR_FAILED_TO_UNLINK_LAST_ACCOUNT;
		goto done;
	}
	bson_iter_init(&it, rows);
	while (!found && bson_iter_next(&it)) {
		uint32_t n;
		const uint8_t *data;
		bson_t row;
		char hex[25];

		bson_iter_document(&it, &n, &data);
		if (bson_init_static(&row, data, n) && model_oid(&row, "_id", &target)) {
			bson_oid_to_string(&target, hex);
			found = !strcmp(hex, id);
		}
	}
	if (!found) {
		err = ERR_ACCOUNT_NOT_FOUND;
		goto done;
	}
	st = account_repo_delete_by_id(&target);
	if (st != DB_OK && st != DB_NOT_FOUND) { /* NOT_FOUND: a concurrent unlink won */
		err = app_db_error(st);
		goto done;
	}
	response_json(c->res, 200, bson_string_new("{\"status\":true}"));
done:
	bson_destroy(rows);
	return err;
}
