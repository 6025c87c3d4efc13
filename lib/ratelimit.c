/*
 * ratelimit.c — see ratelimit.h.
 *
 * DEFAULT: one ratetable_hit on the machine's table, keyed
 * "d|<store>|<ip>|<path>" (<store> a hash of MONGODB_URI and MONGODB_DB, so
 * two sites on one machine never share a bucket). Without the table, as
 * STRICT.
 *
 * STRICT and SLOW: the bucket B = {key, count, lastRequest} in the store, in
 * Better Auth's form, advanced only by compare-and-swap made exact with the
 * one operation every store runs atomically, an insert under a unique index:
 *   - B absent: insert B {count 1} — the first of racing inserts wins, the
 *     others read B and go on below;
 *   - B at version v = (count, lastRequest), refused by the rule: answer 429,
 *     nothing written;
 *   - allowed: insert the token {key: "<key>#<count>@<lastRequest>"} — only
 *     one request can ever hold the token of v — then update B, filtered on
 *     v, to v'. A request that finds the token taken reads B again (its
 *     holder is updating it) and starts over from the newer version.
 * No request waits on another for more than the holder's one update, and a
 * refusal is a read. The machine's table caches each bucket's last version
 * seen ("s|<store>|<key>"), so on one host a request usually knows v without
 * reading B: 1 round trip for a client's first request (the insert), 2 for
 * the next ones (token, update), 0 for a refusal. A cached version only saves
 * round trips: the token and the filter on v decide. A holder that died
 * between its token and its update leaves B at v; after RATELIMIT_STUCK_MS
 * the next request takes a second token, "<key>#<count>@<lastRequest>#2".
 *
 * Tokens, buckets and any lock documents an older version left are removed
 * once their lastRequest is older than twice the longest window, in batches of
 * RATELIMIT_PRUNE_BATCH, by one process per machine every longest window
 * (ratetable_is_due).
 */
#include "ratelimit.h"

#include "config.h"
#include "db.h"
#include "log.h"
#include "ratetable.h"
#include "request.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define RATELIMIT_PRUNE_BATCH 256
#define RATELIMIT_STUCK_MS 1000
#define RATELIMIT_KEY_MAX 512

static struct ratetable *ratelimit_table;
static bool ratelimit_table_tried;
static char ratelimit_store_id[2 * crypto_shorthash_BYTES + 1];
static int64_t ratelimit_prune_at; /* without the table: this process's own timer */

bool
ratelimit_init(const struct config *cfg)
{
	static const unsigned char zero[crypto_shorthash_KEYBYTES];
	unsigned char h[crypto_shorthash_BYTES];
	char id[1024];
	size_t i;
	int n;

	if (!ratelimit_table_tried) {
		ratelimit_table_tried = true;
		n = snprintf(id, sizeof id, "%s\n%s", cfg->mongodb_uri, cfg->mongodb_db);
		crypto_shorthash(h, (const unsigned char *)id,
		                 n < (int)sizeof id ? (size_t)n : sizeof id - 1, zero);
		for (i = 0; i < sizeof h; i++)
			snprintf(ratelimit_store_id + 2 * i, 3, "%02x", h[i]);
		ratelimit_table = ratetable_open(cfg->runtime_dir);
		if (!ratelimit_table)
			log_error("rate limit: no machine-wide table (FCGI_AUTH_RUNTIME_DIR %s, "
			          "see above): "
			          "the general limit is counted in the store instead, with its "
			          "round trips",
			          cfg->runtime_dir);
	}
	return ratelimit_table != NULL;
}

void
ratelimit_cleanup(void)
{
	ratetable_close(ratelimit_table);
	ratelimit_table = NULL;
	ratelimit_table_tried = false;
}

/* Writes the normalised form of the address s[0..n) into buf; false if it is
 * not an IP address. */
