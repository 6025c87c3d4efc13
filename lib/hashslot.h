/*
 * hashslot.h — caps the scrypt hashes in flight on this machine, across every
 * process of every program that hashes (signup, signin; FastCGI or CGI).
 *
 * Each hash holds 32 MiB and a core for ~150 ms. Capping *processes* at the
 * core count leaves a core idle whenever its process waits on the database;
 * capping *hashes* lets more processes take requests while at most `slots`
 * of them hash. A slot is an OFD byte-range lock on byte i of one lock file
 * (FCGI_AUTH_HASH_LOCK), so a process that dies holding one gives it back.
 */
#ifndef HASHSLOT_H
#define HASHSLOT_H

#include <stdbool.h>

struct hashslot {
	char *path;     /* lock file; opened on first use */
	int slots;      /* 0: no cap */
	int fd;         /* -1 until opened; -2 after a failed open (cap off) */
	int held;       /* byte locked by this process, or -1 */
};

/* Sets up (does not open) the cap. path is copied. */
void hashslot_init(struct hashslot *hs, const char *path, int slots);

/* Takes a free slot, polling every millisecond for up to wait_ms. Returns
 * true with a slot held; false without one if the cap is off (slots 0, or
 * the lock file could not be opened: logged once) or after wait_ms (logged):
 * the caller hashes all the same. */
bool hashslot_acquire(struct hashslot *hs, int wait_ms);

/* Gives back the slot taken by hashslot_acquire, if any. */
void hashslot_release(struct hashslot *hs);

void hashslot_cleanup(struct hashslot *hs);

#endif
