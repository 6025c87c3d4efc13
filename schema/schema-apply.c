/*
 * schema-apply — the store's side of fcgi-auth, run by `make schema`, `make
 * run` and the tests, and by cron or a systemd timer with --cleanup.
 *
 *   schema-apply            creates the indexes (schema_indexes.c): Better
 *                           Auth's adapter's, the application's, and TTL
 *                           indexes on the expiry dates where the store has
 *                           TTL. Idempotent; a conflicting index is reported
 *                           and the tool exits 1.
 *   schema-apply --cleanup  deletes expired sessions and verification rows
 *                           and stale rate-limit buckets (schema_cleanup.c),
 *                           printing "<collection>: <n> deleted" for each.
 *
 * Reads MONGODB_URI, MONGODB_DB and (--cleanup) FCGI_AUTH_RATE_LIMIT_WINDOW,
 * from the environment or the settings file, as the programs do. A tool, not a program: it needs no secret.
 */
#include "config.h"
#include "schema_cleanup.h"
#include "schema_indexes.h"

#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_BATCH 200
#define SCHEMA_PAUSE_MS 10

static void
schema_usage(FILE *f)
{
	fprintf(f,
	        "usage: schema-apply [--cleanup]\n"
	        "  (no option)  create the indexes in $MONGODB_DB at $MONGODB_URI\n"
	        "  --cleanup    delete expired sessions and verification rows and stale\n"
	        "               rate-limit buckets, in batches of %d\n",
	        SCHEMA_BATCH);
}

int
main(int argc, char **argv)
{
	const char *uri, *dbname;
	struct schema_cleanup_opts opts = {10, SCHEMA_BATCH, SCHEMA_PAUSE_MS};
	mongoc_client_t *client = NULL;
	mongoc_database_t *db = NULL;
	bool cleanup = false, ok = false;
	char err[256];

	if (argc == 2 && !strcmp(argv[1], "--cleanup")) {
		cleanup = true;
	} else if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		schema_usage(stdout);
		return 0;
	} else if (argc != 1) {
		schema_usage(stderr);
		return 2;
	}
	if (!config_settings_load(err, sizeof err)) {
		fprintf(stderr, "schema-apply: %s\n", err);
		return 1;
	}
	uri = config_value("MONGODB_URI");
	dbname = config_value("MONGODB_DB");
	if (cleanup && !config_env_int("FCGI_AUTH_RATE_LIMIT_WINDOW", 10, 1, 86400,
	                               &opts.rl_window_s, err, sizeof err)) {
		fprintf(stderr, "schema-apply: %s\n", err);
		return 1;
	}
	if (!uri || !*uri)
		uri = "mongodb://127.0.0.1:27017/?serverSelectionTimeoutMS=5000";
	if (!dbname || !*dbname)
		dbname = "better-auth";
	mongoc_init();
	mongoc_log_set_handler(NULL, NULL);
	client = mongoc_client_new(uri);
	if (!client) {
		fprintf(stderr, "schema-apply: MONGODB_URI is not a valid MongoDB URI\n");
		goto done;
	}
	mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
	mongoc_client_set_appname(client, cleanup ? "fcgi-auth-cleanup" : "fcgi-auth-schema");
	db = mongoc_client_get_database(client, dbname);
	ok = cleanup ? schema_cleanup_run(db, &opts) : schema_indexes_apply(db);
done:
	mongoc_database_destroy(db);
	mongoc_client_destroy(client);
	mongoc_cleanup();
	return ok ? 0 : 1;
}
