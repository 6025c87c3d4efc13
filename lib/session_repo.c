/*
 * session_repo.c — see session_repo.h.
 */
#include "session_repo.h"

enum db_status
session_repo_insert(const char *token, const bson_oid_t *user_id, int64_t expires_at_ms,
                    int64_t now_ms, const char *ip, const char *user_agent, bson_t **out)
{
	bson_t *doc = bson_new();
	bson_oid_t oid;

	bson_oid_init(&oid, NULL);
	BSON_APPEND_OID(doc, "_id", &oid);
	BSON_APPEND_DATE_TIME(doc, "expiresAt", expires_at_ms);
	BSON_APPEND_UTF8(doc, "token", token);
	BSON_APPEND_DATE_TIME(doc, "createdAt", now_ms);
	BSON_APPEND_DATE_TIME(doc, "updatedAt", now_ms);
	BSON_APPEND_UTF8(doc, "ipAddress", ip ? ip : "");
	BSON_APPEND_UTF8(doc, "userAgent", user_agent ? user_agent : "");
	BSON_APPEND_OID(doc, "userId", user_id);
	return db_insert_new(DB_SESSION, doc, out);
}

enum db_status
session_repo_find_by_token(const char *token, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_UTF8(&filter, "token", token);
	st = db_find_one(DB_SESSION, &filter, out);
	bson_destroy(&filter);
	return st;
}

enum db_status
session_repo_update_expiry(const char *token, int64_t expires_at_ms, int64_t now_ms)
{
	bson_t filter = BSON_INITIALIZER;
	bson_t *update;
	enum db_status st;

	BSON_APPEND_UTF8(&filter, "token", token);
	update = BCON_NEW("$set", "{", "expiresAt", BCON_DATE_TIME(expires_at_ms), "updatedAt",
	                  BCON_DATE_TIME(now_ms), "}");
	st = db_update_one(DB_SESSION, &filter, update);
	bson_destroy(update);
	bson_destroy(&filter);
	return st;
}

enum db_status
session_repo_delete_by_token(const char *token)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_UTF8(&filter, "token", token);
	st = db_delete(DB_SESSION, &filter, false);
	bson_destroy(&filter);
	return st;
}

/* ---------------------------------------------------------------- per user */

enum db_status
session_repo_find_live_by_user(const bson_oid_t *user_id, int64_t now_ms, size_t limit,
                               bson_t ***out, size_t *n)
{
	bson_t *filter = BCON_NEW("userId", BCON_OID(user_id), "expiresAt", "{", "$gt",
	                          BCON_DATE_TIME(now_ms), "}");
	enum db_status st = db_find_many(DB_SESSION, filter, NULL, limit, out, n);

	bson_destroy(filter);
	return st;
}

void
session_repo_list_free(bson_t **list, size_t n)
{
	db_list_free(list, n);
}

enum db_status
session_repo_delete_by_user(const bson_oid_t *user_id)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_OID(&filter, "userId", user_id);
	st = db_delete(DB_SESSION, &filter, true);
	bson_destroy(&filter);
	return st == DB_NOT_FOUND ? DB_OK : st;
}

enum db_status
session_repo_delete_by_token_and_user(const char *token, const bson_oid_t *user_id)
{
	bson_t filter = BSON_INITIALIZER;
	enum db_status st;

	BSON_APPEND_UTF8(&filter, "token", token);
	BSON_APPEND_OID(&filter, "userId", user_id);
	st = db_delete(DB_SESSION, &filter, false);
	bson_destroy(&filter);
	return st;
}

enum db_status
session_repo_delete_others(const bson_oid_t *user_id, const char *keep_token, int64_t now_ms)
{
	bson_t *filter =
		BCON_NEW("userId", BCON_OID(user_id), "token", "{", "$ne", BCON_UTF8(keep_token),
	                 "}", "expiresAt", "{", "$gt", BCON_DATE_TIME(now_ms), "}");
	enum db_status st = db_delete(DB_SESSION, filter, true);

	bson_destroy(filter);
	return st == DB_NOT_FOUND ? DB_OK : st;
}
