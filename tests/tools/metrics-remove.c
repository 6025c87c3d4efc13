/*
 * metrics-remove — removes the metrics segments (lib/metrics.h) of the
 * databases named, when they are this user's: what a test stack leaves
 * behind when it stops. A segment outlives its processes by design and
 * every test database has its own, so a machine that runs the suite again
 * and again would run out of segments (kernel.shmmni, 4096): metrics then
 * go off ("No space left on device") and /fcgi-auth/metrics answers 503.
 *
 *   metrics-remove <database>...
 */
#include "metrics.h"

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		metrics_remove(argv[i]);
	return 0;
}
