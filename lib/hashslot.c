/*
 * hashslot.c — see hashslot.h.
 *
 * The semaphore set has two members: [0] counts the free slots; [1] is
 * HASHSLOT_READY + the number of slots, written together with [0] (SETALL)
 * by whoever creates the set, so a process that finds the set can tell that
 * it is set up, and by how many slots. The first creator's count wins until
 * the set is removed (reboot, `ipcrm`, hashslot_remove).
 */
#include "hashslot.h"

#include "log.h"
#include "metrics.h"
#include "rundir.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HASHSLOT_UNSET (-1)
#define HASHSLOT_FAILED (-2)
#define HASHSLOT_READY 16384 /* [1] = READY + slots; SEMVMX is 32767 */
#define HASHSLOT_MAX 1024

/* glibc leaves this union to the caller (semctl(2)). */
union hashslot_semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static bool hashslot_setup(struct hashslot *hs);

void
hashslot_init(struct hashslot *hs, const char *path, int slots)
{
	hs->path = path ? xstrdup(path) : NULL;
	hs->slots = slots > 0 && hs->path ? (slots > HASHSLOT_MAX ? HASHSLOT_MAX : slots) : 0;
	hs->semid = HASHSLOT_UNSET;
	hs->held = false;
	if (hs->slots > 0)
		hashslot_setup(hs);
}

bool
hashslot_default_path(char *buf, size_t n, const char *runtime_dir, const char *tmp_dir,
                      const char *secret, size_t secret_len)
{
	char dir[512];
	int len = -1;

	if (runtime_dir && runtime_dir[0] == '/')
		len = snprintf(buf, n, "%s/fcgi-auth-hashes.lock", runtime_dir);
	else if (rundir_private(dir, sizeof dir, tmp_dir, secret, secret_len))
		len = snprintf(buf, n, "%s/hashes.lock", dir);
	if (len > 0 && (size_t)len < n)
		return true;
	if (n)
		buf[0] = '\0';
	return false;
}

/* Whether dir may hold the lock file: a directory (not a symlink) that only
 * this user or root can write. Logs why not. */
static bool
hashslot_dir_is_private(const char *dir, const char *path)
{
	struct stat st;

	if (lstat(dir, &st) != 0) {
		log_error("hash cap off: FCGI_AUTH_HASH_LOCK %s: directory %s: %s", path, dir,
		          strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode) || (st.st_uid != geteuid() && st.st_uid != 0) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		log_error(
			"hash cap off: FCGI_AUTH_HASH_LOCK %s: %s is not a directory only this user"
			" can write (another user could switch the cap off); use one that is",
			path, dir);
		return false;
	}
	return true;
}

/* The IPC key of the lock file, from fstat of the file we opened (no
 * symlink, a regular file of ours), not from a second lookup of the path as
 * ftok would. ftok keeps 16 bits of the inode; here a hash of device, inode
 * and modification time (to the nanosecond; nothing writes the file) fills
 * 24 bits under the tag byte 'h'. The time is there because a semaphore
 * outlives its file: a lock file deleted and made again (a runtime
 * directory cleaned, a test's directory) often gets the freed inode back,
 * and by inode alone would find the old file's set and its count. create:
 * make the file (and its directory, 0700) if missing, after checking that
 * the directory is private; every refusal is logged. */
static bool
hashslot_key(const char *path, bool create, key_t *key)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd;

	*key = IPC_PRIVATE;
	if (create) {
		if (!slash)
			snprintf(dir, sizeof dir, ".");
		else if (slash == path)
			snprintf(dir, sizeof dir, "/");
		else if ((size_t)(slash - path) >= sizeof dir) {
			log_error("hash cap off: FCGI_AUTH_HASH_LOCK is too long");
			return false;
		} else
			snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			log_error("hash cap off: FCGI_AUTH_HASH_LOCK %s: cannot create %s: %s",
			          path, dir, strerror(errno));
			return false;
		}
		if (!hashslot_dir_is_private(dir, path))
			return false;
	}
	fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (fd < 0) {
		if (create)
			log_error("hash cap off: cannot open FCGI_AUTH_HASH_LOCK %s: %s", path,
			          strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		if (create)
			log_error("hash cap off: FCGI_AUTH_HASH_LOCK %s is not a regular file of "
			          "this user",
			          path);
		close(fd);
		return false;
	}
	close(fd);
	{
		/* FNV-1a over the device, inode and modification time. */
		unsigned long long v[4] = {(unsigned long long)st.st_dev,
		                           (unsigned long long)st.st_ino,
		                           (unsigned long long)st.st_mtim.tv_sec,
		                           (unsigned long long)st.st_mtim.tv_nsec};
		const unsigned char *p = (const unsigned char *)v;
		uint32_t h = 2166136261u;
		size_t i;

		for (i = 0; i < sizeof v; i++)
			h = (h ^ p[i]) * 16777619u;
		*key = (key_t)(((uint32_t)'h' << 24) | (h & 0xffffffu));
	}
	return true;
}

/* Whether the semaphore set id was made by this user for us: owner and
 * creator this user, mode 0600, two members. */
static bool
hashslot_sem_is_ours(int id)
{
	struct semid_ds ds;
	union hashslot_semun arg = {.buf = &ds};

	return semctl(id, 0, IPC_STAT, arg) == 0 && ds.sem_perm.uid == geteuid() &&
	       ds.sem_perm.cuid == geteuid() && (ds.sem_perm.mode & 0777) == 0600 &&
	       ds.sem_nsems == 2;
}

