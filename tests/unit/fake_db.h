/*
 * fake_db.h — an in-memory store behind lib/db.h, for the unit tests of
 * handlers: tests/unit/fake_db.c defines every function of db.h, and the
 * Makefile links it before libfcgiauth.a, so lib/db.o is never pulled in
 * and the real repositories (user_repo, account_repo, session_repo, …) run
 * against it. It matches filters on top-level fields (equality, $gt $gte
 * $lt $lte $ne $in $exists, $and), applies $set/$setOnInsert/$unset, keeps
 * the unique indexes schema/ creates (duplicates answer DB_DUPLICATE) and
 * aborts on anything else, so a repository that outgrows it fails loudly.
 *
 * The fault knob, as curl's torture tests and mongoc's mock server do:
 * fake_db_fail makes the Nth matching call from now answer a status instead
 * of touching the store. Every call is logged (operation, collection), so a
 * test can run a handler once, count its calls, then fail each in turn.
 */
#ifndef FAKE_DB_H
#define FAKE_DB_H

#include "db.h"

#include <stdbool.h>
#include <stddef.h>

enum fake_db_op {
	FAKE_DB_ANY = 0,
	FAKE_DB_FIND_ONE,
	FAKE_DB_INSERT,
	FAKE_DB_UPDATE,
	FAKE_DB_FIND_AND_MODIFY,
	FAKE_DB_DELETE,
	FAKE_DB_FIND_FIRST,
	FAKE_DB_FIND_ONE_AND_DELETE,
	FAKE_DB_FIND_MANY,
	FAKE_DB_PING,
};

/* Empties every collection, the call log and the armed fault. */
void fake_db_reset(void);

/* Keeps a copy of every collection; fake_db_restore resets (faults and
 * log too) and puts that copy back. The saved copy lives until exit. */
void fake_db_save(void);
void fake_db_restore(void);

/* The nth call (1: the next one) of operation op (FAKE_DB_ANY: any) on
 * collection c (DB__COUNT: any) answers st without touching the store;
 * nth 0: every such call from now on. Up to four faults armed at once
 * (the first armed that matches takes a call); fake_db_reset disarms. */
void fake_db_fail(enum fake_db_op op, enum db_collection c, unsigned nth, enum db_status st);

/* True once an armed fault has fired (since the last reset). */
bool fake_db_fault_fired(void);

/* The calls made since the last reset (or fake_db_log_clear), and the ith
 * one's operation and collection (DB__COUNT for ping). */
size_t fake_db_calls(void);
void fake_db_call(size_t i, enum fake_db_op *op, enum db_collection *c);
void fake_db_log_clear(void);

/* The number of documents of c matching filter (NULL: all); not logged. */
size_t fake_db_count(enum db_collection c, const bson_t *filter);

/* The operation's name, for messages. */
const char *fake_db_op_name(enum fake_db_op op);

#endif
