/*
 * metrics.c — see metrics.h.
 *
 * The segment: a header (set-up state, layout magic, size, name), the fixed
 * counters, and a table of endpoints, each with its status codes and its
 * histogram buckets. Every number is an _Atomic uint64_t updated with a
 * relaxed fetch-add (lock-free on every target we build for, checked below,
 * and address-free, so it works across processes). Shared memory starts
 * zeroed, so zero is every number's first value.
 *
 * Names are claimed without locks: an endpoint slot goes from free (0) to
 * naming (1) by compare-and-swap, its name is written, then it is named (2,
 * release); a status slot's code goes from 0 to the code by compare-and-swap.
 * A process that finds a slot being named waits a moment for it; if its
 * claimant died there, it moves on, and the same name may then be claimed
 * twice — metrics_render adds such slots together.
 *
 * The key: 'm' in the top byte and 24 bits of FNV-1a over the user id and
 * the name. Two names can share a key; the name in the header tells, and
 * the second one's metrics are off (logged).
 */
#include "metrics.h"

#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#if ATOMIC_LONG_LOCK_FREE != 2 || ATOMIC_LLONG_LOCK_FREE != 2 || ATOMIC_INT_LOCK_FREE != 2
#error "metrics.c needs lock-free 32- and 64-bit atomics"
#endif

#define METRICS_MAGIC 0x666361756d657401ULL /* "fcaumet" + layout version 1 */
#define METRICS_MAX_COUNTERS 128
#define METRICS_MAX_ENDPOINTS 64
#define METRICS_MAX_STATUS 24
#define METRICS_NAME_MAX 48
#define METRICS_SEG_NAME_MAX 64
#define METRICS_DEFAULT_NAME "fcgi-auth"

enum { METRICS_FREE, METRICS_NAMING, METRICS_READY };

/* Histogram bounds, microseconds, and their `le` labels. */
static const uint64_t metrics_bounds_us[] = {1000,    2500,    5000,    10000,  25000,
                                             50000,   100000,  250000,  500000, 1000000,
                                             2500000, 5000000, 10000000};
static const char *const metrics_le[] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                                         "0.25",  "0.5",    "1",     "2.5",  "5",     "10"};
#define METRICS_BUCKETS (sizeof(metrics_bounds_us) / sizeof(metrics_bounds_us[0]))

struct metrics_status {
	_Atomic uint32_t code; /* 0: free */
	_Atomic uint64_t count;
};

struct metrics_endpoint {
	_Atomic uint32_t state;
	char name[METRICS_NAME_MAX];
	struct metrics_status status[METRICS_MAX_STATUS];
	_Atomic uint64_t other_status;
	_Atomic uint64_t bucket[METRICS_BUCKETS + 1]; /* [i]: <= bound i; last: above all */
	_Atomic uint64_t sum_us;
};

struct metrics_seg {
	_Atomic uint32_t state;
	uint32_t size;
	uint64_t magic;
	char name[METRICS_SEG_NAME_MAX];
	_Atomic uint64_t counter[METRICS_MAX_COUNTERS];
	_Atomic uint64_t hash_wait_us;
	struct metrics_endpoint other; /* endpoints beyond the table */
	struct metrics_endpoint endpoint[METRICS_MAX_ENDPOINTS];
};

_Static_assert(METRICS_COUNTER_COUNT <= METRICS_MAX_COUNTERS, "too many counters for the layout");

static struct metrics_seg *metrics_seg;

/* A few endpoints this process has looked up (a program has a handful). */
#define METRICS_CACHE 8
static struct {
	char name[METRICS_NAME_MAX];
	struct metrics_endpoint *ep;
} metrics_cache[METRICS_CACHE];

static key_t
metrics_key(const char *name)
{
	uint32_t h = 2166136261u;
	unsigned long uid = (unsigned long)geteuid();
	const unsigned char *p = (const unsigned char *)&uid;
	size_t i;

	for (i = 0; i < sizeof uid; i++)
		h = (h ^ p[i]) * 16777619u;
	for (p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return (key_t)(((uint32_t)'m' << 24) | (h & 0xffffffu));
}

/* The id of the segment of key if it is ours: owner and creator this user,
 * mode 0600, large enough. -1 otherwise (why in *why). */
static int
metrics_checked_id(int id, const char **why)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds) != 0) {
		*why = strerror(errno);
		return -1;
	}
	if (ds.shm_perm.uid != geteuid() || ds.shm_perm.cuid != geteuid() ||
	    (ds.shm_perm.mode & 0777) != 0600) {
		*why = "it is not this user's, or not mode 0600";
		return -1;
	}
	if (ds.shm_segsz < sizeof(struct metrics_seg)) {
		*why = "it is smaller than this version's layout";
		return -1;
	}
	return id;
}

