/*
 * test_bigmap.c — lib/bigmap.c's mmap wrapper: this file is linked with
 * -Wl,--wrap=mmap (every program is) and -Wl,--wrap=madvise (only this one:
 * __wrap_madvise below counts the wrapper's advice and fails one kind on
 * demand), so each mmap() here goes through __wrap_mmap. Whether the kernel
 * has or grants huge pages is not checked (machines differ); what is checked
 * holds either way: a big private anonymous mapping is 2 MiB-aligned,
 * exactly as long as asked (the rest of the 2 MiB window it was cut from is
 * unmapped; VmSize grew by its length), zero-filled, writable, resident when
 * MAP_POPULATE asked for it, and gone after munmap; with either madvise
 * failing it is still all of that; every other mapping gets no advice.
 * The known-answer hashes through libsodium are test_password.c's.
 */
#include "bigmap.h"
#include "unit.h"
#include "unit_tmp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define MIB ((size_t)1 << 20)
#define SCRYPT_REGION (32 * MIB + 6208) /* libsodium's, N=16384 r=16 p=1 */
#define VM_SLACK_KIB 256

int __real_madvise(void *addr, size_t len, int advice);
int __wrap_madvise(void *addr, size_t len, int advice);

static int fail_advice = -1; /* this advice answers EINVAL */
static int hugepage_calls, populate_calls;

int
__wrap_madvise(void *addr, size_t len, int advice)
{
	if (advice == MADV_HUGEPAGE)
		hugepage_calls++;
	if (advice == MADV_POPULATE_WRITE)
		populate_calls++;
	if (advice == fail_advice) {
		errno = EINVAL;
		return -1;
	}
	return __real_madvise(addr, len, advice);
}

/* The process's VmSize in KiB, read without stdio (whose buffers could grow
 * the heap between two readings); -1 on failure. */
static long
vm_size_kib(void)
{
	char buf[4096], *at;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	at = strstr(buf, "VmSize:");
	return at ? strtol(at + 7, NULL, 10) : -1;
}

/* True if VmSize grew by want_kib since before_kib, give or take what
 * valgrind maps for itself (tens of KiB; a leaked end would be up to 2 MiB,
 * a leaked first try 32 MiB). */
static bool
is_vm_growth(long before_kib, long want_kib)
{
	long d = vm_size_kib() - before_kib - want_kib;

	return before_kib >= 0 && d > -VM_SLACK_KIB && d < VM_SLACK_KIB;
}

static size_t
page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static size_t
pages_of(size_t len)
{
	return (len + page_size() - 1) / page_size();
}

/* True if every page of [p, p + len) is resident (len up to 64 MiB; a
 * static vector: a malloc could grow the heap between two VmSize readings). */
static bool
is_resident(void *p, size_t len)
{
	static unsigned char vec[64 * MIB / 4096];
	size_t i, n = pages_of(len);
	bool ok = n <= sizeof vec && mincore(p, len, vec) == 0;

	for (i = 0; ok && i < n; i++)
		ok = (vec[i] & 1) != 0;
	return ok;
}

/* True if the page at p is mapped. */
static bool
is_mapped(const void *p)
{
	unsigned char v;

	return mincore((void *)((uintptr_t)p / page_size() * page_size()), 1, &v) == 0;
}

/* True if the 2 MiB window the wrapper mapped around p (len bytes) was
 * trimmed to p .. p + len: the pages from the end up to the next mapping
 * (at least one) and as many before p as make 2 MiB are unmapped. */
static bool
is_trimmed(const unsigned char *p, size_t len)
{
	const unsigned char *end = p + pages_of(len) * page_size();
	size_t tail = 0, i;

	while (tail < 2 * MIB && !is_mapped(end + tail))
		tail += page_size();
	if (tail == 0)
		return false;
	for (i = page_size(); i <= 2 * MIB - tail; i += page_size())
		if (is_mapped(p - i))
			return false;
	return true;
}

/* True if every byte of [p, p + len) is zero. */
static bool
is_zero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* Writes a byte into every page and reads them all back. */
static bool
is_writable(unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += page_size())
		p[i] = (unsigned char)(i / page_size() + 1);
	p[len - 1] = 0xa5;
	for (i = 0; i < len - 1; i += page_size())
		if (p[i] != (unsigned char)(i / page_size() + 1))
			return false;
	return p[len - 1] == 0xa5;
}

/* One big private anonymous mapping through the wrapper, end to end. */
static void
check_big(const char *what, size_t len, bool populate, bool want_aligned)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0);
	int huge0 = hugepage_calls, pop0 = populate_calls;
	long before = vm_size_kib();
	unsigned char *p;

	errno = 0;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
	CHECK(p != MAP_FAILED, "%s: mmap: %s", what, strerror(errno));
	if (p == MAP_FAILED)
		return;
	CHECK(errno == 0, "%s: errno %d after a successful mmap", what, errno);
	CHECK(is_vm_growth(before, (long)(pages_of(len) * page_size() / 1024)),
	      "%s: VmSize grew by %ld KiB for %zu bytes", what, vm_size_kib() - before, len);
	CHECK(hugepage_calls == huge0 + 1, "%s: %d MADV_HUGEPAGE", what, hugepage_calls - huge0);
	CHECK(populate_calls == pop0 + (populate ? 1 : 0), "%s: %d MADV_POPULATE_WRITE", what,
	      populate_calls - pop0);
	if (want_aligned) {
		CHECK((uintptr_t)p % (2 * MIB) == 0, "%s: %p not on a 2 MiB boundary", what,
		      (void *)p);
		CHECK(is_trimmed(p, len), "%s: more mapped than asked", what);
	}
	if (populate)
		CHECK(is_resident(p, len), "%s: not populated", what);
	CHECK(is_zero(p, len), "%s: not zero-filled", what);
	CHECK(is_writable(p, len), "%s: not writable", what);
	CHECK(munmap(p, len) == 0, "%s: munmap: %s", what, strerror(errno));
	CHECK(is_vm_growth(before, 0), "%s: VmSize %ld KiB after munmap, %ld before", what,
	      vm_size_kib(), before);
	CHECK(!is_mapped(p) && !is_mapped(p + len - 1), "%s: still mapped after munmap", what);
}

