/*
 * test_ratetable.c — the machine-wide rate-limit table: Better Auth's
 * counting (max per window, the window starting again at each allowed
 * request, a refusal changing nothing), shared by every handle (each open is
 * what a process does), exact under parallel processes on one key and on new
 * keys, a process killed holding the lock or in the middle of counting leaves
 * the others counting, entries whose window is over are reused and a full
 * neighbourhood evicts, the cache keeps the latest pair, one caller per
 * interval is told to prune, and a directory or file another user could
 * reach (mode, symlink, owner, size, another build's file) is refused.
 */
#include "ratetable.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char base[] = "/tmp/test_ratetable.XXXXXX";

static void
path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", base, name);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum ratetable_result
hit(struct ratetable *t, const char *key, int64_t now, int64_t window, uint32_t max, int64_t *end)
{
	return ratetable_hit(t, key, strlen(key), now, window, max, end);
}

static void
rm_table(const char *dir)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, RATETABLE_FILE);
	unlink(path);
	rmdir(dir);
}

/* A missing directory is made 0700, the file 0600; a second open (another
 * process) sees the same counts. */
static void
test_open_shared(void)
{
	struct ratetable *a, *b;
	char dir[256], file[512];
	struct stat st;
	int64_t end;

	path_in(dir, sizeof dir, "shared");
	a = ratetable_open(dir);
	b = ratetable_open(dir);
	CHECK(a && b, "open twice");
	if (!a || !b)
		goto done;
	CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
	      "directory 0700 (mode %o)", (unsigned)st.st_mode);
	snprintf(file, sizeof file, "%s/%s", dir, RATETABLE_FILE);
	CHECK(stat(file, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600,
	      "file 0600 (mode %o)", (unsigned)st.st_mode);
	CHECK(hit(a, "k", 1000, 10000, 2, &end) == RATETABLE_ALLOW, "1st via a");
	CHECK(hit(b, "k", 1001, 10000, 2, &end) == RATETABLE_ALLOW, "2nd via b");
	CHECK(hit(a, "k", 1002, 10000, 2, &end) == RATETABLE_REJECT && end == 11001,
	      "3rd refused via a, window ends at the last allowed + window (%lld)", (long long)end);
done:
	ratetable_close(a);
	ratetable_close(b);
	rm_table(dir);
}

/* Better Auth's algorithm, request by request (spec §10.3). */
static void
test_rule(void)
{
	struct ratetable *t;
	char dir[256];
	int64_t end;

	path_in(dir, sizeof dir, "rule");
	if (!(t = ratetable_open(dir))) {
		CHECK(0, "open");
		return;
	}
	CHECK(hit(t, "ip|/a", 10000, 1000, 3, &end) == RATETABLE_ALLOW && end == 0, "first");
	CHECK(hit(t, "ip|/a", 10400, 1000, 3, &end) == RATETABLE_ALLOW, "second");
	CHECK(hit(t, "ip|/a", 10800, 1000, 3, &end) == RATETABLE_ALLOW, "third");
	CHECK(hit(t, "ip|/a", 11500, 1000, 3, &end) == RATETABLE_REJECT && end == 11800,
	      "fourth refused: the window runs from the last allowed request (%lld)",
	      (long long)end);
	CHECK(hit(t, "ip|/a", 11799, 1000, 3, &end) == RATETABLE_REJECT && end == 11800,
	      "a refusal changes nothing");
	CHECK(hit(t, "ip|/b", 11799, 1000, 3, &end) == RATETABLE_ALLOW,
	      "another key, its own bucket");
	CHECK(hit(t, "ip|/a", 11800, 1000, 3, &end) == RATETABLE_ALLOW,
	      "the window is over: count 1");
	CHECK(hit(t, "ip|/a", 11801, 1000, 3, &end) == RATETABLE_ALLOW, "2");
	CHECK(hit(t, "ip|/a", 11802, 1000, 3, &end) == RATETABLE_ALLOW, "3");
	CHECK(hit(t, "ip|/a", 11803, 1000, 3, &end) == RATETABLE_REJECT, "4 refused again");
	CHECK(ratetable_hit(t, "ip|/a\0x", 7, 11803, 1000, 3, &end) == RATETABLE_ALLOW,
	      "keys are bytes: an embedded NUL makes another key");
	ratetable_close(t);
	rm_table(dir);
}

