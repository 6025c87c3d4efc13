/*
 * schema_cleanup.h — `schema-apply --cleanup`: deletes the rows nothing will
 * ever use again, in bounded batches, safe to run at any time alongside live
 * traffic (cron, a systemd timer): expired sessions and verification rows,
 * and stale rate-limit buckets. Never a live row: every delete repeats the
 * expiry condition in its own filter, and a rate-limit bucket is deleted only
 * under its lock (see schema_cleanup.c).
 */
#ifndef SCHEMA_CLEANUP_H
#define SCHEMA_CLEANUP_H

#include <mongoc/mongoc.h>
#include <stdbool.h>
#include <stdint.h>

/* The longest rate-limit window of any class (Better Auth's 3 per 60 s on
 * /request-password-reset and /send-verification-email, §2.8 of the accounts
 * spec): a bucket younger than this may still be counting. */
#define SCHEMA_CLEANUP_SLOW_WINDOW_S 60

struct schema_cleanup_opts {
	int64_t rl_window_s; /* FCGI_AUTH_RATE_LIMIT_WINDOW */
	int batch;           /* rows per round trip (>= 1) */
	int pause_ms;        /* sleep between batches, to leave the store to live traffic */
};

/* Deletes, in this order, expired `session` rows (expiresAt < now), expired
 * `verification` rows (expiresAt < now) and stale `rateLimit` buckets and
 * locks (lastRequest + max(rl_window_s, SCHEMA_CLEANUP_SLOW_WINDOW_S) < now),
 * printing "<collection>: <n> deleted" on stdout for each. A collection that
 * fails is reported on stderr (and gets no stdout line); the others are
 * still cleaned. Returns false if any failed. */
bool schema_cleanup_run(mongoc_database_t *db, const struct schema_cleanup_opts *opts);

#endif
