/*
 * rundir.h — the private directory the machine-wide objects of one service
 * user live in (the hash slots' lock file, the rate table), when no
 * FCGI_AUTH_RUNTIME_DIR / XDG_RUNTIME_DIR is given: "<tmp>/fcgi-auth-<uid>-
 * <tag>", where <tag> is an HMAC (with the secret) of the uid and the boot
 * id, so another local user cannot guess the name and make it first, and a
 * name seen before a reboot is not the one after it.
 */
#ifndef RUNDIR_H
#define RUNDIR_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the directory's path into buf (size n). false (buf empty) when it
 * does not fit or the HMAC fails. */
bool rundir_private(char *buf, size_t n, const char *tmp_dir, const char *secret,
                    size_t secret_len);

#endif