/* Runs fn(table, i, arg) in children processes, each with a table of its
 * own opening; returns the sum of what they return. */
typedef long (*child_fn)(struct ratetable *t, int i, const void *arg);

static long
in_children(const char *dir, int children, child_fn fn, const void *arg)
{
	int fds[2];
	long total = 0, got;
	int i;

	if (pipe(fds) != 0)
		return -1;
	for (i = 0; i < children; i++) {
		if (fork() == 0) {
			struct ratetable *t = ratetable_open(dir);
			long allowed = t ? fn(t, i, arg) : -1000000;

			if (write(fds[1], &allowed, sizeof allowed) != sizeof allowed)
				_exit(2);
			_exit(0);
		}
	}
	close(fds[1]);
	while (read(fds[0], &got, sizeof got) == sizeof got)
		total += got;
	close(fds[0]);
	while (wait(NULL) > 0)
		;
	return total;
}

struct one_key {
	const char *key;
	int hits;
	uint32_t max;
};

/* hits requests on one key; the number allowed. */
static long
on_one_key(struct ratetable *t, int i, const void *arg)
{
	const struct one_key *k = arg;
	long allowed = 0;
	int64_t end;
	int j;

	(void)i;
	for (j = 0; j < k->hits; j++)
		allowed += hit(t, k->key, now_ms(), 3600000, k->max, &end) == RATETABLE_ALLOW;
	return allowed;
}

/* One request on each of the keys n0 .. n2999, max 1. */
static long
on_new_keys(struct ratetable *t, int i, const void *arg)
{
	long allowed = 0;
	int64_t end;
	int j;

	(void)i, (void)arg;
	for (j = 0; j < 3000; j++) {
		char k[32];

		snprintf(k, sizeof k, "n%d", j);
		allowed += hit(t, k, now_ms(), 3600000, 1, &end) == RATETABLE_ALLOW;
	}
	return allowed;
}

/* Hits on "steady" (long window, max 20000) between hits on 10000 keys whose
 * 1 ms windows keep ending, so their slots change hands again and again
 * around it; the hits allowed on "steady". */
static long
on_churn(struct ratetable *t, int i, const void *arg)
{
	long allowed = 0;
	int64_t end;
	int j;

	(void)arg;
	for (j = 0; j < 40000; j++) {
		char k[32];

		snprintf(k, sizeof k, "churn%d", (j * 7919 + i * 104729) % 10000);
		hit(t, k, now_ms(), 1, 5, &end);
		if (j % 4 == 0)
			allowed +=
				hit(t, "steady", now_ms(), 3600000, 20000, &end) == RATETABLE_ALLOW;
	}
	return allowed;
}

/* Several processes on one key: exactly max allowed; on the same new keys:
 * each allowed exactly once (no key ever gets two slots); with slots changing
 * hands all around a key: its count stays exact. */
static void
test_parallel(void)
{
	char dir[256];
	long n;

	path_in(dir, sizeof dir, "parallel");
	n = in_children(dir, 4, on_one_key, &(struct one_key){"one", 20000, 50000});
	CHECK(n == 50000, "4 x 20000 hits, max 50000: %ld allowed", n);
	n = in_children(dir, 4, on_new_keys, NULL);
	CHECK(n == 3000, "4 processes x the same 3000 new keys, max 1: %ld allowed", n);
	n = in_children(dir, 4, on_churn, NULL);
	CHECK(n == 20000,
	      "4 x 10000 hits on a key amid expiring neighbours, max 20000: %ld allowed", n);
	rm_table(dir);
}