/* Dotted quad of v4 into buf (inet_ntop's text, without its sprintf). */
static bool
ratelimit_v4(const struct in_addr *v4, char *buf, size_t cap)
{
	const unsigned char *b = (const unsigned char *)&v4->s_addr;
	char *o = buf;
	int i;

	if (cap < INET_ADDRSTRLEN)
		return false;
	for (i = 0; i < 4; i++) {
		if (i)
			*o++ = '.';
		if (b[i] >= 100)
			*o++ = (char)('0' + b[i] / 100);
		if (b[i] >= 10)
			*o++ = (char)('0' + b[i] / 10 % 10);
		*o++ = (char)('0' + b[i] % 10);
	}
	*o = '\0';
	return true;
}

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
		return ratelimit_v4(&v4, buf, cap);
	if (inet_pton(AF_INET6, tmp, a) != 1)
		return false;
	if (!memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
		memcpy(&v4, a + 12, 4);
		return ratelimit_v4(&v4, buf, cap);
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
	if (xff && !req->forwarded_for_repeated &&
	    config_is_trusted_proxy(req->cfg, ra, strlen(ra))) {
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

/* ---- the exact bucket in the store */

struct ratelimit_bucket {
	bool present;
	int32_t count;
	double last; /* lastRequest, epoch ms */
};

static enum db_status
ratelimit_read(const char *key, struct ratelimit_bucket *b)
{
	bson_t filter = BSON_INITIALIZER, *doc = NULL;
	bson_iter_t it;
	enum db_status st;

	memset(b, 0, sizeof *b);
	BSON_APPEND_UTF8(&filter, "key", key);
	st = db_find_one(DB_RATE_LIMIT, &filter, &doc);
	if (st == DB_OK) {
		b->present = true;
		if (bson_iter_init_find(&it, doc, "count") && BSON_ITER_HOLDS_NUMBER(&it))
			b->count = (int32_t)bson_iter_as_int64(&it);
		if (bson_iter_init_find(&it, doc, "lastRequest") && BSON_ITER_HOLDS_NUMBER(&it))
			b->last = bson_iter_as_double(&it);
	} else if (st == DB_NOT_FOUND) {
		st = DB_OK;
	}
	bson_destroy(doc);
	bson_destroy(&filter);
	return st;
}

/* A document in Better Auth's form: a bucket, or a token. */
static enum db_status
ratelimit_insert(const char *key, int32_t count, double now)
{
	bson_t doc = BSON_INITIALIZER;
	bson_oid_t oid;
	enum db_status st;

	bson_oid_init(&oid, NULL);
	BSON_APPEND_OID(&doc, "_id", &oid);
	BSON_APPEND_UTF8(&doc, "key", key);
	BSON_APPEND_INT32(&doc, "count", count);
	BSON_APPEND_DOUBLE(&doc, "lastRequest", now);
	st = db_insert(DB_RATE_LIMIT, &doc);
	bson_destroy(&doc);
	return st;
}

/* B from version *from to (count, now); DB_NOT_FOUND if B is no longer at it. */
static enum db_status
ratelimit_advance(const char *key, const struct ratelimit_bucket *from, int32_t count, double now)
{
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set;
	enum db_status st;

	BSON_APPEND_UTF8(&filter, "key", key);
	BSON_APPEND_INT32(&filter, "count", from->count);
	BSON_APPEND_DOUBLE(&filter, "lastRequest", from->last);
	BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
	BSON_APPEND_INT32(&set, "count", count);
	BSON_APPEND_DOUBLE(&set, "lastRequest", now);
	bson_append_document_end(&update, &set);
	st = db_update_one(DB_RATE_LIMIT, &filter, &update);
	bson_destroy(&update);
	bson_destroy(&filter);
	return st;
}

static void
ratelimit_remember(const char *tkey, size_t tn, const struct ratelimit_bucket *b, int64_t window,
                   int64_t now)
{
	if (ratelimit_table && b->present && b->count > 0)
		ratetable_put(ratelimit_table, tkey, tn, now, (uint32_t)b->count,
		              (int64_t)b->last + window);
}

/* Counts one request against the bucket key (see the top of this file).
 * tkey[0..tn) is its key in the machine's table. */
static enum ratelimit_result
ratelimit_exact(const struct config *cfg, const char *key, const char *tkey, size_t tn, int64_t max,
                int64_t window, int64_t keep, long *retry_after_s)
{
	enum ratelimit_result res = RATELIMIT_UNAVAILABLE;
	struct ratelimit_bucket b = {0};
	int64_t now = request_now_ms(), give_up = now + cfg->db_timeout_ms + 1000, stuck_since = 0;
	bool known = false, must_read = !ratelimit_table; /* no table: most buckets exist */
	int takeover = 1;
	uint32_t count;
	int64_t end;

	if (ratelimit_table && ratetable_get(ratelimit_table, tkey, tn, now, keep, &count, &end)) {
		b.present = known = true;
		b.count = (int32_t)count;
		b.last = (double)(end - window);
	}
	for (;;) {
		char token[RATELIMIT_KEY_MAX + 64];
		enum db_status st;
		int32_t next;

		now = request_now_ms();
		if (now > give_up) {
			log_warn("rate limit: no decision for a bucket within %d ms",
			         cfg->db_timeout_ms + 1000);
			goto done;
		}
		if (must_read) {
			struct ratelimit_bucket seen = b;

			if (ratelimit_read(key, &b) != DB_OK)
				goto done;
			must_read = false;
			known = true;
			now = request_now_ms(); /* B may have moved after the loop's clock */
			if (seen.present && b.present && seen.count == b.count &&
			    seen.last == b.last) {
				/* its token is taken and B not updated yet: its holder is
				 * about to, or died in between */
				const struct timespec ms = {0, 1000000};

				if (!stuck_since) {
					stuck_since = now;
				} else if (now - stuck_since > RATELIMIT_STUCK_MS) {
					log_warn("rate limit: a bucket stayed %d ms at a version "
					         "whose token is "
					         "taken; taking a second token",
					         RATELIMIT_STUCK_MS);
					takeover++;
					stuck_since = now;
				}
				nanosleep(&ms, NULL);
			} else {
				stuck_since = 0;
				takeover = 1;
			}
			ratelimit_remember(tkey, tn, &b, window, now);
		}
		if (!known || !b.present) {
			/* the first request of the bucket (or of its first window after
			 * pruning): one insert */
			st = ratelimit_insert(key, 1, (double)now);
			if (st == DB_DUPLICATE) {
				must_read = true;
				continue;
			}
			if (st != DB_OK)
				goto done;
			b.present = true, b.count = 1, b.last = (double)now;
			ratelimit_remember(tkey, tn, &b, window, now);
			res = RATELIMIT_ALLOW;
			goto done;
		}
		if (b.last > (double)now) /* moved by a host whose clock is ahead */
			now = (int64_t)b.last;
		if ((double)now - b.last < (double)window && b.count >= max) {
			*retry_after_s =
				(long)((b.last + (double)window - (double)now + 999) / 1000);
			if (*retry_after_s < 1)
				*retry_after_s = 1;
			res = RATELIMIT_REJECT;
			goto done;
		}
		next = (double)now - b.last >= (double)window ? 1 : b.count + 1;
		if (takeover > 1)
			snprintf(token, sizeof token, "%s#%" PRId32 "@%.17g#%d", key, b.count,
			         b.last, takeover);
		else
			snprintf(token, sizeof token, "%s#%" PRId32 "@%.17g", key, b.count, b.last);
		st = ratelimit_insert(token, next, (double)now);
		if (st == DB_DUPLICATE) { /* another request advances from this version */
			must_read = true;
			continue;
		}
		if (st == DB_OK)
			st = ratelimit_advance(key, &b, next, (double)now);
		if (st == DB_NOT_FOUND) { /* B moved without a token (pruned, or another writer) */
			must_read = true;
			continue;
		}
		if (st != DB_OK)
			goto done;
		b.count = next, b.last = (double)now;
		ratelimit_remember(tkey, tn, &b, window, now);
		res = RATELIMIT_ALLOW;
		goto done;
	}
done:
	return res;
}

/* ---- pruning */

/* Removes up to RATELIMIT_PRUNE_BATCH rows whose lastRequest is before
 * cutoff: two round trips, the second filtered on cutoff again so a row
 * refreshed in between stays. True if the batch was full. */
static bool
ratelimit_prune(double cutoff)
{
	bson_t filter = BSON_INITIALIZER, cond, ids, in, del = BSON_INITIALIZER, del_cond;
	bson_t *opts = BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}");
	bson_t **rows = NULL;
	bson_iter_t it;
	size_t n = 0, i;
	int kept = 0;

	BSON_APPEND_DOCUMENT_BEGIN(&filter, "lastRequest", &cond);
	BSON_APPEND_DOUBLE(&cond, "$lt", cutoff);
	bson_append_document_end(&filter, &cond);
	BSON_APPEND_DOCUMENT_BEGIN(&del, "_id", &in);
	BSON_APPEND_ARRAY_BEGIN(&in, "$in", &ids);
	/* A failure is logged there; nothing is pruned this time. */
	(void)db_find_many(DB_RATE_LIMIT, &filter, opts, RATELIMIT_PRUNE_BATCH, &rows, &n);
	for (i = 0; i < n; i++) {
		char idx[16];

		if (bson_iter_init_find(&it, rows[i], "_id")) {
			snprintf(idx, sizeof idx, "%d", kept++);
			bson_append_iter(&ids, idx, -1, &it);
		}
	}
	db_list_free(rows, n);
	bson_append_array_end(&in, &ids);
	bson_append_document_end(&del, &in);
	BSON_APPEND_DOCUMENT_BEGIN(&del, "lastRequest", &del_cond);
	BSON_APPEND_DOUBLE(&del_cond, "$lt", cutoff);
	bson_append_document_end(&del, &del_cond);
	if (kept > 0 && db_delete(DB_RATE_LIMIT, &del, true) == DB_OK)
		log_debug("rate limit: pruned up to %d expired rows", kept);
	bson_destroy(&del);
	bson_destroy(&filter);
	bson_destroy(opts);
	return n == RATELIMIT_PRUNE_BATCH;
}

/* Prunes if it is this process's turn (one per machine with the table). */
static void
ratelimit_maybe_prune(int64_t longest)
{
	int64_t now = request_now_ms();
	bool due;

	if (ratelimit_table) {
		due = ratetable_is_due(ratelimit_table, now, longest);
	} else {
		due = now >= ratelimit_prune_at;
		if (due)
			ratelimit_prune_at = now + longest;
	}
	if (due && ratelimit_prune((double)(now - 2 * longest))) {
		/* more to do: the next request that reaches the store goes on */
		if (ratelimit_table)
			ratetable_rearm(ratelimit_table, 0);
		else
			ratelimit_prune_at = 0;
	}
}

enum ratelimit_result
ratelimit_check(const struct request *req, enum ratelimit_rule rule, long *retry_after_s)
{
	const struct config *cfg = req->cfg;
	int64_t max = rule == RATELIMIT_STRICT ? cfg->rl_strict_max
	              : rule == RATELIMIT_SLOW ? cfg->rl_slow_max
	                                       : cfg->rl_max;
	int64_t window = (rule == RATELIMIT_SLOW ? cfg->rl_slow_window : cfg->rl_window) * 1000;
	int64_t longest =
		(cfg->rl_slow_window > cfg->rl_window ? cfg->rl_slow_window : cfg->rl_window) *
		1000;
	int64_t now = request_now_ms(), end;
	const char *path = req->path;
	char ip[64], key[RATELIMIT_KEY_MAX], tkey[RATELIMIT_KEY_MAX + 64];
	enum ratelimit_result res;
	int tn;

	*retry_after_s = 0;
	ratelimit_init(cfg);
	if (!strncmp(path, "/api/auth", 9))
		path += 9;
	ratelimit_client_ip(req, ip, sizeof(ip));
	/* key = ip|path (at most 400 characters of it); tkey = d|store|key or
	 * s|store|key (by hand: two snprintf cost as much as the table hit) */
	{
		size_t ipn = strlen(ip), pn = strnlen(path, 400), sn = strlen(ratelimit_store_id);

		memcpy(key, ip, ipn);
		key[ipn] = '|';
		memcpy(key + ipn + 1, path, pn);
		key[ipn + 1 + pn] = '\0';
		tkey[0] = rule == RATELIMIT_DEFAULT ? 'd' : 's';
		tkey[1] = '|';
		memcpy(tkey + 2, ratelimit_store_id, sn);
		tkey[2 + sn] = '|';
		memcpy(tkey + 3 + sn, key, ipn + 1 + pn + 1);
		tn = (int)(3 + sn + ipn + 1 + pn);
	}
	if (rule == RATELIMIT_DEFAULT && ratelimit_table) {
		switch (ratetable_hit(ratelimit_table, tkey, (size_t)tn, now, window, (uint32_t)max,
		                      &end)) {
		case RATETABLE_ALLOW: res = RATELIMIT_ALLOW; break;
		case RATETABLE_REJECT:
			*retry_after_s = (long)((end - now + 999) / 1000);
			if (*retry_after_s < 1)
				*retry_after_s = 1;
			res = RATELIMIT_REJECT;
			break;
		default: res = RATELIMIT_UNAVAILABLE;
		}
		goto done;
	}
	/* STRICT, SLOW, and DEFAULT when the table cannot be had */
	res = ratelimit_exact(cfg, key, tkey, (size_t)tn, max, window, 2 * longest - window,
	                      retry_after_s);
	if (res == RATELIMIT_UNAVAILABLE)
		log_warn("rate limit store unavailable for %s", path);
	else
		ratelimit_maybe_prune(longest);
done:
	return res;
}
