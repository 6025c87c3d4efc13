/*
 * schema-apply — creates the indexes fcgi-auth relies on, the same ones Better
 * Auth's MongoDB adapter creates (same names, keys and uniqueness), plus the
 * application's. Idempotent: an index that exists is left alone; a
 * conflicting one is reported and the tool exits 1. Reads MONGODB_URI and
 * MONGODB_DB. Run by `make schema`, `make run` and the tests.
 */
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>

static const struct {
	const char *collection, *field, *name;
	bool unique;
} indexes[] = {
	{"user", "email", "user_email_uidx", true},
	{"session", "token", "session_token_uidx", true},
	{"session", "userId", "session_userId_idx", false},
	{"account", "userId", "account_userId_idx", false},
	{"verification", "identifier", "verification_identifier_idx", false},
	{"rateLimit", "key", "rateLimit_key_uidx", true},
	/* the application's own collections */
	{"users", "betterAuthUserId", "users_betterAuthUserId_uidx", true},
	{"profiles", "userId", "profiles_userId_uidx", true},
};

int
main(void)
{
	const char *uri = getenv("MONGODB_URI"), *dbname = getenv("MONGODB_DB");
	mongoc_client_t *client;
	mongoc_database_t *db;
	bson_error_t error;
	size_t i;
	int rc = 0;

	if (!uri || !*uri)
		uri = "mongodb://127.0.0.1:27017/?serverSelectionTimeoutMS=5000";
	if (!dbname || !*dbname)
		dbname = "better-auth";
	mongoc_init();
	mongoc_log_set_handler(NULL, NULL);
	client = mongoc_client_new(uri);
	if (!client) {
		fprintf(stderr, "schema-apply: MONGODB_URI is not a valid MongoDB URI\n");
		return 1;
	}
	mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
	db = mongoc_client_get_database(client, dbname);
	for (i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++) {
		bson_t *cmd = BCON_NEW("createIndexes", BCON_UTF8(indexes[i].collection), "indexes", "[",
		                       "{", "key", "{", indexes[i].field, BCON_INT32(1), "}", "name",
		                       BCON_UTF8(indexes[i].name), "unique", BCON_BOOL(indexes[i].unique),
		                       "}", "]");

		if (!mongoc_database_write_command_with_opts(db, cmd, NULL, NULL, &error)) {
			fprintf(stderr, "schema-apply: %s.%s: %s\n", indexes[i].collection, indexes[i].name,
			        error.message);
			rc = 1;
		} else {
			printf("schema-apply: %s.%s ok\n", indexes[i].collection, indexes[i].name);
		}
		bson_destroy(cmd);
	}
	mongoc_database_destroy(db);
	mongoc_client_destroy(client);
	mongoc_cleanup();
	return rc;
}
