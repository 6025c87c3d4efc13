/*
 * db.c — see db.h.
 */
#include "db.h"

#include "config.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

static mongoc_client_t *db_client;
static mongoc_collection_t *db_colls[DB__COUNT];
static const struct config *db_cfg;

/* One explicit session for the process's operations, instead of the implicit
 * one libmongoc starts and ends around each (a session object with copies of
 * the client's read and write concerns and read preference, ~4 k instructions
 * an operation). What the store sees is the same: an implicit session takes
 * the most recently used server session from the client's pool, so every
 * operation already carried the same lsid; causal consistency is off, as for
 * implicit sessions (no afterClusterTime is added); retryable writes number
 * their transactions on it as before. The process is single-threaded and
 * finishes each operation (and cursor) before the next, as a session needs.
 * Started only after an operation succeeded (the client then knows that the
 * server supports sessions: no I/O, no server selection); ended after any
 * failed operation (libmongoc marks its server session dirty on a network
 * error, and the pool then discards it, as it does for an implicit one) and
 * after DB_SESSION_IDLE_US without use, so that the pool's own check (a server
 * session within a minute of logicalSessionTimeoutMinutes is not reused)
 * applies as it did. Until there is one, operations run with implicit
 * sessions. */
static mongoc_client_session_t *db_session;
static int64_t db_session_used; /* bson_get_monotonic_time() of its last use */
#define DB_SESSION_IDLE_US (60 * 1000 * 1000)

static void
db_session_end(void)
{
	mongoc_client_session_destroy(db_session); /* back to the client's pool */
	db_session = NULL;
}

/* Adds the session (if there is one) to an operation's opts. */
static void
db_session_append(bson_t *opts)
{
	bson_error_t error;

	if (db_session && bson_get_monotonic_time() - db_session_used > DB_SESSION_IDLE_US)
		db_session_end();
	if (db_session && !mongoc_client_session_append(db_session, opts, &error))
		db_session_end(); /* cannot happen for a live session; run without */
}

/* After an operation: ok = libmongoc reported no error. */
static void
db_session_after(bool ok)
{
	mongoc_session_opt_t *sopts;
	bson_error_t error;

	if (!ok) {
		if (db_session)
			db_session_end();
		return;
	}
	if (!db_session) {
		sopts = mongoc_session_opts_new();
		mongoc_session_opts_set_causal_consistency(sopts, false);
		/* NULL when the server has no sessions: implicit ones are not used either */
		db_session = mongoc_client_start_session(db_client, sopts, &error);
		mongoc_session_opts_destroy(sopts);
	}
	db_session_used = bson_get_monotonic_time();
}

static const char *const db_names[DB__COUNT] = {
	[DB_USER] = "user",
	[DB_ACCOUNT] = "account",
	[DB_SESSION] = "session",
	[DB_APP_USERS] = "users",
	[DB_PROFILES] = "profiles",
	[DB_RATE_LIMIT] = "rateLimit",
	[DB_VERIFICATION] = "verification",
};

bool
db_open(const struct config *cfg, char *err, size_t errlen)
{
	bson_error_t error;
	mongoc_uri_t *uri;

	db_cfg = cfg;
	uri = mongoc_uri_new_with_error(cfg->mongodb_uri, &error);
	if (!uri) {
		snprintf(err, errlen, "MONGODB_URI is not a valid MongoDB URI: %s", error.message);
		return false;
	}
	if (!mongoc_uri_has_option(uri, MONGOC_URI_CONNECTTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, 2000);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 2000);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_SOCKETTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS,
		                               cfg->db_timeout_ms + 1000);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_APPNAME))
		mongoc_uri_set_option_as_utf8(uri, MONGOC_URI_APPNAME, "fcgi-auth");
	db_client = mongoc_client_new_from_uri_with_error(uri, &error);
	mongoc_uri_destroy(uri);
	if (!db_client) {
		snprintf(err, errlen, "cannot create the MongoDB client: %s", error.message);
		return false;
	}
	mongoc_client_set_error_api(db_client, MONGOC_ERROR_API_VERSION_2);
	return true;
}

