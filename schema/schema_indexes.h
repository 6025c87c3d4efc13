/*
 * schema_indexes.h — the indexes fcgi-auth relies on: the ones Better Auth's
 * MongoDB adapter creates (same names, keys and uniqueness; spec §9.3), the
 * application's, and TTL indexes on the expiry dates where the store has TTL.
 */
#ifndef SCHEMA_INDEXES_H
#define SCHEMA_INDEXES_H

#include <mongoc/mongoc.h>
#include <stdbool.h>

/* Creates every index in db, idempotently, printing one line per index on
 * stdout ("schema-apply: <collection>.<name> ok") and, for a store without
 * TTL indexes (FerretDB 1.24), a line saying so instead of failing. Returns
 * false when an index could not be created for another reason (a
 * conflicting existing index, no privilege, no server): reported on stderr. */
bool schema_indexes_apply(mongoc_database_t *db);

#endif
