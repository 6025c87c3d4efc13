/*
 * bigmap.h — large private anonymous mappings (libsodium's scrypt region) in
 * transparent huge pages, through the linker's `--wrap=mmap`.
 *
 * libsodium (crypto_pwhash_scryptsalsa208sha256_ll, lib/password.c) maps
 * each hash's region itself, in alloc_region (scrypt_platform.c):
 * mmap(NULL, 32 MiB + 6208 bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE |
 * MAP_ANONYMOUS | MAP_POPULATE, -1, 0), and unmaps it after the hash.
 * MAP_POPULATE fills it with 8194 small pages: ~8200 page faults and
 * ~110 ms of CPU a hash on the benchmark VM (~20 ms of it in the kernel). In
 * 2 MiB pages the same region costs 16 + 2 faults and ~91 ms (~3 ms in the
 * kernel; bench/scrypt-rate prints the faults).
 * Nothing in libsodium's API lets us hand it memory, so every link that
 * contains libsodium passes BIGMAP_LDFLAGS (Makefile): -Wl,--wrap=mmap makes
 * the static objects' mmap calls (libsodium's among them) come here, and
 * -Wl,--undefined=__wrap_mmap pulls this file out of the archive. The C
 * library's own calls (malloc) are not affected.
 *
 * The two names are the linker's, hence no bigmap_ prefix.
 */
#ifndef BIGMAP_H
#define BIGMAP_H

#include <stddef.h>
#include <sys/types.h>

/* The C library's mmap(2) (the linker's name for it under --wrap=mmap). */
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

/* mmap(2), same arguments, same results. A mapping of at least 8 MiB with
 * addr NULL, PROT_READ | PROT_WRITE and flags MAP_PRIVATE | MAP_ANONYMOUS
 * (MAP_POPULATE optional) starts on a 2 MiB boundary, is advised
 * MADV_HUGEPAGE and, with MAP_POPULATE, is populated with
 * MADV_POPULATE_WRITE; it is exactly len bytes (rounded up to the page
 * size), so munmap(p, len) releases all of it. If populating fails (a kernel
 * before 5.14: EINVAL) the call is made again as given, so the mapping is
 * the one mmap(2) gives. Every other mapping is __real_mmap unchanged.
 * errno is left alone on success. */
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

#endif
