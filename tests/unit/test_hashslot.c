/*
 * test_hashslot.c — the machine-wide cap on scrypt hashes in flight: slots
 * are taken and given back, never more than `slots` at once (three structs
 * here stand for three processes), a waiter sleeps until a slot is given
 * back, a process that dies holding one gives it back, the first process's
 * count wins, a password hash takes and returns a slot, and the cap refuses,
 * with an error line when the process starts, what another local user could
 * have made: a symlinked lock file, a lock file in a directory others may
 * write, a semaphore that is not this user's. The default lock file is in a
 * directory of its own that only this user can write, under a name nobody
 * without the secret can predict. The waits are counted in the
 * metrics. Each semaphore is removed at the end.
 */
#include "hashslot.h"
#include "metrics.h"
#include "password.h"
#include "unit.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/test_hashslot.XXXXXX";

static void
path_in_dir(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

/* path_in_dir for a lock file made now, with any semaphore set its key
 * already names removed (a 24-bit key: another run's set could share it). */
static void
fresh_lock(char *buf, size_t n, const char *name)
{
	int fd;

	path_in_dir(buf, n, name);
	fd = open(buf, O_RDWR | O_CREAT, 0600);
	if (fd >= 0)
		close(fd);
	hashslot_remove(buf);
}

/* What the code between capture_begin and capture_end writes to stderr
 * (the log), into buf. */
static int capture_saved = -1;

static void
capture_begin(void)
{
	char path[256];
	int fd;

	path_in_dir(path, sizeof path, "stderr.txt");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	capture_saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

static void
capture_end(char *buf, size_t n)
{
	char path[256];
	FILE *f;
	size_t got = 0;

	fflush(stderr);
	dup2(capture_saved, STDERR_FILENO);
	close(capture_saved);
	path_in_dir(path, sizeof path, "stderr.txt");
	f = fopen(path, "r");
	if (f) {
		got = fread(buf, 1, n - 1, f);
		fclose(f);
	}
	buf[got] = '\0';
	unlink(path);
}

/* No cap: nothing opened, never waits. */
static void
test_off(void)
{
	struct hashslot hs;
	char path[256];

	path_in_dir(path, sizeof path, "off.lock");
	hashslot_init(&hs, path, 0);
	CHECK(!hashslot_acquire(&hs, 1000), "slots 0 takes nothing");
	CHECK(access(path, F_OK) != 0, "slots 0 creates no lock file");
	hashslot_release(&hs);
	hashslot_cleanup(&hs);
}

/* Two slots, three takers: the third waits, then gets the one given back. */
static void
test_cap(void)
{
	struct hashslot a, b, c;
	char path[256];
	struct stat st;

	fresh_lock(path, sizeof path, "cap.lock");
	hashslot_init(&a, path, 2);
	hashslot_init(&b, path, 2);
	hashslot_init(&c, path, 2);
	CHECK(hashslot_acquire(&a, 0), "first slot");
	CHECK(hashslot_acquire(&a, 0), "taking again keeps the slot held");
	CHECK(hashslot_acquire(&b, 0), "second slot");
	CHECK(a.held && b.held, "both held");
	CHECK(!hashslot_acquire(&c, 20), "no third slot while two are held");
	CHECK(!c.held, "nothing held after a timeout");
	hashslot_release(&a);
	CHECK(!a.held, "released");
	CHECK(hashslot_acquire(&c, 0), "the slot given back is free");
	CHECK(!hashslot_acquire(&a, 0), "and now taken again");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "lock file mode 0600");
	hashslot_cleanup(&c);
	CHECK(hashslot_acquire(&a, 0), "cleanup gives the slot back");
	hashslot_cleanup(&a);
	hashslot_cleanup(&b);
}

/* A waiter sleeps until the holder gives its slot back (here by exiting
 * after a few milliseconds), well before its own limit of 10 s. */
static void
test_wakeup(void)
{
	struct hashslot hs;
	char path[256], c;
	int ready[2];
	pid_t pid;

	fresh_lock(path, sizeof path, "wake.lock");
	if (pipe(ready) != 0) {
		CHECK(0, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct hashslot mine;
		const struct timespec hold = {0, 50000000};

		hashslot_init(&mine, path, 1);
		c = hashslot_acquire(&mine, 0) ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		nanosleep(&hold, NULL);
		hashslot_release(&mine);
		_exit(0);
	}
	CHECK(read(ready[0], &c, 1) == 1 && c == 'y', "the child holds the one slot");
	hashslot_init(&hs, path, 1);
	CHECK(hashslot_acquire(&hs, 10000), "woken when the child gives the slot back");
	waitpid(pid, NULL, 0);
	hashslot_cleanup(&hs);
	close(ready[0]), close(ready[1]);
}

/* The count is the first process's: a later one configured otherwise
 * shares the same slots (and logs it). */
static void
test_first_count_wins(void)
{
	struct hashslot a, b;
	char path[256];

	fresh_lock(path, sizeof path, "count.lock");
	hashslot_init(&a, path, 1);
	hashslot_init(&b, path, 3);
	CHECK(hashslot_acquire(&a, 0), "the one slot");
	CHECK(!hashslot_acquire(&b, 0), "a process configured for 3 still finds 1");
	hashslot_cleanup(&a);
	CHECK(hashslot_acquire(&b, 0), "then takes it");
	hashslot_cleanup(&b);
}

/* A lock file deleted and made again is a new cap with its own count, even
 * when the file system gives the new file the old one's inode (ext4 does at
 * once): the old file's semaphore set outlives it, and a key of device and
 * inode alone found it again, with its count (seen: 'a process configured
 * for 3 still finds 1' after an earlier run's files were deleted). */
static void
test_file_made_again(void)
{
	const struct timespec tick = {0, 20000000}; /* past the file system's clock tick */
	struct hashslot a, b;
	char path[256], log[2048];
	struct stat st;
	ino_t first;
	int old;

	fresh_lock(path, sizeof path, "again.lock");
	CHECK(stat(path, &st) == 0, "the lock file");
	first = st.st_ino;
	hashslot_init(&a, path, 1);
	CHECK(hashslot_acquire(&a, 0), "the one slot of the first file");
	old = a.semid;
	hashslot_cleanup(&a);
	nanosleep(&tick, NULL);
	unlink(path);
	CHECK(close(open(path, O_RDWR | O_CREAT | O_EXCL, 0600)) == 0, "the file made again");
	CHECK(stat(path, &st) == 0, "the new lock file");
	capture_begin();
	hashslot_init(&b, path, 3);
	capture_end(log, sizeof log);
	CHECK(log[0] == '\0', "a new set, quietly (inode %s): %s",
	      st.st_ino == first ? "reused" : "new", log);
	CHECK(b.semid >= 0 && b.semid != old, "not the old file's set");
	CHECK(hashslot_acquire(&b, 0), "first of its 3 slots");
	hashslot_release(&b);
	{
		struct hashslot c, d;

		hashslot_init(&c, path, 3);
		hashslot_init(&d, path, 3);
		CHECK(hashslot_acquire(&b, 0) && hashslot_acquire(&c, 0) && hashslot_acquire(&d, 0),
		      "three slots at once, not the old file's one");
		hashslot_cleanup(&c);
		hashslot_cleanup(&d);
	}
	hashslot_cleanup(&b);
	semctl(old, 0, IPC_RMID);
}

/* A process that exits (or is killed) holding a slot gives it back. */
static void
test_dead_holder(void)
{
	struct hashslot hs;
	char path[256], c;
	int ready[2], go[2], status;
	pid_t pid;

	fresh_lock(path, sizeof path, "dead.lock");
	if (pipe(ready) != 0 || pipe(go) != 0) {
		CHECK(0, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct hashslot mine;

		hashslot_init(&mine, path, 1);
		c = hashslot_acquire(&mine, 0) ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(0); /* no release, no cleanup */
	}
	CHECK(read(ready[0], &c, 1) == 1 && c == 'y', "the child holds the one slot");
	hashslot_init(&hs, path, 1);
	CHECK(!hashslot_acquire(&hs, 10), "held by the live child");
	c = 'x';
	CHECK(write(go[1], &c, 1) == 1, "tell the child to exit");
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child exit");
	CHECK(hashslot_acquire(&hs, 0), "free once the child is gone");
	hashslot_cleanup(&hs);
	close(ready[0]), close(ready[1]), close(go[0]), close(go[1]);
}

/* A lock file that is a symlink is not followed: the cap is off, logged. */
static void
test_symlink(void)
{
	struct hashslot hs;
	char path[256], target[256], log[2048];

	path_in_dir(path, sizeof path, "link.lock");
	path_in_dir(target, sizeof target, "target");
	CHECK(symlink(target, path) == 0, "symlink");
	capture_begin();
	hashslot_init(&hs, path, 2);
	capture_end(log, sizeof log);
	CHECK(strstr(log, " error: hash cap off") != NULL, "refused at init, as an error: %s", log);
	CHECK(!hashslot_acquire(&hs, 0), "symlinked lock file: cap off");
	CHECK(access(target, F_OK) != 0, "the symlink's target is not created");
	CHECK(!hashslot_acquire(&hs, 0), "still off, without retrying");
	hashslot_cleanup(&hs);
}

/* A lock file in a directory others may write (/tmp itself, say) could be
 * made by another user first: refused at init, loudly. */
static void
test_shared_dir(void)
{
	struct hashslot hs;
	char sub[256], path[300], log[2048];

	path_in_dir(sub, sizeof sub, "shared");
	CHECK(mkdir(sub, 0700) == 0 && chmod(sub, 01777) == 0, "a directory like /tmp");
	snprintf(path, sizeof path, "%s/hashes.lock", sub);
	capture_begin();
	hashslot_init(&hs, path, 2);
	capture_end(log, sizeof log);
	CHECK(strstr(log, " error: hash cap off") && strstr(log, "only this user"),
	      "refused at init, as an error: %s", log);
	CHECK(access(path, F_OK) != 0, "no lock file made there");
	CHECK(!hashslot_acquire(&hs, 0), "cap off");
	hashslot_cleanup(&hs);
	rmdir(sub);
}

/* A semaphore under the lock file's key that is not this user's (another
 * user made it first, or was given it) is refused at init, loudly. */
static void
test_foreign_semaphore(void)
{
	struct hashslot mine, other;
	char path[256], log[2048];
	struct semid_ds ds;
	union {
		int val;
		struct semid_ds *buf;
	} arg = {.buf = &ds};

	path_in_dir(path, sizeof path, "foreign.lock");
	hashslot_init(&mine, path, 1);
	CHECK(mine.semid >= 0, "set up at init");
	CHECK(semctl(mine.semid, 0, IPC_STAT, arg) == 0, "IPC_STAT");
	ds.sem_perm.uid = geteuid() == 65534 ? 65533 : 65534;
	CHECK(semctl(mine.semid, 0, IPC_SET, arg) == 0, "give the semaphore to another user");
	capture_begin();
	hashslot_init(&other, path, 1);
	capture_end(log, sizeof log);
	CHECK(strstr(log, " error: hash cap off") && strstr(log, "not this user's"),
	      "refused at init, as an error: %s", log);
	CHECK(!hashslot_acquire(&other, 0), "cap off");
	hashslot_cleanup(&other);
	hashslot_cleanup(&mine);
}

/* The default lock file: in XDG_RUNTIME_DIR when there is one; else in a
 * directory of its own, made 0700, named after the user and a tag that
 * changes with the secret, never a fixed name in the shared directory. */
static void
test_default_path(void)
{
	struct hashslot hs;
	char a[512], b[512], again[512], want[512], parent[512], log[2048], *d;
	struct stat st;

	CHECK(hashslot_default_path(a, sizeof a, "/run/user/1000", dir, "s", 1), "runtime dir");
	CHECK_STR(a, "/run/user/1000/fcgi-auth-hashes.lock");
	CHECK(hashslot_default_path(a, sizeof a, NULL, dir, "secret-one-0123456789abcdefghijkl",
	                            33),
	      "no runtime dir");
	CHECK(hashslot_default_path(again, sizeof again, "", dir,
	                            "secret-one-0123456789abcdefghijkl", 33),
	      "an empty runtime dir is none");
	CHECK(hashslot_default_path(b, sizeof b, NULL, dir, "secret-two-0123456789abcdefghijkl",
	                            33),
	      "another secret");
	CHECK_STR(a, again);
	CHECK(strcmp(a, b) != 0, "the name depends on the secret: %s %s", a, b);
	snprintf(want, sizeof want, "%s/fcgi-auth-%lu-", dir, (unsigned long)geteuid());
	CHECK(!strncmp(a, want, strlen(want)) &&
	              strlen(a) == strlen(want) + 16 + strlen("/hashes.lock") &&
	              !strcmp(a + strlen(a) - strlen("/hashes.lock"), "/hashes.lock"),
	      "tmp/fcgi-auth-<uid>-<16 hex>/hashes.lock: %s", a);
	CHECK(!hashslot_default_path(a, 20, NULL, dir, "s", 1) && a[0] == '\0',
	      "too small a buffer");
	CHECK(hashslot_default_path(a, sizeof a, NULL, dir, "secret-one-0123456789abcdefghijkl",
	                            33),
	      "again");
	capture_begin();
	hashslot_init(&hs, a, 1);
	capture_end(log, sizeof log);
	CHECK(log[0] == '\0', "set up quietly: %s", log);
	snprintf(parent, sizeof parent, "%s", a);
	d = dirname(parent);
	CHECK(stat(d, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700 &&
	              st.st_uid == geteuid(),
	      "its directory is made, 0700, this user's");
	CHECK(hashslot_acquire(&hs, 0), "and the cap works");
	hashslot_cleanup(&hs);
	hashslot_remove(a);
	unlink(a);
	rmdir(d);
}

/* password_hash takes a slot for the hash and gives it back. A child holds
 * the one slot until it sees a process waiting for it on the semaphore
 * (GETNCNT), then gives it back: if password_hash hashed without asking for
 * a slot, nobody waits and the child reports it (exit status 1). */
static void
test_password(void)
{
	struct hashslot cap, other;
	char path[256], out[PASSWORD_HASH_LEN + 1], c;
	int ready[2], status = -1;
	pid_t pid;

	fresh_lock(path, sizeof path, "pw.lock");
	if (pipe(ready) != 0) {
		CHECK(0, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct hashslot mine;
		const struct timespec tick = {0, 1000000};
		int i, waiting = 0;

		hashslot_init(&mine, path, 1);
		c = hashslot_acquire(&mine, 0) ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		/* Well under PASSWORD_SLOT_WAIT_MS, after which the hash goes ahead. */
		for (i = 0; i < 8000 && waiting < 1; i++) {
			waiting = semctl(mine.semid, 0, GETNCNT);
			nanosleep(&tick, NULL);
		}
		hashslot_release(&mine);
		_exit(waiting >= 1 ? 0 : 1);
	}
	CHECK(read(ready[0], &c, 1) == 1 && c == 'y', "the child holds the one slot");
	hashslot_init(&cap, path, 1);
	hashslot_init(&other, path, 1);
	password_set_hashslot(&cap);
	CHECK(password_hash("password123", 11, out) == PASSWORD_OK, "hash with a cap");
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "password_hash waited for the slot the child held (child exit %d)",
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	CHECK(password_verify("password123", 11, out) == PASSWORD_OK, "verify with a cap");
	CHECK(!cap.held, "the slot is given back after the hash");
	CHECK(hashslot_acquire(&other, 0), "so another process can take it");
	password_set_hashslot(NULL);
	hashslot_cleanup(&other);
	hashslot_cleanup(&cap);
	close(ready[0]), close(ready[1]);
}

/* The waits are counted in the metrics: a slot free at once is no wait; a
 * wait that ends in a slot is one; one that runs out is a wait and a
 * timeout, and its time is added. */
static double
metric(const char *series)
{
	char *text = NULL, *p;
	size_t len;
	double v = -1;

	if (metrics_render(&text, &len) && (p = strstr(text, series)) != NULL)
		v = strtod(p + strlen(series), NULL);
	free(text);
	return v;
}

static void
test_metrics(void)
{
	struct hashslot a, b;
	char path[256], name[64], c;
	int ready[2], status;
	pid_t pid;
	double first;

	snprintf(name, sizeof name, "test-hashslot-%ld", (long)getpid());
	CHECK(metrics_init(name), "metrics");
	fresh_lock(path, sizeof path, "metrics.lock");
	hashslot_init(&a, path, 1);
	hashslot_init(&b, path, 1);
	CHECK(hashslot_acquire(&a, 1000), "free at once");
	CHECK(metric("\nfcgi_auth_hash_slot_waits_total ") == 0, "no wait counted");
	CHECK(!hashslot_acquire(&b, 30), "taken");
	CHECK(metric("\nfcgi_auth_hash_slot_waits_total ") == 1, "one wait");
	CHECK(metric("\nfcgi_auth_hash_slot_wait_timeouts_total ") == 1, "one timeout");
	CHECK(metric("\nfcgi_auth_hash_slot_wait_seconds_total ") >= 0.029, "waited 30 ms: %g",
	      metric("\nfcgi_auth_hash_slot_wait_seconds_total "));
	first = metric("\nfcgi_auth_hash_slot_wait_seconds_total ");
	hashslot_release(&a);
	if (pipe(ready) != 0)
		return;
	pid = fork();
	if (pid == 0) { /* takes the slot, gives it back after 50 ms by exiting */
		struct hashslot h;
		struct timespec t = {0, 50 * 1000000};

		hashslot_init(&h, path, 1);
		if (!hashslot_acquire(&h, 0))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		nanosleep(&t, NULL);
		_exit(0);
	}
	close(ready[1]);
	CHECK(read(ready[0], &c, 1) == 1, "child holds the slot");
	close(ready[0]);
	CHECK(hashslot_acquire(&b, 5000), "a wait that ends in a slot");
	CHECK(metric("\nfcgi_auth_hash_slot_waits_total ") == 2, "two waits");
	CHECK(metric("\nfcgi_auth_hash_slot_wait_timeouts_total ") == 1, "still one timeout");
	/* how long it waited depends on the scheduler: only that it was counted */
	CHECK(metric("\nfcgi_auth_hash_slot_wait_seconds_total ") > first, "and its time: %g",
	      metric("\nfcgi_auth_hash_slot_wait_seconds_total "));
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child");
	hashslot_cleanup(&a);
	hashslot_cleanup(&b);
	hashslot_remove(path);
	unlink(path);
	metrics_cleanup();
	metrics_remove(name);
}

int
main(void)
{
	static const char *const names[] = {"off.lock",   "cap.lock",     "wake.lock",
	                                    "count.lock", "dead.lock",    "link.lock",
	                                    "pw.lock",    "foreign.lock", "again.lock"};
	char path[256];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_off();
	test_cap();
	test_wakeup();
	test_first_count_wins();
	test_file_made_again();
	test_dead_holder();
	test_symlink();
	test_shared_dir();
	test_foreign_semaphore();
	test_default_path();
	test_password();
	test_metrics();
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		path_in_dir(path, sizeof path, names[i]);
		hashslot_remove(path);
		unlink(path);
	}
	path_in_dir(path, sizeof path, "target"), unlink(path);
	rmdir(dir);
	UNIT_END();
}
