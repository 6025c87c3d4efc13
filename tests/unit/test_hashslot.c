/*
 * test_hashslot.c — the machine-wide cap on scrypt hashes in flight: slots
 * are taken and given back, never more than `slots` at once (three structs
 * here stand for three processes), a waiter sleeps until a slot is given
 * back, a process that dies holding one gives it back, the first process's
 * count wins, a symlinked lock file turns the cap off, and a password hash
 * takes and returns a slot. Each semaphore is removed at the end.
 */
#include "hashslot.h"
#include "password.h"
#include "unit.h"

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

	path_in_dir(path, sizeof path, "cap.lock");
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

	path_in_dir(path, sizeof path, "wake.lock");
	if (pipe(ready) != 0) {
		CHECK(0, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct hashslot mine;
		const struct timespec hold = { 0, 50000000 };

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

	path_in_dir(path, sizeof path, "count.lock");
	hashslot_init(&a, path, 1);
	hashslot_init(&b, path, 3);
	CHECK(hashslot_acquire(&a, 0), "the one slot");
	CHECK(!hashslot_acquire(&b, 0), "a process configured for 3 still finds 1");
	hashslot_cleanup(&a);
	CHECK(hashslot_acquire(&b, 0), "then takes it");
	hashslot_cleanup(&b);
}

/* A process that exits (or is killed) holding a slot gives it back. */
static void
test_dead_holder(void)
{
	struct hashslot hs;
	char path[256], c;
	int ready[2], go[2], status;
	pid_t pid;

	path_in_dir(path, sizeof path, "dead.lock");
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
	char path[256], target[256];

	path_in_dir(path, sizeof path, "link.lock");
	path_in_dir(target, sizeof target, "target");
	CHECK(symlink(target, path) == 0, "symlink");
	hashslot_init(&hs, path, 2);
	CHECK(!hashslot_acquire(&hs, 0), "symlinked lock file: cap off");
	CHECK(access(target, F_OK) != 0, "the symlink's target is not created");
	CHECK(!hashslot_acquire(&hs, 0), "still off, without retrying");
	hashslot_cleanup(&hs);
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

	path_in_dir(path, sizeof path, "pw.lock");
	if (pipe(ready) != 0) {
		CHECK(0, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct hashslot mine;
		const struct timespec tick = { 0, 1000000 };
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

int
main(void)
{
	static const char *const names[] = { "off.lock", "cap.lock", "wake.lock", "count.lock",
	                                     "dead.lock", "link.lock", "pw.lock" };
	char path[256];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_off();
	test_cap();
	test_wakeup();
	test_first_count_wins();
	test_dead_holder();
	test_symlink();
	test_password();
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		path_in_dir(path, sizeof path, names[i]);
		hashslot_remove(path);
		unlink(path);
	}
	path_in_dir(path, sizeof path, "target"), unlink(path);
	rmdir(dir);
	UNIT_END();
}