static bool
hashslot_setall(int id, int slots)
{
	unsigned short vals[2] = {(unsigned short)slots, (unsigned short)(HASHSLOT_READY + slots)};
	union hashslot_semun arg = {.array = vals};

	return semctl(id, 0, SETALL, arg) == 0;
}

/* Finds or creates the semaphore set once per process. */
static bool
hashslot_setup(struct hashslot *hs)
{
	const struct timespec tick = {0, 1000000};
	key_t key;
	int id, ready = -1, i;

	if (hs->semid >= 0)
		return true;
	if (hs->semid == HASHSLOT_FAILED || !hashslot_key(hs->path, true, &key))
		goto fail;
	id = semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
	if (id >= 0) {
		if (!hashslot_setall(id, hs->slots)) {
			log_error("hash cap off: setting up the semaphore of %s: %s", hs->path,
			          strerror(errno));
			goto fail;
		}
		hs->semid = id;
		return true;
	}
	if (errno != EEXIST || (id = semget(key, 2, 0600)) < 0) {
		log_error("hash cap off: no semaphore for %s: %s", hs->path, strerror(errno));
		goto fail;
	}
	if (!hashslot_sem_is_ours(id)) {
		log_error("hash cap off: the semaphore of %s (ipcs -s, key 0x%08x) is not this "
		          "user's;"
		          " remove it (ipcrm -s %d)",
		          hs->path, (unsigned)key, id);
		goto fail;
	}
	/* Its creator sets it up right after semget; one that died in between
	 * left it unset, so after a second we set it up ourselves. */
	for (i = 0; i < 1000 && (ready = semctl(id, 1, GETVAL)) >= 0 && ready < HASHSLOT_READY; i++)
		nanosleep(&tick, NULL);
	if (ready >= 0 && ready < HASHSLOT_READY) {
		if (!hashslot_setall(id, hs->slots))
			ready = -1;
		else
			ready = HASHSLOT_READY + hs->slots;
	}
	if (ready < 0) {
		log_error("hash cap off: reading the semaphore of %s: %s", hs->path,
		          strerror(errno));
		goto fail;
	}
	if (ready - HASHSLOT_READY != hs->slots)
		log_info("hash slots: %d, as set up by the first process (FCGI_AUTH_HASH_SLOTS "
		         "here: %d;"
		         " the count changes once the semaphore is removed, e.g. by a reboot)",
		         ready - HASHSLOT_READY, hs->slots);
	hs->semid = id;
	return true;
fail:
	hs->semid = HASHSLOT_FAILED;
	return false;
}

static long
hashslot_ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)((now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000);
}

bool
hashslot_acquire(struct hashslot *hs, int wait_ms)
{
	struct sembuf op = {0, -1, SEM_UNDO};
	struct timespec start, left;
	bool waited = false;
	long ms;

	if (hs->held)
		return true;
	if (hs->slots == 0 || !hashslot_setup(hs))
		return false;
	if (wait_ms <= 0)
		op.sem_flg |= IPC_NOWAIT;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (wait_ms > 0) { /* a free slot at once, or count a wait (metrics.h) */
		struct sembuf now = {0, -1, SEM_UNDO | IPC_NOWAIT};

		if (semop(hs->semid, &now, 1) == 0) {
			hs->held = true;
			return true;
		}
		if (errno == EAGAIN) {
			waited = true;
			metrics_count(METRICS_HASH_SLOT_WAITS);
		}
	}
	for (;;) {
		ms = wait_ms - hashslot_ms_since(&start);
		if (ms < 0)
			ms = 0;
		left.tv_sec = ms / 1000;
		left.tv_nsec = (ms % 1000) * 1000000;
		if (semtimedop(hs->semid, &op, 1, wait_ms > 0 ? &left : NULL) == 0) {
			hs->held = true;
			if (waited)
				metrics_hash_slot_wait((double)hashslot_ms_since(&start) / 1000.0);
			return true;
		}
		if (errno == EINTR && ms > 0)
			continue; /* a signal (SIGTERM: the request still finishes) */
		if (errno == EAGAIN || errno == EINTR)
			break;
		log_error("hash cap off: semaphore of %s: %s", hs->path, strerror(errno));
		hs->semid = HASHSLOT_FAILED;
		return false;
	}
	metrics_count(METRICS_HASH_SLOT_TIMEOUTS);
	metrics_hash_slot_wait((double)hashslot_ms_since(&start) / 1000.0);
	log_warn("no free hash slot after %d ms (FCGI_AUTH_HASH_SLOTS); hashing anyway", wait_ms);
	return false;
}

void
hashslot_release(struct hashslot *hs)
{
	struct sembuf op = {0, 1, SEM_UNDO};

	if (!hs->held)
		return;
	hs->held = false;
	if (hs->semid >= 0 && semop(hs->semid, &op, 1) != 0)
		log_warn("giving back a hash slot: %s", strerror(errno));
}

void
hashslot_cleanup(struct hashslot *hs)
{
	hashslot_release(hs);
	free(hs->path);
	hs->path = NULL;
	hs->semid = HASHSLOT_UNSET;
	hs->slots = 0;
}

void
hashslot_remove(const char *path)
{
	key_t key;
	int id;

	if (hashslot_key(path, false, &key) && (id = semget(key, 0, 0)) >= 0)
		semctl(id, 0, IPC_RMID);
}
