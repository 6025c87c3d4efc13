/*
 * hashslot.h — caps the scrypt hashes in flight on this machine, across every
 * process of every program that hashes (signup, signin; FastCGI or CGI).
 *
 * Each hash holds 32 MiB and a core for ~120 ms. Capping *processes* at the
 * core count leaves a core idle whenever its process waits on the database;
 * capping *hashes* lets more processes take requests while at most `slots`
 * of them hash.
 *
 * The slots are a System V counting semaphore, found through the lock file
 * FCGI_AUTH_HASH_LOCK (its device, inode and modification time: a file made
 * again is a new cap, even on a reused inode; touching it starts one too,
 * for the processes started after): a waiter sleeps in the kernel
 * until a slot is free (no polling, woken in turn), and every operation is
 * SEM_UNDO, so a process that dies holding a slot gives it back. The lock
 * file lives in a directory only this user (or root) can write, and the
 * file and the semaphore must be this user's, so another local user can
 * neither pre-create them nor switch the cap off. Where the lock file or the
 * semaphore cannot be had, the cap is off for the process, logged as an
 * error when the process starts.
 */
#ifndef HASHSLOT_H
#define HASHSLOT_H

#include <stdbool.h>
#include <stddef.h>

struct hashslot {
	char *path; /* lock file; opened on first use */
	int slots;  /* 0: no cap */
	int semid;  /* -1 until set up; -2 after a failure (cap off) */
	bool held;  /* this process holds a slot */
};

/* Sets up the cap at once (path is copied): creates the lock file's
 * directory (0700) if it is missing, the lock file, and the semaphore, or
 * finds them. A lock file or semaphore that is unsafe (a symlink; another
 * user's; in a directory others may write) or missing turns the cap off for
 * this process with a log_error line. slots 0: no cap, nothing touched. */
void hashslot_init(struct hashslot *hs, const char *path, int slots);

/* The default lock file into buf (n bytes): runtime_dir/fcgi-auth-hashes.lock
 * when runtime_dir ($XDG_RUNTIME_DIR, private to the user) is an absolute
 * path, else tmp_dir/fcgi-auth-<uid>-<tag>/hashes.lock, a directory of its
 * own whose tag (an HMAC of the user, the boot id and the secret) nobody
 * without the secret can predict, so nobody can take the name first. The
 * processes of one user with one secret share it. False if it does not fit
 * in buf or the HMAC fails. */
bool hashslot_default_path(char *buf, size_t n, const char *runtime_dir, const char *tmp_dir,
                           const char *secret, size_t secret_len);

/* Takes a slot, sleeping up to wait_ms for one. Returns true with a slot
 * held; false without one if the cap is off (slots 0, or no lock file or
 * semaphore: logged at init) or after wait_ms (logged): the caller hashes
 * all the same. */
bool hashslot_acquire(struct hashslot *hs, int wait_ms);

/* Gives back the slot taken by hashslot_acquire, if any. */
void hashslot_release(struct hashslot *hs);

/* Releases, forgets; the semaphore stays for the other processes. */
void hashslot_cleanup(struct hashslot *hs);

/* Removes the semaphore of the lock file at path (tests, uninstalling). */
void hashslot_remove(const char *path);

#endif
