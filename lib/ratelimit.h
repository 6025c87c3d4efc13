/*
 * ratelimit.h — Better Auth's rate limiter (spec §10.3) with its `rateLimit`
 * collection as the shared store, so every process of every endpoint counts
 * together: {key: "<ip>|<path>", count: int32, lastRequest: double epoch ms}.
 * 3 requests per 10 s on sign-in/sign-up, 100 per 10 s elsewhere (by default).
 * The client is REMOTE_ADDR, or the right-most X-Forwarded-For hop that is not
 * a configured trusted proxy when REMOTE_ADDR is one. Each decision is one
 * findAndModify with the limit in its filter (atomic on MongoDB); the strict
 * buckets are also counted under a lock document, exact on any store.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

struct request;

enum ratelimit_result {
	RATELIMIT_ALLOW = 0,
	RATELIMIT_REJECT,      /* answer 429 with X-Retry-After */
	RATELIMIT_UNAVAILABLE  /* the store could not be read */
};

/* Counts req against its bucket. On REJECT *retry_after_s is the seconds
 * until the window ends (>= 1). */
enum ratelimit_result ratelimit_check(const struct request *req, long *retry_after_s);

/* True for paths whose limit is the strict one (sign-in, sign-up, ...): those
 * fail closed when the store is unavailable. */
bool ratelimit_is_strict(const char *path);

/* The client address used as the key's first part, into buf (size cap):
 * IPv4 as is, IPv6 masked to /64, IPv4-mapped IPv6 as IPv4. */
void ratelimit_client_ip(const struct request *req, char *buf, size_t cap);

#endif
