/*
 * hashslot.c — see hashslot.h.
 *
 * Open-file-description locks (F_OFD_SETLK) rather than classic POSIX locks:
 * they belong to our one open of the file, so nothing else in the process
 * closing the same file drops them, and the kernel releases them when the
 * process exits however it exits.
 */
#include "hashslot.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HASHSLOT_FD_UNOPENED (-1)
#define HASHSLOT_FD_FAILED (-2)

void
hashslot_init(struct hashslot *hs, const char *path, int slots)
{
	hs->path = path ? strdup(path) : NULL;
	hs->slots = slots > 0 && hs->path ? slots : 0;
	hs->fd = HASHSLOT_FD_UNOPENED;
	hs->held = -1;
}

/* Opens the lock file once: ours (same owner), a regular file, no symlink.
 * Anything else turns the cap off for this process, logged once. */
static bool
hashslot_open(struct hashslot *hs)
{
	struct stat st;
	int fd;

	if (hs->fd >= 0)
		return true;
	if (hs->fd == HASHSLOT_FD_FAILED)
		return false;
	fd = open(hs->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_warn("hash cap off: cannot open FCGI_AUTH_HASH_LOCK %s: %s", hs->path,
		         strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		log_warn("hash cap off: FCGI_AUTH_HASH_LOCK %s is not a regular file of this user",
		         hs->path);
		close(fd);
		goto fail;
	}
	hs->fd = fd;
	return true;
fail:
	hs->fd = HASHSLOT_FD_FAILED;
	return false;
}

static bool
hashslot_try(struct hashslot *hs, int slot)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = slot;
	fl.l_len = 1;
	if (fcntl(hs->fd, F_OFD_SETLK, &fl) == 0)
		return true;
	if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
		log_warn("hash cap off: locking %s: %s", hs->path, strerror(errno));
		close(hs->fd);
		hs->fd = HASHSLOT_FD_FAILED;
	}
	return false;
}

bool
hashslot_acquire(struct hashslot *hs, int wait_ms)
{
	const struct timespec tick = { 0, 1000000 }; /* 1 ms: ~1 % of a hash */
	struct timespec start, now;
	int first, i;

	if (hs->held >= 0)
		return true;
	if (hs->slots == 0 || !hashslot_open(hs))
		return false;
	/* Start at a different slot in each process, so that processes that
	 * arrive together do not all try slot 0 first. */
	first = (int)(getpid() % hs->slots);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		for (i = 0; i < hs->slots; i++) {
			int slot = (first + i) % hs->slots;

			if (hashslot_try(hs, slot)) {
				hs->held = slot;
				return true;
			}
			if (hs->fd < 0)
				return false;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >= wait_ms)
			break;
		nanosleep(&tick, NULL);
	}
	log_warn("no free hash slot of %d after %d ms (FCGI_AUTH_HASH_SLOTS); hashing anyway",
	         hs->slots, wait_ms);
	return false;
}

void
hashslot_release(struct hashslot *hs)
{
	struct flock fl;

	if (hs->held < 0 || hs->fd < 0)
		return;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_UNLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = hs->held;
	fl.l_len = 1;
	if (fcntl(hs->fd, F_OFD_SETLK, &fl) != 0)
		log_warn("unlocking hash slot: %s", strerror(errno));
	hs->held = -1;
}

void
hashslot_cleanup(struct hashslot *hs)
{
	hashslot_release(hs);
	if (hs->fd >= 0)
		close(hs->fd);
	free(hs->path);
	hs->path = NULL;
	hs->fd = HASHSLOT_FD_UNOPENED;
	hs->slots = 0;
}