void
db_close(void)
{
	size_t i;

	if (db_session)
		db_session_end();
	for (i = 0; i < DB__COUNT; i++) {
		mongoc_collection_destroy(db_colls[i]);
		db_colls[i] = NULL;
	}
	mongoc_client_destroy(db_client);
	db_client = NULL;
}

mongoc_collection_t *
db_collection(enum db_collection c)
{
	if (!db_colls[c])
		db_colls[c] =
			mongoc_client_get_collection(db_client, db_cfg->mongodb_db, db_names[c]);
	return db_colls[c];
}

bool
db_check_indexes(void (*missing)(const char *collection, const char *index, void *arg), void *arg)
{
	static const struct {
		enum db_collection c;
		const char *name;
	} want[] = {
		{DB_USER, "user_email_uidx"},
		{DB_SESSION, "session_token_uidx"},
		{DB_APP_USERS, "users_betterAuthUserId_uidx"},
		{DB_PROFILES, "profiles_userId_uidx"},
		{DB_RATE_LIMIT, "rateLimit_key_uidx"},
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		mongoc_cursor_t *cursor =
			mongoc_collection_find_indexes_with_opts(db_collection(want[i].c), NULL);
		const bson_t *doc;
		bson_error_t error;
		bool found = false;

		while (!found && mongoc_cursor_next(cursor, &doc)) {
			bson_iter_t it;

			found = bson_iter_init_find(&it, doc, "name") &&
			        BSON_ITER_HOLDS_UTF8(&it) &&
			        !strcmp(bson_iter_utf8(&it, NULL), want[i].name);
		}
		if (!found && mongoc_cursor_error(cursor, &error) &&
		    error.code != 26 /* NamespaceNotFound: no collection yet */) {
			mongoc_cursor_destroy(cursor);
			return db_status_of(&error, "index check") != DB_UNAVAILABLE;
		}
		mongoc_cursor_destroy(cursor);
		if (!found && missing)
			missing(db_names[want[i].c], want[i].name, arg);
		if (!found)
			log_warn("index %s.%s is missing: uniqueness is not enforced until `make "
			         "schema` "
			         "(build/schema-apply) creates it",
			         db_names[want[i].c], want[i].name);
	}
	return true;
}

enum db_status
db_status_of(const bson_error_t *error, const char *what)
{
	if (error->code == 11000 || error->code == 11001 || error->code == 12582) {
		log_info("%s: duplicate key", what);
		return DB_DUPLICATE;
	}
	if (error->domain == MONGOC_ERROR_SERVER_SELECTION ||
	    error->domain == MONGOC_ERROR_STREAM ||
	    (error->domain == MONGOC_ERROR_CLIENT &&
	     error->code == MONGOC_ERROR_CLIENT_AUTHENTICATE) ||
	    error->code == 50 /* MaxTimeMSExpired */ ||
	    error->code == 91 /* ShutdownInProgress */ || error->code == 189 ||
	    error->code == 11600 || error->code == 11602 || error->code == 10107 ||
	    error->code == 13435) {
		log_error("%s: store unavailable: %s (domain %u code %u)", what, error->message,
		          error->domain, error->code);
		return DB_UNAVAILABLE;
	}
	log_error("%s: %s (domain %u code %u)", what, error->message, error->domain, error->code);
	return DB_FAILED;
}

/* One find command, not a cursor: mongoc_collection_find_with_opts selects a
 * server when the cursor starts and again to run the command (each time
 * copying the server description and re-parsing its hello reply), then sets
 * up a cursor for a one-document answer. read_command selects once, applies
 * the same read preference, read concern, implicit session and retryable
 * read, and hands back the reply: {cursor: {firstBatch: [doc], id: 0}}.
 * singleBatch: the server closes the cursor, so no killCursors is owed. */
