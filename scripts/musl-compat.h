/*
 * Forced into every file of the musl build (scripts/dist.mk: -include), for
 * what musl lacks and lib/ uses. Remove an entry once lib/ no longer needs it.
 *
 * arc4random(): glibc has it since 2.36, musl (1.2.3) not at all; lib/json.c
 * seeds its key hash with it. From getrandom(2), or /dev/urandom on kernels
 * before 3.17; like arc4random it does not fail (it aborts).
 */
#ifndef MUSL_COMPAT_H
#define MUSL_COMPAT_H
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

static inline uint32_t
arc4random(void)
{
	uint32_t r;
	int fd;

	if (getrandom(&r, sizeof r, 0) == (ssize_t)sizeof r)
		return r;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, &r, sizeof r) != (ssize_t)sizeof r)
		abort();
	close(fd);
	return r;
}
#endif
