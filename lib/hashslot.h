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
 * FCGI_AUTH_HASH_LOCK (ftok): a waiter sleeps in the kernel until a slot is
 * free (no polling, woken in turn), and every operation is SEM_UNDO, so a
 * process that dies holding a slot gives it back. Where the lock file or the
 * semaphore cannot be had, the cap is off for the process (logged once).
 */
#ifndef HASHSLOT_H
#define HASHSLOT_H

#include <stdbool.h>

struct hashslot {
	char *path;     /* lock file; opened on first use */
	int slots;      /* 0: no cap */
	int semid;      /* -1 until set up; -2 after a failure (cap off) */
	bool held;      /* this process holds a slot */
};

/* Sets up (does not open) the cap. path is copied. */
void hashslot_init(struct hashslot *hs, const char *path, int slots);

/* Takes a slot, sleeping up to wait_ms for one. Returns true with a slot
 * held; false without one if the cap is off (slots 0, or no lock file or
 * semaphore: logged once) or after wait_ms (logged): the caller hashes all
 * the same. */
bool hashslot_acquire(struct hashslot *hs, int wait_ms);

/* Gives back the slot taken by hashslot_acquire, if any. */
void hashslot_release(struct hashslot *hs);

/* Releases, forgets; the semaphore stays for the other processes. */
void hashslot_cleanup(struct hashslot *hs);

/* Removes the semaphore of the lock file at path (tests, uninstalling). */
void hashslot_remove(const char *path);

#endif
