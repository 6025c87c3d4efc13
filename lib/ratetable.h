/*
 * ratetable.h — rate-limit counters in memory shared by every process of the
 * service user on this machine (every process of every program, FastCGI or
 * CGI): Better Auth's counting for the loose class, and a cache of the
 * store's buckets for the strict ones (see ratelimit.c).
 *
 * The table is one file, <dir>/ratelimit-1.table, mapped MAP_SHARED: a fixed
 * number of slots (RATETABLE_SLOTS, about 512 KiB), each a 64-bit key (a
 * SipHash of the caller's key under a random key of the table's own) and a
 * 64-bit state (the end of the window in epoch ms, and a count). dir must be a
 * directory of the effective user, mode 0700 (made so if missing), and the
 * file a regular file of that user, mode 0600 — so another local user can
 * neither pre-create, nor open, nor share it. Anything else is refused
 * (logged), and the caller counts elsewhere.
 *
 * Updating a key already in the table is a compare-and-swap, lock-free. A new
 * key takes the table's robust process-shared mutex for a few hundred
 * nanoseconds; a process killed holding it hands it to the next one. An entry
 * whose window is over is reused; when a key's neighbourhood (RATETABLE_PROBE
 * slots) holds only live entries, the one whose window ends first is evicted
 * (logged).
 */
#ifndef RATETABLE_H
#define RATETABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RATETABLE_SLOTS 32768u
#define RATETABLE_PROBE 64u
#define RATETABLE_COUNT_MAX 1048574u /* counts and maxima above this are capped */
#define RATETABLE_FILE "ratelimit-1.table"

struct ratetable;

enum ratetable_result {
	RATETABLE_ALLOW = 0,
	RATETABLE_REJECT,
	RATETABLE_BUSY /* the table's lock was not had within its wait (logged) */
};

/* Maps the table of dir, creating dir (0700) and the file if missing. NULL,
 * logged at error level with the reason, when dir or the file is not private
 * to this user, or on any system error. Free with ratetable_close. */
struct ratetable *ratetable_open(const char *dir);

/* The default directory into buf (n bytes): runtime_dir/fcgi-auth when
 * runtime_dir ($XDG_RUNTIME_DIR, the user's own) is an absolute path, else
 * tmp_dir/fcgi-auth-<uid>-<tag>, whose tag (an HMAC of the user and the boot
 * id under the secret) nobody without the secret can predict, so nobody can
 * make it first; a new name each boot. It is the directory the hash slots'
 * default lock file uses. False if it does not fit or the HMAC fails. */
bool ratetable_default_dir(char *buf, size_t n, const char *runtime_dir, const char *tmp_dir,
                           const char *secret, size_t secret_len);

/* Unmaps; the table stays for the other processes. Accepts NULL. */
void ratetable_close(struct ratetable *t);

/* Counts one request against key[0..n) with Better Auth's algorithm: the
 * first request, or the first after the window, opens a window of window_ms
 * with count 1; within it a request is allowed while count < max (count + 1,
 * and the window starts again from now, as Better Auth's lastRequest does) and
 * refused otherwise, changing nothing. On REJECT *window_end_ms is when the
 * window ends (epoch ms); else 0. */
enum ratetable_result ratetable_hit(struct ratetable *t, const void *key, size_t n, int64_t now_ms,
                                    int64_t window_ms, uint32_t max, int64_t *window_end_ms);

/* The cached pair (count, window end) of key, if one is held and its window
 * ended no more than keep_ms before now. False with both set to 0 otherwise. */
bool ratetable_get(struct ratetable *t, const void *key, size_t n, int64_t now_ms, int64_t keep_ms,
                   uint32_t *count, int64_t *window_end_ms);

/* Caches (count, window end) for key, unless a later pair (later window end,
 * or the same end and a higher count) is already there. */
void ratetable_put(struct ratetable *t, const void *key, size_t n, int64_t now_ms, uint32_t count,
                   int64_t window_end_ms);

/* True for one caller, machine-wide, each time interval_ms has passed since
 * the previous one was told; ratetable_rearm(t, 0) makes the next caller the
 * one. For periodic work that one process should do for all. */
bool ratetable_is_due(struct ratetable *t, int64_t now_ms, int64_t interval_ms);
void ratetable_rearm(struct ratetable *t, int64_t at_ms);

/* The table's lock, as a new key takes it (for tests that kill a holder).
 * ratetable_lock waits up to wait_ms; false (logged) if not had. */
bool ratetable_lock(struct ratetable *t, int wait_ms);
void ratetable_unlock(struct ratetable *t);

#endif
