/*
 * db.h — the process's one MongoDB client (libmongoc, single-threaded), opened
 * once before the accept loop and reused by every request, with explicit
 * timeouts and error API v2; plus the few operations the repositories share.
 * Errors are classified so callers answer 503 when the store is unreachable
 * and 422/"already there" on a duplicate key.
 */
#ifndef DB_H
#define DB_H

#include <bson/bson.h>
#include <mongoc/mongoc.h>
#include <stdbool.h>

struct config;

enum db_status {
	DB_OK = 0,
	DB_NOT_FOUND,   /* find/update/delete matched nothing */
	DB_DUPLICATE,   /* E11000 duplicate key */
	DB_UNAVAILABLE, /* no server, network error, timeout: answer 503 */
	DB_FAILED       /* any other server error: answer 500 */
};

enum db_collection {
	DB_USER,
	DB_ACCOUNT,
	DB_SESSION,
	DB_APP_USERS,
	DB_PROFILES,
	DB_RATE_LIMIT,
	DB_VERIFICATION,
	DB__COUNT
};

/* Creates the client from cfg->mongodb_uri. connectTimeoutMS,
 * serverSelectionTimeoutMS and socketTimeoutMS get safe defaults unless the
 * URI sets them. Does not connect yet. false + err on a bad URI. */
bool db_open(const struct config *cfg, char *err, size_t errlen);

void db_close(void);

/* Checks that the unique indexes the programs rely on exist (schema-apply
 * creates them) and logs each one missing: without it, uniqueness of emails,
 * session tokens and app records is not enforced; missing (optional) is
 * called with each one's collection and name too. Returns false when the
 * store could not be asked (try again later), true once checked. */
bool db_check_indexes(void (*missing)(const char *collection, const char *index, void *arg),
                      void *arg);

/* The collection handle, created once and kept for the process. */
mongoc_collection_t *db_collection(enum db_collection c);

/* Classifies a libmongoc error, logging it with what (never with values). */
enum db_status db_status_of(const bson_error_t *error, const char *what);

/* find_one: *out is a new document (caller bson_destroy) or NULL. */
enum db_status db_find_one(enum db_collection c, const bson_t *filter, bson_t **out);

/* insert_one of doc (which carries its own _id). */
enum db_status db_insert(enum db_collection c, const bson_t *doc);

/* db_insert of a new document the caller gives up: on DB_OK *out is doc
 * (the caller's to destroy), otherwise doc is destroyed and *out is NULL. */
static inline enum db_status
db_insert_new(enum db_collection c, bson_t *doc, bson_t **out)
{
	enum db_status st = db_insert(c, doc);

	if (st != DB_OK) {
		bson_destroy(doc);
		doc = NULL;
	}
	*out = doc;
	return st;
}

/* update_one; DB_NOT_FOUND when nothing matched. */
enum db_status db_update_one(enum db_collection c, const bson_t *filter, const bson_t *update);

/* findAndModify(filter, update, new: true, upsert) — *out the document after
 * the update (caller destroys), NULL with DB_NOT_FOUND when nothing matched
 * and upsert is false. */
enum db_status db_find_and_modify(enum db_collection c, const bson_t *filter, const bson_t *update,
                                  bool upsert, bson_t **out);

/* delete_one / delete_many; DB_NOT_FOUND when nothing was deleted. */
enum db_status db_delete(enum db_collection c, const bson_t *filter, bool many);

/* The first document matching filter in sort order (find, sort, limit 1):
 * *out a new document (caller destroys), or NULL with DB_NOT_FOUND. */
enum db_status db_find_first(enum db_collection c, const bson_t *filter, const bson_t *sort,
                             bson_t **out);

/* findOneAndDelete(filter): *out the document deleted (caller destroys), or
 * NULL with DB_NOT_FOUND when nothing matched (another process took it). */
enum db_status db_find_one_and_delete(enum db_collection c, const bson_t *filter, bson_t **out);

/* find(filter, opts) (limit, projection, sort: find's options) with
 * maxTimeMS: *out a new array of at most limit document copies, *n their
 * number (both NULL/0 unless DB_OK; an empty result is DB_OK with *n 0).
 * Free with db_list_free. */
enum db_status db_find_many(enum db_collection c, const bson_t *filter, const bson_t *opts,
                            size_t limit, bson_t ***out, size_t *n);

void db_list_free(bson_t **list, size_t n);

/* {ping: 1} with maxTimeMS timeout_ms: DB_OK when the store answers. */
enum db_status db_ping(int timeout_ms);

#endif
