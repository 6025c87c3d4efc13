/*
 * ratelimit.h — Better Auth's rate limiter (spec §10.3), key "<ip>|<path>".
 * Three rules, chosen by the caller (the route):
 *   RATELIMIT_DEFAULT  FCGI_AUTH_RATE_LIMIT_MAX (100) per FCGI_AUTH_RATE_LIMIT_WINDOW
 *                      (10 s), counted in memory shared by every process of
 *                      every program on this machine (ratetable.h): no round
 *                      trip, limits per host;
 *   RATELIMIT_STRICT   FCGI_AUTH_RATE_LIMIT_STRICT_MAX (3) per window (sign-in,
 *                      sign-up, change-password, change-email), and
 *   RATELIMIT_SLOW     FCGI_AUTH_RATE_LIMIT_SLOW_MAX (3) per
 *                      FCGI_AUTH_RATE_LIMIT_SLOW_WINDOW (60 s) (request-password-
 *                      reset, send-verification-email): kept in the `rateLimit`
 *                      collection as Better Auth's database storage keeps them
 *                      ({key, count: int32, lastRequest: double epoch ms}), exact
 *                      across processes and hosts on any store.
 * The client is REMOTE_ADDR, or the right-most X-Forwarded-For hop that is not
 * a configured trusted proxy when REMOTE_ADDR is one.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct request;

enum ratelimit_rule { RATELIMIT_DEFAULT, RATELIMIT_STRICT, RATELIMIT_SLOW };

enum ratelimit_result {
	RATELIMIT_ALLOW = 0,
	RATELIMIT_REJECT,     /* answer 429 with X-Retry-After */
	RATELIMIT_UNAVAILABLE /* not counted: the store (or the table's lock) could not be
	                          had; fail closed for STRICT and SLOW, open for DEFAULT */
};

/* Opens the machine-wide table of cfg->runtime_dir, once per process (a
 * refusal is logged at error level: the DEFAULT class is then counted in the
 * store, exact as before but with its round trips). ratelimit_check does it on
 * first use; call it before the accept loop to log at start. Returns whether
 * the table is in use. */
bool ratelimit_init(const struct config *cfg);

/* Unmaps the table (the process is ending). */
void ratelimit_cleanup(void);

/* Counts req against its bucket under rule. On REJECT *retry_after_s is the
 * seconds until the window ends (>= 1); else 0. */
enum ratelimit_result ratelimit_check(const struct request *req, enum ratelimit_rule rule,
                                      long *retry_after_s);

/* The client address used as the key's first part, into buf (size cap):
 * IPv4 as is, IPv6 masked to /64, IPv4-mapped IPv6 as IPv4. A repeated
 * X-Forwarded-For (two spellings the web server folded to one name) is not
 * used at all: the peer's address is. */
void ratelimit_client_ip(const struct request *req, char *buf, size_t cap);

#endif