/* A mapping the wrapper must pass through: no advice; it is readable. */
static void
check_passed(const char *what, void *addr, size_t len, int prot, int flags, int fd,
             unsigned char want_first)
{
	int huge0 = hugepage_calls, pop0 = populate_calls;
	long before = vm_size_kib();
	unsigned char *p = mmap(addr, len, prot, flags, fd, 0);

	CHECK(p != MAP_FAILED, "%s: mmap: %s", what, strerror(errno));
	if (p == MAP_FAILED)
		return;
	CHECK(is_vm_growth(before, (long)(pages_of(len) * page_size() / 1024)),
	      "%s: VmSize grew by %ld KiB for %zu bytes", what, vm_size_kib() - before, len);
	CHECK(hugepage_calls == huge0 && populate_calls == pop0, "%s: advised", what);
	CHECK(p[0] == want_first && p[len - 1] == 0, "%s: content", what);
	if (flags & MAP_POPULATE)
		CHECK(is_resident(p, len), "%s: not populated", what);
	CHECK(munmap(p, len) == 0, "%s: munmap", what);
}

static void
test_big(void)
{
	check_big("scrypt region, MAP_POPULATE", SCRYPT_REGION, true, true);
	check_big("scrypt region", SCRYPT_REGION, false, true);
	check_big("8 MiB exactly", 8 * MIB, true, true);
	check_big("16 MiB + 1", 16 * MIB + 1, true, true);
	/* Many in a row, as a FastCGI process hashes: nothing accumulates. */
	for (int i = 0; i < 8; i++)
		check_big("repeated", SCRYPT_REGION, true, true);
}

static void
test_fallbacks(void)
{
	/* No THP in the kernel: small pages, still on the boundary. */
	fail_advice = MADV_HUGEPAGE;
	check_big("MADV_HUGEPAGE failing", SCRYPT_REGION, true, true);
	/* A kernel before 5.14: mmap as given, MAP_POPULATE and all. */
	fail_advice = MADV_POPULATE_WRITE;
	check_big("MADV_POPULATE_WRITE failing", SCRYPT_REGION, true, false);
	check_big("MADV_POPULATE_WRITE failing, no MAP_POPULATE", SCRYPT_REGION, false, true);
	fail_advice = -1;
}

static void
test_passed(void)
{
	char dir[64], path[96];
	unsigned char *hint;
	int fd;

	check_passed("small, MAP_POPULATE", NULL, 8 * MIB - 1, PROT_READ | PROT_WRITE,
	             MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	check_passed("small", NULL, 64 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	             -1, 0);
	check_passed("shared anonymous", NULL, 16 * MIB, PROT_READ | PROT_WRITE,
	             MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	check_passed("read-only", NULL, 16 * MIB, PROT_READ,
	             MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	check_passed("MAP_NORESERVE", NULL, 16 * MIB, PROT_READ | PROT_WRITE,
	             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	/* An address hint: the caller's placement is kept. */
	hint = __real_mmap(NULL, 16 * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hint != MAP_FAILED && munmap(hint, 16 * MIB) == 0, "hint");
	check_passed("address hint", hint, 16 * MIB, PROT_READ | PROT_WRITE,
	             MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	/* A file of 16 MiB: its bytes, not zeros. */
	if (!unit_tmp_make(dir, "test-bigmap"))
		return;
	unit_tmp_write(dir, "file", "F");
	snprintf(path, sizeof path, "%s/file", dir);
	fd = open(path, O_RDWR);
	CHECK(fd >= 0 && ftruncate(fd, 16 * MIB) == 0, "file");
	if (fd >= 0) {
		check_passed("file, private", NULL, 16 * MIB, PROT_READ | PROT_WRITE,
		             MAP_PRIVATE | MAP_POPULATE, fd, 'F');
		check_passed("file, shared", NULL, 16 * MIB, PROT_READ, MAP_SHARED, fd, 'F');
		close(fd);
	}
	unit_tmp_remove(dir);
}

static void
test_errors(void)
{
	int huge0 = hugepage_calls;

	/* A length mmap(2) refuses: its answer and errno (ENOMEM; valgrind's
	 * mmap says EINVAL), no advice. */
	errno = 0;
	CHECK(mmap(NULL, SIZE_MAX - 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
	           0) == MAP_FAILED &&
	              (errno == ENOMEM || errno == EINVAL),
	      "huge length: errno %d", errno);
	errno = 0;
	CHECK(mmap(NULL, 0, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	                      MAP_FAILED &&
	              errno == EINVAL,
	      "zero length: errno %d", errno);
	CHECK(hugepage_calls == huge0, "advised a failed mapping");
}

int
main(void)
{
	test_big();
	test_fallbacks();
	test_passed();
	test_errors();
	UNIT_END();
}
