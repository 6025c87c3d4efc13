/*
 * unit.h — the smallest table-driven test harness: CHECK records a pass or a
 * failure with its location, UNIT_END prints "N passed, N failed" and exits
 * non-zero on any failure. One test_<module>.c per lib/<module>.c.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

#define CHECK(cond, ...)                                                                \
	do {                                                                            \
		if (cond) {                                                             \
			unit_passed++;                                                  \
		} else {                                                                \
			unit_failed++;                                                  \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                   \
			fputc('\n', stderr);                                            \
		}                                                                       \
	} while (0)

#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		CHECK(g_ &&w_ &&strcmp(g_, w_) == 0, "got \"%s\" want \"%s\"", g_ ? g_ : "(null)", \
		      w_ ? w_ : "(null)");                                                         \
	} while (0)

#define UNIT_END()                                                          \
	do {                                                                \
		printf("%d passed, %d failed\n", unit_passed, unit_failed); \
		return unit_failed ? 1 : 0;                                 \
	} while (0)

#endif
