/*
 * xalloc.h — the one out-of-memory policy (as lighttpd's ck_malloc, and as
 * libbson already does): an allocation that fails ends the process with one
 * line on stderr. A FastCGI process that cannot allocate cannot answer
 * anyway, and the web server starts a fresh one; callers never check for
 * NULL. Everything returned is freed with free().
 */
#ifndef XALLOC_H
#define XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Aborts with "fcgi-auth: out of memory" on stderr. */
void xalloc_die(void) __attribute__((noreturn));

#endif
