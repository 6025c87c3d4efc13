/*
 * ratelimit.c — see ratelimit.h.
 *
 * One request, usually one round trip:
 *   1. findAndModify {key, lastRequest > now-window, count < max}
 *        → $inc count, $set lastRequest            allowed (within the window)
 *   2. findAndModify {key, lastRequest <= now-window}
 *        → $set count 1, lastRequest now            allowed (window over)
 *   3. find {key}: none → insert {key, 1, now}       allowed (first request;
 *        a duplicate key means another process just created it: go to 1)
 *      else                                          rejected (count >= max)
 * On MongoDB both decisions are atomic on the server, so concurrent processes
 * never let more than max through in a window. The strict buckets (sign-in,
 * sign-up) also take a lock document first (ratelimit_lock), which keeps them
 * exact on stores whose findAndModify is a read then a write.
 */
#include "ratelimit.h"

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "request.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Writes the normalised form of the address s[0..n) into buf; false if it is
 * not an IP address. */
static bool
ratelimit_normalize(const char *s, size_t n, char *buf, size_t cap)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	unsigned char a[16];
	struct in_addr v4;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, &v4) == 1)
		return inet_ntop(AF_INET, &v4, buf, (socklen_t)cap) != NULL;
	if (inet_pton(AF_INET6, tmp, a) != 1)
		return false;
	if (!memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
		memcpy(&v4, a + 12, 4);
		return inet_ntop(AF_INET, &v4, buf, (socklen_t)cap) != NULL;
	}
	memset(a + 8, 0, 8); /* one bucket per /64 */
	return inet_ntop(AF_INET6, a, buf, (socklen_t)cap) != NULL;
}

void
ratelimit_client_ip(const struct request *req, char *buf, size_t cap)
{
	const char *ra = req->remote_addr ? req->remote_addr : "";
	const char *xff = req->forwarded_for, *end;

	/* X-Forwarded-For only when the peer is a proxy we trust; then the
	 * right-most hop that is not one of ours (never the left-most: the
	 * client writes that one). */
	if (xff && config_is_trusted_proxy(req->cfg, ra, strlen(ra))) {
		end = xff + strlen(xff);
		while (end > xff) {
			const char *start = end;
			size_t n;

			while (start > xff && start[-1] != ',')
				start--;
			n = (size_t)(end - start);
			while (n && (*start == ' ' || *start == '\t'))
				start++, n--;
			while (n && (start[n - 1] == ' ' || start[n - 1] == '\t'))
				n--;
			if (!config_is_trusted_proxy(req->cfg, start, n)) {
				if (ratelimit_normalize(start, n, buf, cap))
					return;
				break; /* garbage in the chain: fall back to the peer */
			}
			end = start > xff ? start - 1 : xff;
			while (end > xff && end[-1] == ',')
				end--;
		}
	}
	if (!ratelimit_normalize(ra, strlen(ra), buf, cap))
		snprintf(buf, cap, "no-trusted-ip");
}

static enum db_status
ratelimit_bump(const char *key, double now, double window_ms, int64_t max, bool reset)
{
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, cond, set;
	bson_t *doc = NULL;
	enum db_status st;

	BSON_APPEND_UTF8(&filter, "key", key);
	BSON_APPEND_DOCUMENT_BEGIN(&filter, "lastRequest", &cond);
	BSON_APPEND_DOUBLE(&cond, reset ? "$lte" : "$gt", now - window_ms);
	bson_append_document_end(&filter, &cond);
	if (!reset) {
		BSON_APPEND_DOCUMENT_BEGIN(&filter, "count", &cond);
		BSON_APPEND_INT32(&cond, "$lt", (int32_t)max);
		bson_append_document_end(&filter, &cond);
		BSON_APPEND_DOCUMENT_BEGIN(&update, "$inc", &set);
		BSON_APPEND_INT32(&set, "count", 1);
		bson_append_document_end(&update, &set);
	}
	BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
	if (reset)
		BSON_APPEND_INT32(&set, "count", 1);
	BSON_APPEND_DOUBLE(&set, "lastRequest", now);
	bson_append_document_end(&update, &set);
	st = db_find_and_modify(DB_RATE_LIMIT, &filter, &update, false, &doc);
	bson_destroy(doc);
	bson_destroy(&update);
	bson_destroy(&filter);
	return st;
}

/* Counts one request against key with Better Auth's algorithm. DB_OK:
 * allowed; DB_FAILED with *retry_after_s set: refused; else the store failed. */
static enum db_status
ratelimit_count(const char *key, double now, double window_ms, int64_t max, long *retry_after_s)
{
	bson_t filter = BSON_INITIALIZER;
	bson_t *doc = NULL;
	enum db_status st = DB_OK;
	int attempt;

	BSON_APPEND_UTF8(&filter, "key", key);
	for (attempt = 0; attempt < 2; attempt++) {
		bson_t *ins;
		bson_iter_t it;
		bson_oid_t oid;

		if ((st = ratelimit_bump(key, now, window_ms, max, false)) != DB_NOT_FOUND)
			break;
		if ((st = ratelimit_bump(key, now, window_ms, max, true)) != DB_NOT_FOUND)
			break;
		st = db_find_one(DB_RATE_LIMIT, &filter, &doc);
		if (st == DB_OK) {
			double last = 0;

			if (bson_iter_init_find(&it, doc, "lastRequest") && BSON_ITER_HOLDS_NUMBER(&it))
				last = bson_iter_as_double(&it);
			*retry_after_s = (long)((last + window_ms - now + 999) / 1000);
			if (*retry_after_s < 1)
				*retry_after_s = 1;
			st = DB_FAILED;
			break;
		}
		if (st != DB_NOT_FOUND)
			break;
		ins = bson_new();
		bson_oid_init(&oid, NULL);
		BSON_APPEND_OID(ins, "_id", &oid);
		BSON_APPEND_UTF8(ins, "key", key);
		BSON_APPEND_INT32(ins, "count", 1);
		BSON_APPEND_DOUBLE(ins, "lastRequest", now);
		st = db_insert(DB_RATE_LIMIT, ins);
		bson_destroy(ins);
		if (st != DB_DUPLICATE) /* created it, or failed */
			break;
		/* another process created it first: count against it */
	}
	if (st == DB_DUPLICATE) /* raced twice: count it as allowed once more */
		st = DB_OK;
	bson_destroy(doc);
	bson_destroy(&filter);
	return st;
}