static void
metrics_setup(struct metrics_seg *seg, const char *name)
{
	seg->size = (uint32_t)sizeof(*seg);
	seg->magic = METRICS_MAGIC;
	snprintf(seg->name, sizeof seg->name, "%s", name);
	atomic_store_explicit(&seg->state, METRICS_READY, memory_order_release);
}

bool
metrics_init(const char *name)
{
	const struct timespec tick = {0, 1000000};
	struct metrics_seg *seg = NULL;
	const char *why = NULL;
	bool created = false, ok = false;
	key_t key;
	int id, i;
	uint32_t st;

	metrics_cleanup();
	if (!name || !*name)
		name = METRICS_DEFAULT_NAME;
	if (strlen(name) >= METRICS_SEG_NAME_MAX) {
		log_warn("metrics off: the metrics name is longer than %d bytes",
		         METRICS_SEG_NAME_MAX - 1);
		return false;
	}
	key = metrics_key(name);
	id = shmget(key, sizeof(struct metrics_seg), IPC_CREAT | IPC_EXCL | 0600);
	if (id >= 0)
		created = true;
	else if (errno == EEXIST)
		id = shmget(key, 0, 0);
	if (id < 0) {
		why = strerror(errno);
		goto done;
	}
	if ((id = metrics_checked_id(id, &why)) < 0)
		goto done;
	seg = shmat(id, NULL, 0);
	if (seg == (void *)-1) {
		seg = NULL;
		why = strerror(errno);
		goto done;
	}
	/* Its creator sets it up right after shmget; one that died in between
	 * left it new, so after a second whoever gets there first does. */
	st = METRICS_FREE;
	if (created && atomic_compare_exchange_strong(&seg->state, &st, METRICS_NAMING))
		metrics_setup(seg, name);
	for (i = 0;
	     i < 1000 && atomic_load_explicit(&seg->state, memory_order_acquire) != METRICS_READY;
	     i++)
		nanosleep(&tick, NULL);
	st = METRICS_FREE;
	if (atomic_compare_exchange_strong(&seg->state, &st, METRICS_NAMING))
		metrics_setup(seg, name);
	if (atomic_load_explicit(&seg->state, memory_order_acquire) != METRICS_READY) {
		why = "its creator never finished setting it up";
		goto done;
	}
	if (seg->magic != METRICS_MAGIC || seg->size != sizeof(*seg)) {
		why = "it has another version's layout";
		goto done;
	}
	if (strncmp(seg->name, name, sizeof seg->name) != 0) {
		why = "another metrics name has the same key";
		goto done;
	}
	metrics_seg = seg;
	ok = true;
done:
	if (!ok) {
		if (seg)
			shmdt(seg);
		log_warn("metrics off: shared memory key 0x%08x (`ipcs -m`; remove with `ipcrm -M "
		         "0x%08x`): %s",
		         (unsigned)key, (unsigned)key, why ? why : "unknown");
	}
	return ok;
}

void
metrics_cleanup(void)
{
	if (metrics_seg)
		shmdt(metrics_seg);
	metrics_seg = NULL;
	memset(metrics_cache, 0, sizeof metrics_cache);
}

void
metrics_remove(const char *name)
{
	const char *why;
	int id;

	if (!name || !*name)
		name = METRICS_DEFAULT_NAME;
	id = shmget(metrics_key(name), 0, 0);
	if (id >= 0 && metrics_checked_id(id, &why) >= 0)
		shmctl(id, IPC_RMID, NULL);
}

static void
metrics_add(_Atomic uint64_t *v, uint64_t n)
{
	atomic_fetch_add_explicit(v, n, memory_order_relaxed);
}

