/*
 * scrypt-rate.c — seconds per password hash on this machine, through the
 * programs' own password_hash (lib/password.c: OpenSSL scrypt N=16384, r=16,
 * p=1, 64-byte key). Prints "<hashes> <seconds total> <seconds per hash>".
 * Usage: scrypt-rate [count]   (default 8, after one untimed warm-up hash)
 * Built by bench/run.sh against build/libfcgiauth.a.
 */
#include "crypto.h"
#include "password.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

	if (n < 1 || !crypto_init(secret, sizeof(secret) - 1))
		return 1;
	if (password_hash(pw, sizeof(pw) - 1, out) != PASSWORD_OK)
		return 1;
	t0 = now();
	for (i = 0; i < n; i++)
		if (password_hash(pw, sizeof(pw) - 1, out) != PASSWORD_OK)
			return 1;
	t = now() - t0;
	printf("%d %.4f %.6f\n", n, t, t / n);
	crypto_cleanup();
	return 0;
}
