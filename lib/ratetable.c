/*
 * ratetable.c — see ratetable.h.
 *
 * A slot's state is (window end in epoch ms) << 20 | count; 0 is "nothing
 * yet" and RATETABLE_MARK "being handed to another key". Linear probing from
 * key % slots over at most RATETABLE_PROBE slots; a key, once written, is
 * never cleared, only replaced by another under the lock, so a lookup ends at
 * the first empty slot. Taking a slot for a new key, under the lock:
 *   1. compare-and-swap its state from the value that showed it reusable
 *      (window over, or evicted) to MARK — an update racing with it fails
 *      one side, and the loser looks again;
 *   2. store the new key;
 *   3. count in it, MARK read as "nothing yet".
 * A lock-free updater that meets MARK takes the lock and looks again, so a
 * slot is never counted for its old and new key at once. A process killed
 * between 1 and 3 leaves a MARK, which the next lock holder reads as "nothing
 * yet" (the entry it replaced was over or evicted anyway).
 *
 * The file appears under its name only once its header (magic, sizes, the
 * SipHash key, the mutex) is written: it is made under a temporary name and
 * hard-linked into place, the first link winning.
 */
#include "ratetable.h"

#include "crypto.h"
#include "log.h"
#include "rundir.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RATETABLE_MAGIC "fcgiarl\1"
#define RATETABLE_COUNT_BITS 20
#define RATETABLE_COUNT_MASK ((UINT64_C(1) << RATETABLE_COUNT_BITS) - 1)
#define RATETABLE_MARK UINT64_MAX
#define RATETABLE_HEADER_SIZE 256
#define RATETABLE_LOCK_WAIT_MS 200
#define RATETABLE_EVICT_LOG_MS 60000

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free across processes");
_Static_assert((RATETABLE_SLOTS & (RATETABLE_SLOTS - 1)) == 0, "RATETABLE_SLOTS is a power of two");
_Static_assert(RATETABLE_COUNT_MAX < RATETABLE_COUNT_MASK, "the all-ones count is MARK's");

struct ratetable_slot {
	_Atomic uint64_t key;   /* 0: empty */
	_Atomic uint64_t state; /* see the top of this file */
};

struct ratetable_header {
	char magic[8];
	uint32_t layout; /* sizes a second build must agree on (a glibc and a musl mutex differ) */
	uint32_t slots;
	unsigned char seed[crypto_shorthash_KEYBYTES];
	_Atomic uint64_t due_ms; /* ratetable_is_due */
	pthread_mutex_t lock __attribute__((aligned(64)));
};

_Static_assert(sizeof(struct ratetable_header) <= RATETABLE_HEADER_SIZE, "header fits");

#define RATETABLE_LAYOUT \
	((uint32_t)(sizeof(pthread_mutex_t) << 16 | sizeof(struct ratetable_slot) << 8 | 1))
#define RATETABLE_SIZE \
	((size_t)RATETABLE_HEADER_SIZE + (size_t)RATETABLE_SLOTS * sizeof(struct ratetable_slot))

struct ratetable {
	struct ratetable_header *hdr;
	struct ratetable_slot *slots;
	int64_t evict_logged_ms;
};

/* What one visit of a slot does with its state. */
struct ratetable_op {
	bool is_put;
	int64_t now, window; /* hit */
	uint32_t max;
	uint32_t count; /* put */
	int64_t end;
	enum ratetable_result result;
	int64_t reject_end;
};

enum ratetable_visit { RATETABLE_DONE, RATETABLE_MOVED, RATETABLE_MARKED };

static uint64_t
ratetable_pack(int64_t end, uint32_t count)
{
	return (uint64_t)end << RATETABLE_COUNT_BITS |
	       (count > RATETABLE_COUNT_MAX ? RATETABLE_COUNT_MAX : count);
}

static int64_t
ratetable_end(uint64_t s)
{
	return (int64_t)(s >> RATETABLE_COUNT_BITS);
}

/* The state to write after state s (0: none yet), or false to write nothing. */
static bool
ratetable_next(struct ratetable_op *op, uint64_t s, uint64_t *next)
{
	uint32_t count = (uint32_t)(s & RATETABLE_COUNT_MASK);

	if (op->is_put) {
		*next = ratetable_pack(op->end, op->count);
		return *next > s;
	}
	if (s == 0 || ratetable_end(s) <= op->now) {
		*next = ratetable_pack(op->now + op->window, 1);
		op->result = RATETABLE_ALLOW;
		return true;
	}
	if (count < op->max) {
		*next = ratetable_pack(op->now + op->window, count + 1);
		op->result = RATETABLE_ALLOW;
		return true;
	}
	op->result = RATETABLE_REJECT;
	op->reject_end = ratetable_end(s);
	return false;
}

