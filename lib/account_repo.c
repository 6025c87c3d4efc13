/*
 * account_repo.c — see account_repo.h.
 */
#include "account_repo.h"

enum db_status
account_repo_insert_credential(const bson_oid_t *user_id, const char *hash, int64_t now_ms)
{
	bson_t doc = BSON_INITIALIZER;
	bson_oid_t oid;
	char hex[25];
	enum db_status st;

	bson_oid_init(&oid, NULL);
	bson_oid_to_string(user_id, hex);
	BSON_APPEND_OID(&doc, "_id", &oid);
	BSON_APPEND_UTF8(&doc, "accountId", hex);
	BSON_APPEND_UTF8(&doc, "providerId", "credential");
	BSON_APPEND_OID(&doc, "userId", user_id);
	BSON_APPEND_UTF8(&doc, "password", hash);
	BSON_APPEND_DATE_TIME(&doc, "createdAt", now_ms);
	BSON_APPEND_DATE_TIME(&doc, "updatedAt", now_ms);
	st = db_insert(DB_ACCOUNT, &doc);
	bson_destroy(&doc);
	return st;
}

/* The user's credential account, as Better Auth picks it: providerId
 * "credential" and accountId the user's id as hex. */
static void
account_repo_credential_filter(const bson_oid_t *user_id, bson_t *filter)
{
	char hex[25];

	bson_oid_to_string(user_id, hex);
	BSON_APPEND_OID(filter, "userId", user_id);
	BSON_APPEND_UTF8(filter, "providerId", "credential");
	BSON_APPEND_UTF8(filter, "accountId", hex);
}

enum db_status
account_repo_find_credential(const bson_oid_t *user_id, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	account_repo_credential_filter(user_id, &filter);
	st = db_find_one(DB_ACCOUNT, &filter, out);
	bson_destroy(&filter);
	return st;
}

enum db_status
account_repo_find_any(const bson_oid_t *user_id, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_OID(&filter, "userId", user_id);
	st = db_find_one(DB_ACCOUNT, &filter, out);
	bson_destroy(&filter);
	return st;
}

enum db_status
account_repo_delete_credential(const bson_oid_t *user_id)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	account_repo_credential_filter(user_id, &filter);
	st = db_delete(DB_ACCOUNT, &filter, false);
	bson_destroy(&filter);
	return st;
}

enum db_status
account_repo_update_password(const bson_oid_t *account_id, const char *hash, int64_t now_ms)
{
	bson_t filter = BSON_INITIALIZER;
	bson_t *update;
	enum db_status st;

	BSON_APPEND_OID(&filter, "_id", account_id);
	update = BCON_NEW("$set", "{", "password", BCON_UTF8(hash), "updatedAt",
	                  BCON_DATE_TIME(now_ms), "}");
	st = db_update_one(DB_ACCOUNT, &filter, update);
	bson_destroy(update);
	bson_destroy(&filter);
	return st;
}

/* ---- the account program (list-accounts, unlink-account, delete-user) */

enum db_status
account_repo_find_by_user(const bson_oid_t *user_id, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER;
	bson_t **list = NULL;
	char buf[16];
	const char *key;
	size_t n = 0, i;
	enum db_status st;

	*out = NULL;
	BSON_APPEND_OID(&filter, "userId", user_id);
	st = db_find_many(DB_ACCOUNT, &filter, NULL, ACCOUNT_REPO_LIST_MAX, &list, &n);
	if (st == DB_OK) {
		*out = bson_new();
		for (i = 0; i < n; i++) {
			bson_uint32_to_string((uint32_t)i, &key, buf, sizeof(buf));
			BSON_APPEND_DOCUMENT(*out, key, list[i]);
		}
	}
	db_list_free(list, n);
	bson_destroy(&filter);
	return st;
}

enum db_status
account_repo_delete_by_id(const bson_oid_t *id)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_OID(&filter, "_id", id);
	st = db_delete(DB_ACCOUNT, &filter, false);
	bson_destroy(&filter);
	return st;
}

enum db_status
account_repo_delete_by_user(const bson_oid_t *user_id)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_OID(&filter, "userId", user_id);
	st = db_delete(DB_ACCOUNT, &filter, true);
	bson_destroy(&filter);
	return st == DB_NOT_FOUND ? DB_OK : st;
}

enum db_status
account_repo_set_password(const bson_oid_t *user_id, const char *hash, int64_t now_ms)
{
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set;
	enum db_status st;

	account_repo_credential_filter(user_id, &filter);
	BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
	BSON_APPEND_UTF8(&set, "password", hash);
	BSON_APPEND_DATE_TIME(&set, "updatedAt", now_ms);
	bson_append_document_end(&update, &set);
	st = db_update_one(DB_ACCOUNT, &filter, &update);
	bson_destroy(&update);
	bson_destroy(&filter);
	return st;
}