/* The strict buckets (sign-in, sign-up) are counted under a lock: a
 * "<key>#lock" document that the unique index on `key` lets only one process
 * insert. MongoDB's findAndModify is atomic and would not need it, but stores
 * that run it as a read then a write (FerretDB 1.24) would let parallel
 * requests through; the lock makes the count exact on any store. A lock
 * older than RATELIMIT_LOCK_STALE_MS (its holder died) is taken over. */
#define RATELIMIT_LOCK_STALE_MS 2000
#define RATELIMIT_LOCK_WAIT_MS 1500

static enum db_status
ratelimit_lock(const char *lock_key, int32_t nonce)
{
	int64_t start = request_now_ms(), now;
	enum db_status st;

	for (;;) {
		bson_t *doc = bson_new(), *held = NULL, filter = BSON_INITIALIZER;
		bson_oid_t oid;

		now = request_now_ms();
		bson_oid_init(&oid, NULL);
		BSON_APPEND_OID(doc, "_id", &oid);
		BSON_APPEND_UTF8(doc, "key", lock_key);
		BSON_APPEND_INT32(doc, "count", nonce);
		BSON_APPEND_DOUBLE(doc, "lastRequest", (double)now);
		st = db_insert(DB_RATE_LIMIT, doc);
		bson_destroy(doc);
		if (st != DB_DUPLICATE)
			return st;
		/* Held by another request: take it over if its holder died. */
		BSON_APPEND_UTF8(&filter, "key", lock_key);
		st = db_find_one(DB_RATE_LIMIT, &filter, &held);
		if (st == DB_OK) {
			bson_iter_t it;

			if (bson_iter_init_find(&it, held, "lastRequest") && BSON_ITER_HOLDS_NUMBER(&it) &&
			    bson_iter_as_double(&it) < (double)(now - RATELIMIT_LOCK_STALE_MS)) {
				bson_t stale = BSON_INITIALIZER, cond;

				BSON_APPEND_UTF8(&stale, "key", lock_key);
				BSON_APPEND_DOCUMENT_BEGIN(&stale, "lastRequest", &cond);
				BSON_APPEND_DOUBLE(&cond, "$lt", (double)(now - RATELIMIT_LOCK_STALE_MS));
				bson_append_document_end(&stale, &cond);
				log_warn("rate limit: taking over a stale lock");
				db_delete(DB_RATE_LIMIT, &stale, false);
				bson_destroy(&stale);
			}
		}
		bson_destroy(held);
		bson_destroy(&filter);
		if (st != DB_OK && st != DB_NOT_FOUND)
			return st;
		if (now - start > RATELIMIT_LOCK_WAIT_MS)
			return DB_UNAVAILABLE;
		{
			struct timespec ts = {0, 5 * 1000 * 1000};

			nanosleep(&ts, NULL);
		}
	}
}

static void
ratelimit_unlock(const char *lock_key, int32_t nonce)
{
	bson_t filter = BSON_INITIALIZER;

	BSON_APPEND_UTF8(&filter, "key", lock_key);
	BSON_APPEND_INT32(&filter, "count", nonce);
	if (db_delete(DB_RATE_LIMIT, &filter, false) == DB_UNAVAILABLE)
		log_warn("rate limit: lock not released; it expires in %d ms", RATELIMIT_LOCK_STALE_MS);
	bson_destroy(&filter);
}

enum ratelimit_result
ratelimit_check(const struct request *req, enum ratelimit_rule rule, long *retry_after_s)
{
	const struct config *cfg = req->cfg;
	bool strict = rule != RATELIMIT_DEFAULT;
	int64_t max = rule == RATELIMIT_DEFAULT ? cfg->rl_max : rule == RATELIMIT_STRICT ? cfg->rl_strict_max : 3;
	double now = (double)req->now_ms;
	double window_ms = (rule == RATELIMIT_SLOW ? 60.0 : (double)cfg->rl_window) * 1000.0;
	const char *path = req->path;
	char ip[64], key[512], lock_key[520];
	int32_t nonce = 0;
	enum db_status st = DB_OK;

	*retry_after_s = 0;
	if (!strncmp(path, "/api/auth", 9))
		path += 9;
	ratelimit_client_ip(req, ip, sizeof(ip));
	snprintf(key, sizeof(key), "%s|%.400s", ip, path);
	if (strict) {
		snprintf(lock_key, sizeof(lock_key), "%s#lock", key);
		crypto_random(&nonce, sizeof(nonce));
		st = ratelimit_lock(lock_key, nonce);
	}
	if (st == DB_OK) {
		/* under the lock, the request's own clock would be stale */
		st = ratelimit_count(key, strict ? (double)request_now_ms() : now, window_ms, max,
		                     retry_after_s);
		if (strict)
			ratelimit_unlock(lock_key, nonce);
	}
	if (*retry_after_s > 0)
		return RATELIMIT_REJECT;
	if (st == DB_OK)
		return RATELIMIT_ALLOW;
	log_warn("rate limit store unavailable for %s", path);
	return RATELIMIT_UNAVAILABLE;
}