static uint64_t
ratetable_hash(const struct ratetable *t, const void *key, size_t n)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, key, n, t->hdr->seed);
	memcpy(&h, out, sizeof h);
	return h ? h : 1;
}

static struct ratetable_slot *
ratetable_slot_at(const struct ratetable *t, uint64_t h, unsigned i)
{
	return &t->slots[(h + i) & (RATETABLE_SLOTS - 1)];
}

/* The slot holding h, or NULL; lock-free. */
static struct ratetable_slot *
ratetable_find(const struct ratetable *t, uint64_t h)
{
	unsigned i;

	for (i = 0; i < RATETABLE_PROBE; i++) {
		struct ratetable_slot *sl = ratetable_slot_at(t, h, i);
		uint64_t k = atomic_load(&sl->key);

		if (k == h)
			return sl;
		if (k == 0)
			break;
	}
	return NULL;
}

/* Applies op to h's slot sl. Without the lock, a MARK means "look again
 * under the lock"; with it, MARK is "nothing yet". */
static enum ratetable_visit
ratetable_visit(struct ratetable_slot *sl, uint64_t h, struct ratetable_op *op, bool locked)
{
	for (;;) {
		uint64_t s = atomic_load(&sl->state), next;

		if (s == RATETABLE_MARK && !locked)
			return RATETABLE_MARKED;
		if (atomic_load(&sl->key) != h)
			return RATETABLE_MOVED;
		if (!ratetable_next(op, s == RATETABLE_MARK ? 0 : s, &next))
			return RATETABLE_DONE;
		if (atomic_compare_exchange_weak(&sl->state, &s, next))
			return RATETABLE_DONE;
	}
}

/* With the lock held: h's slot, taking one for it if it has none (see the
 * top of this file). */
static struct ratetable_slot *
ratetable_claim(struct ratetable *t, uint64_t h, int64_t now)
{
	for (;;) {
		struct ratetable_slot *cand = NULL, *oldest = NULL;
		uint64_t cand_s = 0, oldest_s = 0;
		unsigned i;

		for (i = 0; i < RATETABLE_PROBE; i++) {
			struct ratetable_slot *sl = ratetable_slot_at(t, h, i);
			uint64_t k = atomic_load(&sl->key), s;

			if (k == h)
				return sl;
			if (k == 0) {
				if (!cand)
					cand = sl, cand_s = 0;
				break;
			}
			s = atomic_load(&sl->state);
			if (!cand && (s == RATETABLE_MARK || ratetable_end(s) <= now))
				cand = sl, cand_s = s;
			if (s != RATETABLE_MARK &&
			    (!oldest || ratetable_end(s) < ratetable_end(oldest_s)))
				oldest = sl, oldest_s = s;
		}
		if (!cand) {
			cand = oldest, cand_s = oldest_s;
			if (now - t->evict_logged_ms >= RATETABLE_EVICT_LOG_MS) {
				t->evict_logged_ms = now;
				log_warn("rate table: %u neighbouring entries all live; evicting "
				         "the one that ends "
				         "first (more clients at once than the table holds?)",
				         RATETABLE_PROBE);
			}
		}
		if (atomic_load(&cand->key) == 0) {
			atomic_store(&cand->state, RATETABLE_MARK);
			atomic_store(&cand->key, h);
			return cand;
		}
		if (cand_s != RATETABLE_MARK &&
		    !atomic_compare_exchange_strong(&cand->state, &cand_s, RATETABLE_MARK))
			continue; /* its owner counted meanwhile: look again */
		atomic_store(&cand->key, h);
		return cand;
	}
}

/* Runs op on key's slot: lock-free if it has one, else under the lock. */
static bool
ratetable_run(struct ratetable *t, const void *key, size_t n, struct ratetable_op *op)
{
	uint64_t h = ratetable_hash(t, key, n);
	struct ratetable_slot *sl;
	bool done = false;
	int tries;

	for (tries = 0; !done && tries < 4; tries++) {
		enum ratetable_visit v;

		if (!(sl = ratetable_find(t, h)))
			break;
		if ((v = ratetable_visit(sl, h, op, false)) == RATETABLE_DONE)
			done = true;
		else if (v == RATETABLE_MARKED)
			break;
	}
	if (!done && ratetable_lock(t, RATETABLE_LOCK_WAIT_MS)) {
		sl = ratetable_claim(t, h, op->now);
		ratetable_visit(sl, h, op, true);
		ratetable_unlock(t);
		done = true;
	}
	return done;
}

