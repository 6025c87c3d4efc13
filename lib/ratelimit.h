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

/* Better Auth's rules: DEFAULT 100 per window; STRICT 3 per window
 * (sign-in, sign-up, change-password, change-email); SLOW 3 per 60 s
 * (request-password-reset, send-verification-email). STRICT and SLOW fail
 * closed (the caller answers 503) when the store is unavailable. */
enum ratelimit_rule { RATELIMIT_DEFAULT = 0, RATELIMIT_STRICT, RATELIMIT_SLOW };

/* Counts req against its bucket under rule. On REJECT *retry_after_s is the
 * seconds until the window ends (>= 1). */
enum ratelimit_result ratelimit_check(const struct request *req, enum ratelimit_rule rule,
                                      long *retry_after_s);

/* The client address used as the key's first part, into buf (size cap):
 * IPv4 as is, IPv6 masked to /64, IPv4-mapped IPv6 as IPv4. */
void ratelimit_client_ip(const struct request *req, char *buf, size_t cap);

#endif
