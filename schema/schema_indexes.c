/*
 * schema_indexes.c — see schema_indexes.h.
 *
 * The TTL indexes (expireAfterSeconds 0: a row goes once its own expiresAt
 * is past) are not the adapter's; they change no document, and the programs
 * still check expiresAt on every read, as Better Auth does, so rows the TTL
 * monitor has not reached yet (it runs once a minute) are never used. The
 * rate-limit buckets get none: their only time is lastRequest, a number of
 * milliseconds, and TTL needs a BSON date — changing that field would change
 * documents Better Auth reads. `schema-apply --cleanup` removes stale ones.
 */
#include "schema_indexes.h"

#include <stdio.h>
#include <string.h>

#define SCHEMA_NO_TTL (-1)

static const struct {
	const char *collection, *field, *name;
	bool unique;
	int ttl; /* expireAfterSeconds, or SCHEMA_NO_TTL */
} schema_indexes[] = {
	{"user", "email", "user_email_uidx", true, SCHEMA_NO_TTL},
	{"session", "token", "session_token_uidx", true, SCHEMA_NO_TTL},
	{"session", "userId", "session_userId_idx", false, SCHEMA_NO_TTL},
	{"account", "userId", "account_userId_idx", false, SCHEMA_NO_TTL},
	{"verification", "identifier", "verification_identifier_idx", false, SCHEMA_NO_TTL},
	{"rateLimit", "key", "rateLimit_key_uidx", true, SCHEMA_NO_TTL},
	/* the application's own collections */
	{"users", "betterAuthUserId", "users_betterAuthUserId_uidx", true, SCHEMA_NO_TTL},
	{"profiles", "userId", "profiles_userId_uidx", true, SCHEMA_NO_TTL},
	/* expiry (not the adapter's) */
	{"session", "expiresAt", "session_expiresAt_ttl", false, 0},
	{"verification", "expiresAt", "verification_expiresAt_ttl", false, 0},
};

/* A store that refuses the TTL option itself (FerretDB 1.24: NotImplemented,
 * 'Index option "expireAfterSeconds" is not implemented yet'). */
static bool
schema_is_no_ttl_error(const bson_error_t *error)
{
	return error->code == 238 /* NotImplemented */ ||
	       error->code == 115 /* CommandNotSupported */ ||
	       strstr(error->message, "expireAfterSeconds") != NULL;
}

/* True if the index name of coll is listed with expireAfterSeconds: a store
 * that accepts the option but does not keep it has no TTL either. */
static bool
schema_has_ttl(mongoc_database_t *db, const char *coll, const char *name)
{
	mongoc_collection_t *c = mongoc_database_get_collection(db, coll);
	mongoc_cursor_t *cursor = mongoc_collection_find_indexes_with_opts(c, NULL);
	const bson_t *doc;
	bool found = false;

	while (!found && mongoc_cursor_next(cursor, &doc)) {
		bson_iter_t it;

		if (bson_iter_init_find(&it, doc, "name") && BSON_ITER_HOLDS_UTF8(&it) &&
		    !strcmp(bson_iter_utf8(&it, NULL), name))
			found = bson_iter_init_find(&it, doc, "expireAfterSeconds") &&
			        BSON_ITER_HOLDS_NUMBER(&it);
	}
	mongoc_cursor_destroy(cursor);
	mongoc_collection_destroy(c);
	return found;
}

bool
schema_indexes_apply(mongoc_database_t *db)
{
	bson_error_t error;
	bool ok = true;
	size_t i;

	for (i = 0; i < sizeof(schema_indexes) / sizeof(schema_indexes[0]); i++) {
		const char *coll = schema_indexes[i].collection, *name = schema_indexes[i].name;
		bool ttl = schema_indexes[i].ttl != SCHEMA_NO_TTL;
		bson_t cmd = BSON_INITIALIZER, list, index, key;

		BSON_APPEND_UTF8(&cmd, "createIndexes", coll);
		BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &list);
		BSON_APPEND_DOCUMENT_BEGIN(&list, "0", &index);
		BSON_APPEND_DOCUMENT_BEGIN(&index, "key", &key);
		BSON_APPEND_INT32(&key, schema_indexes[i].field, 1);
		bson_append_document_end(&index, &key);
		BSON_APPEND_UTF8(&index, "name", name);
		BSON_APPEND_BOOL(&index, "unique", schema_indexes[i].unique);
		if (ttl)
			BSON_APPEND_INT32(&index, "expireAfterSeconds", schema_indexes[i].ttl);
		bson_append_document_end(&list, &index);
		bson_append_array_end(&cmd, &list);
		if (mongoc_database_write_command_with_opts(db, &cmd, NULL, NULL, &error)) {
			if (!ttl)
				printf("schema-apply: %s.%s ok\n", coll, name);
			else if (schema_has_ttl(db, coll, name))
				printf("schema-apply: %s.%s ok (TTL: a row is deleted once its %s "
				       "is past)\n",
				       coll, name, schema_indexes[i].field);
			else
				printf("schema-apply: %s.%s: this store accepted the index but "
				       "keeps no "
				       "expireAfterSeconds: no TTL; expired %s rows stay until "
				       "`schema-apply --cleanup` deletes them\n",
				       coll, name, coll);
		} else if (ttl && schema_is_no_ttl_error(&error)) {
			printf("schema-apply: %s.%s: this store has no TTL indexes (%s); expired "
			       "%s rows "
			       "stay until `schema-apply --cleanup` deletes them\n",
			       coll, name, error.message, coll);
		} else {
			fprintf(stderr, "schema-apply: %s.%s: %s\n", coll, name, error.message);
			ok = false;
		}
		bson_destroy(&cmd);
	}
	printf("schema-apply: rateLimit: no TTL index: its buckets have no date field (lastRequest "
	       "is a number of milliseconds); `schema-apply --cleanup` deletes stale ones\n");
	return ok;
}