enum ratetable_result
ratetable_hit(struct ratetable *t, const void *key, size_t n, int64_t now_ms, int64_t window_ms,
              uint32_t max, int64_t *window_end_ms)
{
	struct ratetable_op op = {
		.now = now_ms,
		.window = window_ms,
		.max = max > RATETABLE_COUNT_MAX ? RATETABLE_COUNT_MAX : max,
		.result = RATETABLE_BUSY,
	};

	if (!ratetable_run(t, key, n, &op))
		op.result = RATETABLE_BUSY;
	*window_end_ms = op.result == RATETABLE_REJECT ? op.reject_end : 0;
	return op.result;
}

bool
ratetable_get(struct ratetable *t, const void *key, size_t n, int64_t now_ms, int64_t keep_ms,
              uint32_t *count, int64_t *window_end_ms)
{
	uint64_t h = ratetable_hash(t, key, n), s = 0;
	struct ratetable_slot *sl = ratetable_find(t, h);
	bool held;

	if (sl)
		s = atomic_load(&sl->state);
	held = sl && s != 0 && s != RATETABLE_MARK && atomic_load(&sl->key) == h &&
	       ratetable_end(s) + keep_ms >= now_ms;
	*count = held ? (uint32_t)(s & RATETABLE_COUNT_MASK) : 0;
	*window_end_ms = held ? ratetable_end(s) : 0;
	return held;
}

void
ratetable_put(struct ratetable *t, const void *key, size_t n, int64_t now_ms, uint32_t count,
              int64_t window_end_ms)
{
	struct ratetable_op op = {
		.is_put = true, .now = now_ms, .count = count, .end = window_end_ms};

	ratetable_run(t, key, n, &op); /* a cache: a busy lock only costs a round trip later */
}

bool
ratetable_is_due(struct ratetable *t, int64_t now_ms, int64_t interval_ms)
{
	uint64_t due = atomic_load(&t->hdr->due_ms);

	if ((int64_t)due > now_ms)
		return false;
	return atomic_compare_exchange_strong(&t->hdr->due_ms, &due,
	                                      (uint64_t)(now_ms + interval_ms));
}

void
ratetable_rearm(struct ratetable *t, int64_t at_ms)
{
	atomic_store(&t->hdr->due_ms, (uint64_t)(at_ms > 0 ? at_ms : 0));
}

bool
ratetable_lock(struct ratetable *t, int wait_ms)
{
	struct timespec ts;
	int rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wait_ms / 1000;
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	rc = pthread_mutex_timedlock(&t->hdr->lock, &ts);
	if (rc == EOWNERDEAD) {
		log_warn("rate table: a process died holding the table's lock; carrying on");
		rc = pthread_mutex_consistent(&t->hdr->lock);
	}
	if (rc != 0)
		log_warn("rate table: lock not had within %d ms: %s", wait_ms, strerror(rc));
	return rc == 0;
}

void
ratetable_unlock(struct ratetable *t)
{
	pthread_mutex_unlock(&t->hdr->lock);
}

/* ---- opening */

bool
ratetable_default_dir(char *buf, size_t n, const char *runtime_dir, const char *tmp_dir,
                      const char *secret, size_t secret_len)
{
	int len;

	if (!runtime_dir || runtime_dir[0] != '/')
		return rundir_private(buf, n, tmp_dir, secret,
		                      secret_len); /* the hash slots' too */
	len = snprintf(buf, n, "%s/fcgi-auth", runtime_dir);
	if (len > 0 && (size_t)len < n)
		return true;
	if (n)
		buf[0] = '\0';
	return false;
}

/* dir, made 0700 if missing, opened without following a symlink, and
 * checked to be a directory of ours that nobody else may enter. */
static int
ratetable_open_dir(const char *dir)
{
	struct stat st;
	int dfd = -1;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_error("rate table: cannot make %s: %s", dir, strerror(errno));
		goto done;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		log_error("rate table: cannot open the directory %s: %s", dir,
		          errno == ELOOP || errno == ENOTDIR ? "not a directory (a symlink?)"
		                                             : strerror(errno));
		goto done;
	}
	if (fstat(dfd, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		log_error(
			"rate table: refusing %s: it must be a directory of uid %lu with mode 0700 "
			"(it is uid %lu, mode %04o); another user could read or replace the table",
			dir, (unsigned long)geteuid(), (unsigned long)st.st_uid,
			(unsigned)(st.st_mode & 07777));
		close(dfd);
		dfd = -1;
	}
done:
	return dfd;
}

