/*
 * scrypt-rate.c — seconds per password hash on this machine, through the
 * programs' own password_hash (lib/password.c: libsodium scrypt N=16384, r=16,
 * p=1, 64-byte key). Prints "<hashes> <seconds total> <seconds per hash>
 * <page faults per hash>" (minor + major faults of the timed hashes, from
 * getrusage: ~8200 in small pages, ~18 in huge pages, lib/bigmap.h).
 * Usage: scrypt-rate [count]   (default 8, after one untimed warm-up hash)
 * Built by bench/run.sh against build/libfcgiauth.a.
 */
#include "crypto.h"
#include "password.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

/* This process's page faults so far. */
static long
faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static const char secret[] = "bench-secret-0123456789abcdefghijklmnop";
	static const char pw[] = "bench-password-123";
	char out[PASSWORD_HASH_LEN + 1];
	int n = argc > 1 ? atoi(argv[1]) : 8, i;
	double t0, t;
	long f0;

	if (n < 1 || !crypto_init(secret, sizeof(secret) - 1))
		return 1;
	if (password_hash(pw, sizeof(pw) - 1, out) != PASSWORD_OK)
		return 1;
	f0 = faults();
	t0 = now();
	for (i = 0; i < n; i++)
		if (password_hash(pw, sizeof(pw) - 1, out) != PASSWORD_OK)
			return 1;
	t = now() - t0;
	printf("%d %.4f %.6f %ld\n", n, t, t / n, (faults() - f0) / n);
	crypto_cleanup();
	return 0;
}
