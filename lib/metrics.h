/*
 * metrics.h — counters and latency histograms summed over every process of
 * every program on this machine (FastCGI or CGI), and their Prometheus text
 * exposition (format 0.0.4).
 *
 * The numbers live in one System V shared memory segment per user and
 * metrics name (metrics_init; the lead's choice is the database name, so one
 * installation's programs share one set). Every update is one relaxed atomic
 * add on it: no lock, no system call, no file anywhere, nothing to clean up
 * (the segment outlives the processes until reboot or `ipcrm`). A segment
 * that is not this user's, mode 0600, of this layout and this name is never
 * used: metrics are then off in that process (logged once), and requests
 * are served as ever.
 *
 * No personal data: labels are fixed words and the endpoint names the caller
 * passes (from its route table, never the request's path), nothing else.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stdbool.h>
#include <stddef.h>

/* The counters with fixed labels. Append only: the index is the position in
 * shared memory, so programs built before and after a change agree. */
enum metrics_counter {
	/* fcgi_auth_sign_in_total{outcome} */
	METRICS_SIGN_IN_OK,
	METRICS_SIGN_IN_INVALID_CREDENTIALS, /* unknown email or wrong password (401) */
	METRICS_SIGN_IN_RATE_LIMITED,        /* 429 */
	METRICS_SIGN_IN_STORE_UNAVAILABLE,   /* 503 */
	METRICS_SIGN_IN_INVALID_REQUEST,     /* 400, 403, 413, 415: refused before the password */
	/* fcgi_auth_sign_in_invalid_credentials_total{reason}: the 401s split,
	 * for operators only (the answers are identical on the wire) */
	METRICS_SIGN_IN_UNKNOWN_EMAIL,
	METRICS_SIGN_IN_WRONG_PASSWORD,
	/* fcgi_auth_sign_up_total{outcome} */
	METRICS_SIGN_UP_OK,
	METRICS_SIGN_UP_USER_EXISTS, /* 422 USER_ALREADY_EXISTS… */
	METRICS_SIGN_UP_RATE_LIMITED,
	METRICS_SIGN_UP_STORE_UNAVAILABLE,
	METRICS_SIGN_UP_INVALID_REQUEST,
	/* fcgi_auth_sessions_served_total{source}: get-session and the
	 * authorizer answering with a session */
	METRICS_SESSION_FROM_DATABASE,
	METRICS_SESSION_FROM_COOKIE_CACHE,
	/* fcgi_auth_hash_slot_waits_total: hashes that found no free slot */
	METRICS_HASH_SLOT_WAITS,
	/* fcgi_auth_hash_slot_wait_timeouts_total: … and hashed anyway after the wait */
	METRICS_HASH_SLOT_TIMEOUTS,
	METRICS_COUNTER_COUNT
};

/* Finds or creates the segment of this user and name (up to 63 bytes;
 * NULL or "" means "fcgi-auth") and attaches it. Call once per process,
 * before the accept loop; again after metrics_cleanup. false: metrics off
 * in this process (logged), every call below does nothing. */
bool metrics_init(const char *name);

/* Detaches (the numbers stay). */
void metrics_cleanup(void);

/* Adds one to a counter. */
void metrics_count(enum metrics_counter c);

/* Time spent waiting for a hash slot (fcgi_auth_hash_slot_wait_seconds_total). */
void metrics_hash_slot_wait(double seconds);

/* One answered request: fcgi_auth_requests_total{endpoint,status} and
 * fcgi_auth_request_duration_seconds{endpoint}. endpoint is a route-table
 * name such as "/sign-in/email" (at most 47 bytes; characters other than
 * [A-Za-z0-9/_.:-] become '_'); the first 64 names get their own series,
 * later ones count under "other". Each endpoint keeps 24 status codes; more
 * count under status="other". */
void metrics_request(const char *endpoint, int status, double seconds);

/* The exposition, as served at GET /fcgi-auth/metrics with
 * METRICS_CONTENT_TYPE: *text is a new NUL-terminated string (free() it),
 * *len its length. With metrics off: false, *text NULL, *len 0. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
bool metrics_render(char **text, size_t *len);

/* Removes the segment of this user and name (tests, uninstalling); the
 * processes attached keep theirs until they detach. */
void metrics_remove(const char *name);

#endif