/* Writes a new table under a temporary name and links it into place; an
 * existing one (another process was quicker) is kept. */
static bool
ratetable_create(int dfd)
{
	pthread_mutexattr_t attr;
	struct ratetable_header *hdr = MAP_FAILED;
	char tmp[64];
	unsigned rnd;
	bool ok = false, have_attr = false;
	int fd;

	crypto_random(&rnd, sizeof rnd);
	snprintf(tmp, sizeof tmp, "%s.%ld.%08x", RATETABLE_FILE, (long)getpid(), rnd);
	fd = openat(dfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("rate table: cannot create %s: %s", tmp, strerror(errno));
		return false;
	}
	if (ftruncate(fd, (off_t)RATETABLE_SIZE) != 0)
		goto done;
	hdr = mmap(NULL, RATETABLE_HEADER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (hdr == MAP_FAILED)
		goto done;
	memcpy(hdr->magic, RATETABLE_MAGIC, sizeof hdr->magic);
	hdr->layout = RATETABLE_LAYOUT;
	hdr->slots = RATETABLE_SLOTS;
	crypto_random(hdr->seed, sizeof hdr->seed);
	atomic_init(&hdr->due_ms, 0);
	if (pthread_mutexattr_init(&attr) != 0)
		goto done;
	have_attr = true;
	if (pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) != 0 ||
	    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) != 0 ||
	    pthread_mutex_init(&hdr->lock, &attr) != 0)
		goto done;
	if (linkat(dfd, tmp, dfd, RATETABLE_FILE, 0) != 0 && errno != EEXIST)
		goto done;
	ok = true;
done:
	if (!ok)
		log_error("rate table: cannot set up a new table: %s", strerror(errno));
	if (have_attr)
		pthread_mutexattr_destroy(&attr);
	if (hdr != MAP_FAILED)
		munmap(hdr, RATETABLE_HEADER_SIZE);
	unlinkat(dfd, tmp, 0);
	close(fd);
	return ok;
}

struct ratetable *
ratetable_open(const char *dir)
{
	struct ratetable *t = NULL;
	struct stat st;
	void *map = MAP_FAILED;
	int dfd, fd = -1;

	if ((dfd = ratetable_open_dir(dir)) < 0)
		return NULL;
	fd = openat(dfd, RATETABLE_FILE, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && ratetable_create(dfd))
		fd = openat(dfd, RATETABLE_FILE, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		log_error("rate table: cannot open %s/%s: %s", dir, RATETABLE_FILE,
		          strerror(errno));
		goto done;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) || st.st_size != (off_t)RATETABLE_SIZE) {
		log_error(
			"rate table: refusing %s/%s: not a regular file of uid %lu, mode 0600, of "
			"%zu bytes",
			dir, RATETABLE_FILE, (unsigned long)geteuid(), RATETABLE_SIZE);
		goto done;
	}
	map = mmap(NULL, RATETABLE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		log_error("rate table: cannot map %s/%s: %s", dir, RATETABLE_FILE, strerror(errno));
		goto done;
	}
	if (memcmp(((struct ratetable_header *)map)->magic, RATETABLE_MAGIC, 8) ||
	    ((struct ratetable_header *)map)->layout != RATETABLE_LAYOUT ||
	    ((struct ratetable_header *)map)->slots != RATETABLE_SLOTS) {
		log_error("rate table: refusing %s/%s: made by another build (remove it to start "
		          "afresh)",
		          dir, RATETABLE_FILE);
		goto done;
	}
	t = xcalloc(1, sizeof *t);
	t->hdr = map;
	t->slots = (struct ratetable_slot *)((char *)map + RATETABLE_HEADER_SIZE);
	t->evict_logged_ms = -RATETABLE_EVICT_LOG_MS;
	map = MAP_FAILED;
done:
	if (map != MAP_FAILED)
		munmap(map, RATETABLE_SIZE);
	if (fd >= 0)
		close(fd);
	close(dfd);
	return t;
}

void
ratetable_close(struct ratetable *t)
{
	if (!t)
		return;
	munmap(t->hdr, RATETABLE_SIZE);
	free(t);
}