enum db_status
db_find_one(enum db_collection c, const bson_t *filter, bson_t **out)
{
	bson_t cmd = BSON_INITIALIZER, opts = BSON_INITIALIZER, reply;
	bson_error_t error;
	bson_iter_t it, doc;
	uint32_t len;
	const uint8_t *data;
	enum db_status st = DB_NOT_FOUND;
	bool ok;

	*out = NULL;
	BSON_APPEND_UTF8(&cmd, "find", db_names[c]);
	BSON_APPEND_DOCUMENT(&cmd, "filter", filter);
	BSON_APPEND_INT64(&cmd, "limit", 1);
	BSON_APPEND_BOOL(&cmd, "singleBatch", true);
	BSON_APPEND_INT64(&cmd, "maxTimeMS", db_cfg->db_timeout_ms);
	db_session_append(&opts);
	ok = mongoc_collection_read_command_with_opts(db_collection(c), &cmd, NULL, &opts, &reply,
	                                              &error);
	db_session_after(ok);
	if (!ok) {
		st = db_status_of(&error, db_names[c]);
	} else if (bson_iter_init(&it, &reply) &&
	           bson_iter_find_descendant(&it, "cursor.firstBatch.0", &doc) &&
	           BSON_ITER_HOLDS_DOCUMENT(&doc)) {
		bson_iter_document(&doc, &len, &data);
		*out = bson_new_from_data(data, len);
		st = DB_OK;
	}
	bson_destroy(&reply);
	bson_destroy(&opts);
	bson_destroy(&cmd);
	return st;
}

enum db_status
db_insert(enum db_collection c, const bson_t *doc)
{
	bson_error_t error;
	bson_t opts = BSON_INITIALIZER;
	enum db_status st = DB_OK;
	bool ok;

	db_session_append(&opts);
	ok = mongoc_collection_insert_one(db_collection(c), doc, &opts, NULL, &error);
	db_session_after(ok);
	if (!ok)
		st = db_status_of(&error, db_names[c]);
	bson_destroy(&opts);
	return st;
}

enum db_status
db_update_one(enum db_collection c, const bson_t *filter, const bson_t *update)
{
	bson_error_t error;
	bson_t reply, opts = BSON_INITIALIZER;
	bson_iter_t it;
	enum db_status st = DB_OK;
	bool ok;

	db_session_append(&opts);
	ok = mongoc_collection_update_one(db_collection(c), filter, update, &opts, &reply, &error);
	db_session_after(ok);
	if (!ok)
		st = db_status_of(&error, db_names[c]);
	else if (bson_iter_init_find(&it, &reply, "matchedCount") && bson_iter_as_int64(&it) == 0)
		st = DB_NOT_FOUND;
	bson_destroy(&reply);
	bson_destroy(&opts);
	return st;
}

/* Runs a findAndModify built in opts (which it destroys); *out the document
 * it returns, or NULL with DB_NOT_FOUND. */
static enum db_status
db_find_and_modify_run(enum db_collection c, const bson_t *filter,
                       mongoc_find_and_modify_opts_t *opts, bson_t **out)
{
	bson_error_t error;
	bson_t reply, extra = BSON_INITIALIZER;
	bson_iter_t it;
	enum db_status st = DB_NOT_FOUND;
	uint32_t len;
	const uint8_t *data;
	bool ok;

	*out = NULL;
	mongoc_find_and_modify_opts_set_max_time_ms(opts, (uint32_t)db_cfg->db_timeout_ms);
	db_session_append(&extra);
	mongoc_find_and_modify_opts_append(opts, &extra);
	ok = mongoc_collection_find_and_modify_with_opts(db_collection(c), filter, opts, &reply,
	                                                 &error);
	db_session_after(ok);
	if (!ok) {
		st = db_status_of(&error, db_names[c]);
	} else if (bson_iter_init_find(&it, &reply, "value") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
		bson_iter_document(&it, &len, &data);
		*out = bson_new_from_data(data, len);
		st = DB_OK;
	}
	bson_destroy(&reply);
	bson_destroy(&extra);
	mongoc_find_and_modify_opts_destroy(opts);
	return st;
}

enum db_status
db_find_and_modify(enum db_collection c, const bson_t *filter, const bson_t *update, bool upsert,
                   bson_t **out)
{
	mongoc_find_and_modify_opts_t *opts = mongoc_find_and_modify_opts_new();

	mongoc_find_and_modify_opts_set_update(opts, update);
	mongoc_find_and_modify_opts_set_flags(opts,
	                                      MONGOC_FIND_AND_MODIFY_RETURN_NEW |
	                                              (upsert ? MONGOC_FIND_AND_MODIFY_UPSERT : 0));
	return db_find_and_modify_run(c, filter, opts, out);
}

