/*
 * bigmap.c — see bigmap.h.
 *
 * Why the 2 MiB boundary: the kernel places a mapping of 32 MiB + 6 KiB on
 * a page boundary only (Linux 6.18 aligns an anonymous mapping to 2 MiB
 * only when its length is a multiple of 2 MiB), so the region's two ends, ~1 MiB
 * each, would stay in small pages: ~530 faults a hash instead of 18, and
 * ~97 ms of CPU instead of ~91 (10 ms in the kernel instead of 3). The
 * mapping is made 2 MiB longer than asked and the part before the boundary
 * and the part after the asked length are unmapped again, so what is left
 * is exactly what the caller asked for and its own munmap releases it.
 *
 * What fails falls back to today's behaviour: MADV_HUGEPAGE failing (no THP
 * in the kernel) leaves small pages; MADV_POPULATE_WRITE failing (kernels
 * before 5.14) or any munmap failing undoes what this file mapped (only
 * that: another thread may have mapped the trimmed ends since) and makes
 * the caller's call unchanged, MAP_POPULATE and all.
 */
#include "bigmap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define BIGMAP_MIN ((size_t)8 << 20)   /* smaller mappings are left alone */
#define BIGMAP_ALIGN ((size_t)2 << 20) /* x86_64's huge page (PMD) */

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels answer EINVAL */
#endif

static bool
bigmap_is_big(const void *addr, size_t len, int prot, int flags, int fd)
{
	return addr == NULL && fd == -1 && len >= BIGMAP_MIN && len <= SIZE_MAX / 2 &&
	       prot == (PROT_READ | PROT_WRITE) &&
	       (flags & ~MAP_POPULATE) == (MAP_PRIVATE | MAP_ANONYMOUS);
}

void *
__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	int saved_errno = errno;
	char *own = MAP_FAILED; /* what this call has mapped and not handed out */
	size_t own_len = 0, page, len_pages, head;
	void *p = MAP_FAILED;

	if (!bigmap_is_big(addr, len, prot, flags, fd))
		goto done;
	page = (size_t)sysconf(_SC_PAGESIZE);
	len_pages = (len + page - 1) / page * page;
	own_len = len_pages + BIGMAP_ALIGN;
	own = __real_mmap(NULL, own_len, prot, flags & ~MAP_POPULATE, -1, 0);
	if (own == MAP_FAILED)
		goto done;
	head = (BIGMAP_ALIGN - (uintptr_t)own % BIGMAP_ALIGN) % BIGMAP_ALIGN;
	if (head > 0) {
		if (munmap(own, head) != 0)
			goto done;
		own += head;
		own_len -= head;
	}
	if (munmap(own + len_pages, own_len - len_pages) != 0)
		goto done;
	own_len = len_pages;
	/* Failing (THP not built in): small pages, correct all the same. */
	(void)madvise(own, own_len, MADV_HUGEPAGE);
	if ((flags & MAP_POPULATE) && madvise(own, own_len, MADV_POPULATE_WRITE) != 0)
		goto done;
	p = own;
	own = MAP_FAILED;
done:
	if (own != MAP_FAILED)
		(void)munmap(own, own_len);
	errno = saved_errno;
	if (p == MAP_FAILED)
		p = __real_mmap(addr, len, prot, flags, fd, off);
	return p;
}