static uint64_t
metrics_get(_Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

void
metrics_count(enum metrics_counter c)
{
	if (metrics_seg && (unsigned)c < METRICS_COUNTER_COUNT)
		metrics_add(&metrics_seg->counter[c], 1);
}

static uint64_t
metrics_us(double seconds)
{
	if (!(seconds > 0))
		return 0;
	if (seconds > 1e6)
		seconds = 1e6;
	return (uint64_t)(seconds * 1e6 + 0.5);
}

void
metrics_hash_slot_wait(double seconds)
{
	if (metrics_seg)
		metrics_add(&metrics_seg->hash_wait_us, metrics_us(seconds));
}

/* The slot named name (sanitised), claiming a free one; &other when full. */
static struct metrics_endpoint *
metrics_endpoint(const char *name)
{
	struct metrics_endpoint *ep;
	int i, spin;

	for (i = 0; i < METRICS_MAX_ENDPOINTS; i++) {
		uint32_t st;

		ep = &metrics_seg->endpoint[i];
		st = atomic_load_explicit(&ep->state, memory_order_acquire);
		if (st == METRICS_FREE) {
			if (atomic_compare_exchange_strong(&ep->state, &st, METRICS_NAMING)) {
				memcpy(ep->name, name, METRICS_NAME_MAX);
				atomic_store_explicit(&ep->state, METRICS_READY,
				                      memory_order_release);
				return ep;
			}
			/* st now holds what another process set */
		}
		for (spin = 0; st == METRICS_NAMING && spin < 10000; spin++) {
			sched_yield();
			st = atomic_load_explicit(&ep->state, memory_order_acquire);
		}
		if (st == METRICS_READY && strncmp(ep->name, name, METRICS_NAME_MAX) == 0)
			return ep;
	}
	return &metrics_seg->other;
}

static _Atomic uint64_t *
metrics_status(struct metrics_endpoint *ep, int status)
{
	int i;

	if (status < 100 || status > 999)
		return &ep->other_status;
	for (i = 0; i < METRICS_MAX_STATUS; i++) {
		uint32_t code = atomic_load_explicit(&ep->status[i].code, memory_order_relaxed);

		if (code == 0) {
			if (atomic_compare_exchange_strong(&ep->status[i].code, &code,
			                                   (uint32_t)status))
				return &ep->status[i].count; /* claimed */
			/* code: what another process claimed it for */
		}
		if (code == (uint32_t)status)
			return &ep->status[i].count;
	}
	return &ep->other_status;
}

void
metrics_request(const char *endpoint, int status, double seconds)
{
	char name[METRICS_NAME_MAX] = {0};
	struct metrics_endpoint *ep = NULL;
	uint64_t us = metrics_us(seconds);
	size_t i, b;

	if (!metrics_seg)
		return;
	for (i = 0; endpoint && endpoint[i] && i < METRICS_NAME_MAX - 1; i++) {
		char c = endpoint[i];

		name[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		                          (c >= '0' && c <= '9') || strchr("/_.:-", c)
		                  ? c
		                  : '_';
	}
	if (!name[0])
		strcpy(name, "unknown");
	for (i = 0; i < METRICS_CACHE && metrics_cache[i].ep; i++)
		if (!strcmp(metrics_cache[i].name, name)) {
			ep = metrics_cache[i].ep;
			break;
		}
	if (!ep) {
		ep = metrics_endpoint(name);
		if (i < METRICS_CACHE && ep != &metrics_seg->other) {
			memcpy(metrics_cache[i].name, name, sizeof name);
			metrics_cache[i].ep = ep;
		}
	}
	metrics_add(metrics_status(ep, status), 1);
	for (b = 0; b < METRICS_BUCKETS && us > metrics_bounds_us[b]; b++)
		;
	metrics_add(&ep->bucket[b], 1);
	metrics_add(&ep->sum_us, us);
}

/* ---------------------------------------------------------------- render */

static const struct {
	const char *name, *help, *label;
} metrics_families[] = {
	{"fcgi_auth_sign_in_total", "Sign-in attempts by outcome.", "outcome"},
	{"fcgi_auth_sign_in_invalid_credentials_total",
         "Sign-ins refused for invalid credentials, by reason (the answers are identical).",
         "reason"},
	{"fcgi_auth_sign_up_total", "Sign-up attempts by outcome.", "outcome"},
	{"fcgi_auth_sessions_served_total", "Valid sessions answered, by where they were read.",
         "source"},
	{"fcgi_auth_hash_slot_waits_total", "Password hashes that waited for a free hash slot.",
         NULL},
	{"fcgi_auth_hash_slot_wait_timeouts_total",
         "Password hashes that found no free slot in time and hashed anyway.", NULL},
};

static const struct {
	unsigned family;
	const char *value; /* the label's value */
} metrics_rows[METRICS_COUNTER_COUNT] = {
	[METRICS_SIGN_IN_OK] = {0, "ok"},
	[METRICS_SIGN_IN_INVALID_CREDENTIALS] = {0, "invalid_credentials"},
	[METRICS_SIGN_IN_RATE_LIMITED] = {0, "rate_limited"},
	[METRICS_SIGN_IN_STORE_UNAVAILABLE] = {0, "store_unavailable"},
	[METRICS_SIGN_IN_INVALID_REQUEST] = {0, "invalid_request"},
	[METRICS_SIGN_IN_UNKNOWN_EMAIL] = {1, "unknown_email"},
	[METRICS_SIGN_IN_WRONG_PASSWORD] = {1, "wrong_password"},
	[METRICS_SIGN_UP_OK] = {2, "ok"},
	[METRICS_SIGN_UP_USER_EXISTS] = {2, "user_exists"},
	[METRICS_SIGN_UP_RATE_LIMITED] = {2, "rate_limited"},
	[METRICS_SIGN_UP_STORE_UNAVAILABLE] = {2, "store_unavailable"},
	[METRICS_SIGN_UP_INVALID_REQUEST] = {2, "invalid_request"},
	[METRICS_SESSION_FROM_DATABASE] = {3, "database"},
	[METRICS_SESSION_FROM_COOKIE_CACHE] = {3, "cookie_cache"},
	[METRICS_HASH_SLOT_WAITS] = {4, NULL},
	[METRICS_HASH_SLOT_TIMEOUTS] = {5, NULL},
};

/* One endpoint's numbers, added up over every slot of that name. */
struct metrics_sum {
	struct {
		uint32_t code;
		uint64_t count;
	} status[METRICS_MAX_STATUS * 4];
	size_t n_status;
	uint64_t other_status, bucket[METRICS_BUCKETS + 1], sum_us;
};

static void
metrics_sum_add(struct metrics_sum *s, struct metrics_endpoint *ep)
{
	size_t i, j;

	for (i = 0; i < METRICS_MAX_STATUS; i++) {
		uint32_t code = atomic_load_explicit(&ep->status[i].code, memory_order_relaxed);
		uint64_t n = metrics_get(&ep->status[i].count);

		if (code == 0)
			continue;
		for (j = 0; j < s->n_status && s->status[j].code != code; j++)
			;
		if (j == s->n_status) {
			if (j == sizeof(s->status) / sizeof(s->status[0])) {
				s->other_status += n;
				continue;
			}
			s->status[j].code = code;
			s->status[j].count = 0;
			s->n_status++;
		}
		s->status[j].count += n;
	}
	s->other_status += metrics_get(&ep->other_status);
	for (i = 0; i <= METRICS_BUCKETS; i++)
		s->bucket[i] += metrics_get(&ep->bucket[i]);
	s->sum_us += metrics_get(&ep->sum_us);
}

static int
metrics_code_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The endpoints to show: one per distinct name, "other" last if used. */
static size_t
metrics_names(struct metrics_endpoint **eps)
{
	size_t n = 0, i, j;

	for (i = 0; i < METRICS_MAX_ENDPOINTS; i++) {
		struct metrics_endpoint *ep = &metrics_seg->endpoint[i];

		if (atomic_load_explicit(&ep->state, memory_order_acquire) != METRICS_READY)
			continue;
		for (j = 0; j < n && strncmp(eps[j]->name, ep->name, METRICS_NAME_MAX) != 0; j++)
			;
		if (j == n)
			eps[n++] = ep;
	}
	return n;
}

static void
metrics_sum_of(const char *name, struct metrics_endpoint *other, struct metrics_sum *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	if (other) {
		metrics_sum_add(s, other);
	} else {
		for (i = 0; i < METRICS_MAX_ENDPOINTS; i++) {
			struct metrics_endpoint *ep = &metrics_seg->endpoint[i];

			if (atomic_load_explicit(&ep->state, memory_order_acquire) ==
			            METRICS_READY &&
			    strncmp(ep->name, name, METRICS_NAME_MAX) == 0)
				metrics_sum_add(s, ep);
		}
	}
	qsort(s->status, s->n_status, sizeof(s->status[0]), metrics_code_cmp);
}

static void
metrics_render_requests(FILE *f)
{
	struct metrics_endpoint *eps[METRICS_MAX_ENDPOINTS];
	struct metrics_sum *sums = xcalloc(METRICS_MAX_ENDPOINTS + 1, sizeof(*sums));
	const char *names[METRICS_MAX_ENDPOINTS + 1];
	size_t n = metrics_names(eps), i, j;
	uint64_t total;

	if (!sums)
		abort();
	for (i = 0; i < n; i++) {
		names[i] = eps[i]->name;
		metrics_sum_of(eps[i]->name, NULL, &sums[i]);
	}
	metrics_sum_of("other", &metrics_seg->other, &sums[n]);
	for (total = 0, j = 0; j <= METRICS_BUCKETS; j++)
		total += sums[n].bucket[j];
	if (total > 0)
		names[n++] = "other";
	fputs("# HELP fcgi_auth_requests_total Requests answered, by endpoint and HTTP status.\n"
	      "# TYPE fcgi_auth_requests_total counter\n",
	      f);
	for (i = 0; i < n; i++) {
		for (j = 0; j < sums[i].n_status; j++)
			fprintf(f, "fcgi_auth_requests_total{endpoint=\"%s\",status=\"%u\"} %llu\n",
			        names[i], (unsigned)sums[i].status[j].code,
			        (unsigned long long)sums[i].status[j].count);
		if (sums[i].other_status)
			fprintf(f,
			        "fcgi_auth_requests_total{endpoint=\"%s\",status=\"other\"} %llu\n",
			        names[i], (unsigned long long)sums[i].other_status);
	}
	fputs("# HELP fcgi_auth_request_duration_seconds Time from the start of a request to its "
	      "answer.\n"
	      "# TYPE fcgi_auth_request_duration_seconds histogram\n",
	      f);
	for (i = 0; i < n; i++) {
		for (total = 0, j = 0; j <= METRICS_BUCKETS; j++) {
			total += sums[i].bucket[j];
			fprintf(f,
			        "fcgi_auth_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%"
			        "s\"} %llu\n",
			        names[i], j < METRICS_BUCKETS ? metrics_le[j] : "+Inf",
			        (unsigned long long)total);
		}
		fprintf(f, "fcgi_auth_request_duration_seconds_sum{endpoint=\"%s\"} %.6f\n",
		        names[i], (double)sums[i].sum_us / 1e6);
		fprintf(f, "fcgi_auth_request_duration_seconds_count{endpoint=\"%s\"} %llu\n",
		        names[i], (unsigned long long)total);
	}
	free(sums);
}

bool
metrics_render(char **text, size_t *len)
{
	FILE *f;
	size_t fam, c;

	*text = NULL;
	*len = 0;
	if (!metrics_seg)
		return false;
	f = open_memstream(text, len);
	if (!f)
		abort();
	metrics_render_requests(f);
	for (fam = 0; fam < sizeof(metrics_families) / sizeof(metrics_families[0]); fam++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s counter\n", metrics_families[fam].name,
		        metrics_families[fam].help, metrics_families[fam].name);
		for (c = 0; c < METRICS_COUNTER_COUNT; c++) {
			unsigned long long v =
				(unsigned long long)metrics_get(&metrics_seg->counter[c]);

			if (metrics_rows[c].family != fam)
				continue;
			if (metrics_rows[c].value)
				fprintf(f, "%s{%s=\"%s\"} %llu\n", metrics_families[fam].name,
				        metrics_families[fam].label, metrics_rows[c].value, v);
			else
				fprintf(f, "%s %llu\n", metrics_families[fam].name, v);
		}
	}
	fprintf(f,
	        "# HELP fcgi_auth_hash_slot_wait_seconds_total Time password hashes spent waiting "
	        "for a hash slot.\n# TYPE fcgi_auth_hash_slot_wait_seconds_total counter\n"
	        "fcgi_auth_hash_slot_wait_seconds_total %.6f\n",
	        (double)metrics_get(&metrics_seg->hash_wait_us) / 1e6);
	if (fclose(f) != 0)
		abort();
	return true;
}