/* A process killed holding the lock: the next one takes it over at once. */
static void
test_killed_holder(void)
{
	struct ratetable *t;
	char dir[256], c;
	int ready[2], i;
	int64_t end, t0;
	pid_t pid;

	path_in(dir, sizeof dir, "killed");
	if (!(t = ratetable_open(dir)) || pipe(ready) != 0) {
		CHECK(0, "open");
		return;
	}
	CHECK(hit(t, "before", now_ms(), 3600000, 2, &end) == RATETABLE_ALLOW, "counted before");
	pid = fork();
	if (pid == 0) {
		struct ratetable *mine = ratetable_open(dir);

		c = mine && ratetable_lock(mine, 1000) ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		pause();
		_exit(0);
	}
	CHECK(read(ready[0], &c, 1) == 1 && c == 'y', "the child holds the lock");
	CHECK(!ratetable_lock(t, 20), "held by the live child");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	t0 = now_ms();
	CHECK(hit(t, "new", now_ms(), 3600000, 2, &end) == RATETABLE_ALLOW,
	      "a new key after the kill");
	CHECK(now_ms() - t0 < 100, "without waiting (%lld ms)", (long long)(now_ms() - t0));
	CHECK(hit(t, "before", now_ms(), 3600000, 2, &end) == RATETABLE_ALLOW,
	      "the old count kept: 2");
	CHECK(hit(t, "before", now_ms(), 3600000, 2, &end) == RATETABLE_REJECT, "3 refused");
	for (i = 0; i < 3; i++)
		CHECK(hit(t, "new", now_ms(), 3600000, 2, &end) ==
		              (i == 0 ? RATETABLE_ALLOW : RATETABLE_REJECT),
		      "new key counts on: %d", i + 2);
	close(ready[0]), close(ready[1]);
	ratetable_close(t);
	rm_table(dir);
}

/* Processes killed at random moments while counting new and old keys: the
 * survivors, and a later process, count exactly. */
