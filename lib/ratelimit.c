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
 * Both decisions are made by the server, so concurrent processes never let
 * more than max through in a window.
 */
#include "ratelimit.h"

#include "config.h"
#include "db.h"
#include "log.h"
#include "request.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

bool
ratelimit_is_strict(const char *path)
{
	static const char *const strict[] = {"/sign-in", "/sign-up", "/change-password",
	                                     "/change-email"};
	size_t i;

	if (!strncmp(path, "/api/auth", 9))
		path += 9;
	for (i = 0; i < sizeof(strict) / sizeof(strict[0]); i++)
		if (!strncmp(path, strict[i], strlen(strict[i])))
			return true;
	return false;
}

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

enum ratelimit_result
ratelimit_check(const struct request *req, long *retry_after_s)
{
	const struct config *cfg = req->cfg;
	bool strict = ratelimit_is_strict(req->path);
	int64_t max = strict ? cfg->rl_strict_max : cfg->rl_max;
	double now = (double)req->now_ms, window_ms = (double)cfg->rl_window * 1000.0;
	const char *path = req->path;
	char ip[64], key[512];
	bson_t filter = BSON_INITIALIZER;
	bson_t *doc = NULL;
	enum db_status st = DB_OK;
	int attempt;

	*retry_after_s = 0;
	if (!strncmp(path, "/api/auth", 9))
		path += 9;
	ratelimit_client_ip(req, ip, sizeof(ip));
	snprintf(key, sizeof(key), "%s|%.400s", ip, path);
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
			st = DB_FAILED; /* marks "rejected" below */
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
	}
	bson_destroy(doc);
	bson_destroy(&filter);
	if (*retry_after_s > 0)
		return RATELIMIT_REJECT;
	if (st == DB_OK)
		return RATELIMIT_ALLOW;
	if (st == DB_DUPLICATE) /* raced twice: count it as allowed once more */
		return RATELIMIT_ALLOW;
	log_warn("rate limit store unavailable for %s", path);
	return RATELIMIT_UNAVAILABLE;
}