enum db_status
db_delete(enum db_collection c, const bson_t *filter, bool many)
{
	bson_error_t error;
	bson_t reply, opts = BSON_INITIALIZER;
	bson_iter_t it;
	enum db_status st = DB_OK;
	bool ok;

	db_session_append(&opts);
	ok = many ? mongoc_collection_delete_many(db_collection(c), filter, &opts, &reply, &error)
	          : mongoc_collection_delete_one(db_collection(c), filter, &opts, &reply, &error);
	db_session_after(ok);
	if (!ok)
		st = db_status_of(&error, db_names[c]);
	else if (bson_iter_init_find(&it, &reply, "deletedCount") && bson_iter_as_int64(&it) == 0)
		st = DB_NOT_FOUND;
	bson_destroy(&reply);
	bson_destroy(&opts);
	return st;
}

enum db_status
db_find_first(enum db_collection c, const bson_t *filter, const bson_t *sort, bson_t **out)
{
	bson_t *opts =
		BCON_NEW("limit", BCON_INT64(1), "maxTimeMS", BCON_INT64(db_cfg->db_timeout_ms));
	mongoc_cursor_t *cursor;
	const bson_t *doc;
	bson_error_t error;
	enum db_status st = DB_NOT_FOUND;

	*out = NULL;
	BSON_APPEND_DOCUMENT(opts, "sort", sort);
	db_session_append(opts);
	cursor = mongoc_collection_find_with_opts(db_collection(c), filter, opts, NULL);
	if (mongoc_cursor_next(cursor, &doc)) {
		*out = bson_copy(doc);
		st = DB_OK;
	} else if (mongoc_cursor_error(cursor, &error)) {
		st = db_status_of(&error, db_names[c]);
	}
	mongoc_cursor_destroy(cursor);
	db_session_after(st == DB_OK || st == DB_NOT_FOUND);
	bson_destroy(opts);
	return st;
}

enum db_status
db_find_one_and_delete(enum db_collection c, const bson_t *filter, bson_t **out)
{
	mongoc_find_and_modify_opts_t *opts = mongoc_find_and_modify_opts_new();

	mongoc_find_and_modify_opts_set_flags(opts, MONGOC_FIND_AND_MODIFY_REMOVE);
	return db_find_and_modify_run(c, filter, opts, out);
}

enum db_status
db_find_many(enum db_collection c, const bson_t *filter, const bson_t *opts, size_t limit,
             bson_t ***out, size_t *n)
{
	bson_t *all = BCON_NEW("limit", BCON_INT64((int64_t)limit), "maxTimeMS",
	                       BCON_INT64(db_cfg->db_timeout_ms));
	mongoc_cursor_t *cursor;
	const bson_t *doc;
	bson_error_t error;
	bson_t **list = NULL;
	size_t count = 0;
	enum db_status st = DB_OK;

	*out = NULL;
	*n = 0;
	if (opts)
		bson_concat(all, opts);
	db_session_append(all);
	cursor = mongoc_collection_find_with_opts(db_collection(c), filter, all, NULL);
	while (count < limit && mongoc_cursor_next(cursor, &doc)) {
		list = bson_realloc(list, (count + 1) * sizeof(*list));
		list[count++] = bson_copy(doc);
	}
	if (mongoc_cursor_error(cursor, &error)) {
		st = db_status_of(&error, db_names[c]);
		db_list_free(list, count);
	} else {
		*out = list;
		*n = count;
	}
	mongoc_cursor_destroy(cursor);
	db_session_after(st == DB_OK);
	bson_destroy(all);
	return st;
}

void
db_list_free(bson_t **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		bson_destroy(list[i]);
	bson_free(list);
}

enum db_status
db_ping(int timeout_ms)
{
	bson_t *cmd = BCON_NEW("ping", BCON_INT32(1), "maxTimeMS", BCON_INT32(timeout_ms));
	bson_error_t error;
	bson_t reply;
	enum db_status st = DB_OK;

	if (!mongoc_client_command_simple(db_client, db_cfg->mongodb_db, cmd, NULL, &reply, &error))
		st = db_status_of(&error, "ping");
	bson_destroy(&reply);
	bson_destroy(cmd);
	return st;
}