static void
test_killed_midcount(void)
{
	struct ratetable *t;
	char dir[256];
	int round, i;
	long n;
	int64_t end;

	path_in(dir, sizeof dir, "midcount");
	for (round = 0; round < 20; round++) {
		pid_t pid = fork();

		if (pid == 0) {
			struct ratetable *mine = ratetable_open(dir);
			unsigned j;

			for (j = 0; mine; j++) {
				char k[32];

				snprintf(k, sizeof k, "r%d-%u", round, j % 5000);
				ratetable_hit(mine, k, strlen(k), now_ms(), 3600000, 1000, &end);
			}
			_exit(1);
		}
		{
			const struct timespec ms = {0, (long)(1 + round % 7) * 1000000};

			nanosleep(&ms, NULL);
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	n = in_children(dir, 3, on_one_key, &(struct one_key){"after", 2000, 3000});
	CHECK(n == 3000, "after 20 kills, 3 processes x 2000 hits, max 3000: %ld allowed", n);
	if ((t = ratetable_open(dir))) {
		for (i = 0; i < 4; i++)
			CHECK(hit(t, "fresh", now_ms(), 3600000, 3, &end) ==
			              (i < 3 ? RATETABLE_ALLOW : RATETABLE_REJECT),
			      "fresh key %d", i + 1);
		ratetable_close(t);
	}
	rm_table(dir);
}

/* Bounded memory: more keys than slots. Expired entries are reused (an old
 * key counts from 1 again); with every entry live, the table still answers
 * (evicting), and the newest keys keep their counts. */
static void
test_reuse_evict(void)
{
	struct ratetable *t;
	char dir[256], k[32];
	unsigned i, allowed = 0;
	int64_t end;

	path_in(dir, sizeof dir, "evict");
	if (!(t = ratetable_open(dir))) {
		CHECK(0, "open");
		return;
	}
	for (i = 0; i < 2 * RATETABLE_SLOTS; i++) {
		snprintf(k, sizeof k, "old%u", i);
		allowed += hit(t, k, 1000, 10, 1, &end) == RATETABLE_ALLOW;
	}
	CHECK(allowed == 2 * RATETABLE_SLOTS, "twice the slots of keys, each new: %u", allowed);
	allowed = 0;
	for (i = 0; i < 2 * RATETABLE_SLOTS; i++) {
		snprintf(k, sizeof k, "live%u", i);
		allowed += hit(t, k, 2000, 3600000, 1, &end) == RATETABLE_ALLOW;
	}
	CHECK(allowed == 2 * RATETABLE_SLOTS, "expired slots reused, then live ones evicted: %u",
	      allowed);
	CHECK(hit(t, "old5", 2001, 10, 1, &end) == RATETABLE_ALLOW, "an old key counts from 1");
	snprintf(k, sizeof k, "live%u", 2 * RATETABLE_SLOTS - 1);
	CHECK(hit(t, k, 2002, 3600000, 1, &end) == RATETABLE_REJECT,
	      "the newest key kept its count");
	ratetable_close(t);
	rm_table(dir);
}

/* The cache keeps the latest (window end, count); stale pairs are not
 * returned; unknown keys are not. */
static void
test_cache(void)
{
	struct ratetable *t;
	char dir[256];
	uint32_t c;
	int64_t end;

	path_in(dir, sizeof dir, "cache");
	if (!(t = ratetable_open(dir))) {
		CHECK(0, "open");
		return;
	}
	CHECK(!ratetable_get(t, "s", 1, 100, 50, &c, &end) && c == 0 && end == 0, "nothing yet");
	ratetable_put(t, "s", 1, 100, 2, 1100);
	CHECK(ratetable_get(t, "s", 1, 100, 50, &c, &end) && c == 2 && end == 1100, "put");
	ratetable_put(t, "s", 1, 100, 1, 1090);
	CHECK(ratetable_get(t, "s", 1, 100, 50, &c, &end) && c == 2 && end == 1100,
	      "an older pair is ignored");
	ratetable_put(t, "s", 1, 100, 3, 1100);
	CHECK(ratetable_get(t, "s", 1, 100, 50, &c, &end) && c == 3 && end == 1100,
	      "same end, higher count");
	ratetable_put(t, "s", 1, 100, 1, 1200);
	CHECK(ratetable_get(t, "s", 1, 1250, 50, &c, &end) && c == 1 && end == 1200, "later end");
	CHECK(!ratetable_get(t, "s", 1, 1251, 50, &c, &end), "ended more than keep_ms ago");
	ratetable_close(t);
	rm_table(dir);
}

/* One caller per interval, machine-wide; rearm makes the next one due. */
static void
test_due(void)
{
	struct ratetable *a, *b;
	char dir[256];

	path_in(dir, sizeof dir, "due");
	a = ratetable_open(dir);
	b = ratetable_open(dir);
	if (!a || !b) {
		CHECK(0, "open");
		goto done;
	}
	CHECK(ratetable_is_due(a, 1000, 500), "first caller");
	CHECK(!ratetable_is_due(b, 1000, 500), "not the second");
	CHECK(!ratetable_is_due(b, 1499, 500), "nor before the interval");
	CHECK(ratetable_is_due(b, 1500, 500), "after it");
	CHECK(!ratetable_is_due(a, 1600, 500), "once");
	ratetable_rearm(a, 0);
	CHECK(ratetable_is_due(b, 1601, 500), "rearmed");
done:
	ratetable_close(a);
	ratetable_close(b);
	rm_table(dir);
}

/* What another user could prepare is refused, never followed or shared. */
static void
test_refused(void)
{
	char dir[256], file[512], other[256];
	struct stat st = {0};
	int fd;

	path_in(dir, sizeof dir, "open-dir");
	CHECK(mkdir(dir, 0700) == 0 && chmod(dir, 0755) == 0, "mkdir");
	CHECK(!ratetable_open(dir), "a directory others may enter");
	CHECK(chmod(dir, 0700) == 0, "chmod");
	{
		struct ratetable *t = ratetable_open(dir);

		CHECK(t, "the same directory at 0700");
		ratetable_close(t);
	}
	snprintf(file, sizeof file, "%s/%s", dir, RATETABLE_FILE);
	CHECK(stat(file, &st) == 0 && st.st_size > 0, "the table file");
	CHECK(chmod(file, 0644) == 0 && !ratetable_open(dir), "a file others may read");
	CHECK(chmod(file, 0600) == 0 && truncate(file, 4096) == 0 && !ratetable_open(dir),
	      "a file of the wrong size");
	CHECK(truncate(file, 0) == 0 && truncate(file, st.st_size) == 0 && !ratetable_open(dir),
	      "a zeroed file of the right size (another build's, or nobody's)");
	unlink(file);
	path_in(other, sizeof other, "elsewhere");
	CHECK(mkdir(other, 0700) == 0, "mkdir");
	CHECK(symlink(other, file) == 0 && !ratetable_open(dir), "a symlinked file");
	unlink(file);
	rmdir(dir);
	CHECK(symlink(other, dir) == 0 && !ratetable_open(dir), "a symlinked directory");
	unlink(dir);
	CHECK((fd = open(dir, O_CREAT | O_WRONLY, 0600)) >= 0 && !ratetable_open(dir),
	      "a file where the directory should be");
	if (fd >= 0)
		close(fd);
	unlink(dir);
	if (geteuid() == 0) {
		/* root can play the other user */
		CHECK(mkdir(dir, 0700) == 0 && chown(dir, 65534, 65534) == 0 &&
		              !ratetable_open(dir),
		      "a directory of another user");
		CHECK(chown(dir, 0, 0) == 0, "chown back");
		{
			struct ratetable *t = ratetable_open(dir);

			CHECK(t, "ours again");
			ratetable_close(t);
		}
		CHECK(chown(file, 65534, 65534) == 0 && !ratetable_open(dir),
		      "a file of another user");
	} else {
		printf("test_ratetable: not root: the other-owner cases are covered by mode 0700 "
		       "only\n");
	}
	rm_table(dir);
	rmdir(other);
}

/* The default directory: the user's runtime directory, or one in /tmp that
 * only the secret names (stable for a secret, another for another secret). */
static void
test_default_dir(void)
{
	static const char s1[] = "0123456789abcdef0123456789abcdef",
			  s2[] = "fedcba9876543210fedcba9876543210";
	char a[256], b[256], c[256], want[64];

	CHECK(ratetable_default_dir(a, sizeof a, "/run/user/1000", "/tmp", s1, 32),
	      "with a runtime dir");
	CHECK_STR(a, "/run/user/1000/fcgi-auth");
	CHECK(ratetable_default_dir(a, sizeof a, NULL, "/tmp", s1, 32) &&
	              ratetable_default_dir(b, sizeof b, "relative", "/tmp", s1, 32) &&
	              ratetable_default_dir(c, sizeof c, NULL, "/tmp", s2, 32),
	      "without");
	snprintf(want, sizeof want, "/tmp/fcgi-auth-%lu-", (unsigned long)geteuid());
	CHECK(!strncmp(a, want, strlen(want)) && strlen(a) == strlen(want) + 16, "%s", a);
	CHECK(!strcmp(a, b), "the same for the same secret (a relative runtime dir is ignored)");
	CHECK(strcmp(a, c) != 0, "another secret, another name");
	CHECK(!ratetable_default_dir(a, 20, NULL, "/tmp", s1, 32) && a[0] == '\0',
	      "too long for buf");
}

int
main(void)
{
	if (mkdtemp(base) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_open_shared();
	test_rule();
	test_parallel();
	test_killed_holder();
	test_killed_midcount();
	test_reuse_evict();
	test_cache();
	test_due();
	test_refused();
	test_default_dir();
	rmdir(base);
	UNIT_END();
}
