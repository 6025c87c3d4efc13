/*
 * test_metrics.c — lib/metrics.c: the exposition of counters and
 * histograms (exact text, bucket boundaries, cumulative counts, label
 * sanitising), several forked processes adding at once — some through the
 * mapping they inherited, some attached afresh as another program would —
 * with exact sums and one series per endpoint name however they raced for
 * the slots, the endpoint and status overflows, and the refusal of a
 * segment with the wrong mode or layout. Each segment is removed at the end.
 */
#include "metrics.h"
#include "unit.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

static char name_a[64], name_b[64], name_c[64];
static char *text;

/* The exposition now (freed on the next call). */
static const char *
render(void)
{
	size_t len = 0;

	free(text);
	text = NULL;
	if (!metrics_render(&text, &len))
		return "";
	CHECK(strlen(text) == len, "length %zu for %zu bytes", len, strlen(text));
	return text;
}

/* Where a line of the exposition that starts with prefix continues, if the
 * next character is next; NULL when there is no such line. */
static const char *
line_of(const char *prefix, char next)
{
	const char *t = render(), *p = t;
	size_t n = strlen(prefix);

	while ((p = strstr(p, prefix)) != NULL) {
		if ((p == t || p[-1] == '\n') && p[n] == next)
			return p + n;
		p += n;
	}
	return NULL;
}

/* The value of the sample of series (name and labels), -1 if none. */
static double
sample(const char *series)
{
	const char *p = line_of(series, ' ');

	return p ? strtod(p + 1, NULL) : -1;
}

static bool
has_line(const char *line)
{
	return line_of(line, '\n') != NULL;
}

static void
test_render(void)
{
	CHECK(metrics_init(name_a), "init");
	CHECK(has_line("# TYPE fcgi_auth_sign_in_total counter"), "%s", render());
	CHECK(has_line("fcgi_auth_sign_in_total{outcome=\"ok\"} 0"), "zero counters are shown");
	CHECK(has_line("fcgi_auth_sign_in_total{outcome=\"invalid_credentials\"} 0"), "%s",
	      render());
	CHECK(has_line("fcgi_auth_sign_in_total{outcome=\"rate_limited\"} 0"), "%s", render());
	CHECK(has_line("fcgi_auth_sign_in_total{outcome=\"store_unavailable\"} 0"), "%s", render());
	CHECK(has_line("fcgi_auth_sign_in_total{outcome=\"invalid_request\"} 0"), "%s", render());
	CHECK(has_line("fcgi_auth_sign_up_total{outcome=\"user_exists\"} 0"), "%s", render());
	CHECK(has_line("fcgi_auth_sessions_served_total{source=\"cookie_cache\"} 0"), "%s",
	      render());
	CHECK(has_line("fcgi_auth_hash_slot_waits_total 0"), "%s", render());
	CHECK(has_line("fcgi_auth_hash_slot_wait_seconds_total 0.000000"), "%s", render());
	CHECK(strstr(render(), "fcgi_auth_requests_total{") == NULL,
	      "no endpoint before a request");

	metrics_count(METRICS_SIGN_IN_OK);
	metrics_count(METRICS_SIGN_IN_OK);
	metrics_count(METRICS_SIGN_UP_USER_EXISTS);
	metrics_count(METRICS_SESSION_FROM_DATABASE);
	metrics_count(METRICS_HASH_SLOT_WAITS);
	metrics_count(METRICS_COUNTER_COUNT); /* out of range: ignored */
	metrics_hash_slot_wait(0.25);
	metrics_hash_slot_wait(0.0005);
	CHECK(has_line("fcgi_auth_sign_in_total{outcome=\"ok\"} 2"), "%s", render());
	CHECK(has_line("fcgi_auth_sign_up_total{outcome=\"user_exists\"} 1"), "%s", render());
	CHECK(has_line("fcgi_auth_sessions_served_total{source=\"database\"} 1"), "%s", render());
	CHECK(has_line("fcgi_auth_hash_slot_waits_total 1"), "%s", render());
	CHECK(has_line("fcgi_auth_hash_slot_wait_seconds_total 0.250500"), "%s", render());

	metrics_request("/sign-in/email", 200, 0.0042);
	metrics_request("/sign-in/email", 200, 0.005); /* on a bound: counted in le="0.005" */
	metrics_request("/sign-in/email", 401, 0.12);
	metrics_request("/sign-in/email", 429, 42.0); /* above every bound */
	metrics_request("/get-session", 200, 0.0008);
	metrics_request("/a b\"c\n{}", 200, 0.001); /* sanitised */
	metrics_request("", 404, 0);
	metrics_request("/get-session", 7, 0.001); /* not an HTTP status */
	CHECK(has_line("fcgi_auth_requests_total{endpoint=\"/sign-in/email\",status=\"200\"} 2"),
	      "%s", render());
	CHECK(has_line("fcgi_auth_requests_total{endpoint=\"/sign-in/email\",status=\"401\"} 1"),
	      "%s", render());
	CHECK(has_line("fcgi_auth_requests_total{endpoint=\"/sign-in/email\",status=\"429\"} 1"),
	      "%s", render());
	CHECK(has_line("fcgi_auth_requests_total{endpoint=\"/get-session\",status=\"other\"} 1"),
	      "%s", render());
	CHECK(has_line("fcgi_auth_requests_total{endpoint=\"/a_b_c___\",status=\"200\"} 1"), "%s",
	      render());
	CHECK(has_line("fcgi_auth_requests_total{endpoint=\"unknown\",status=\"404\"} 1"), "%s",
	      render());
	CHECK(has_line("# TYPE fcgi_auth_request_duration_seconds histogram"), "%s", render());
	{
		static const struct {
			const char *le;
			int n;
		} want[] = {{"0.001", 0}, {"0.0025", 0}, {"0.005", 2}, {"0.01", 2}, {"0.025", 2},
		            {"0.05", 2},  {"0.1", 2},    {"0.25", 3},  {"0.5", 3},  {"1", 3},
		            {"2.5", 3},   {"5", 3},      {"10", 3},    {"+Inf", 4}};
		char line[200];
		size_t i;

		for (i = 0; i < sizeof want / sizeof want[0]; i++) {
			snprintf(line, sizeof line,
			         "fcgi_auth_request_duration_seconds_bucket{endpoint=\"/sign-in/"
			         "email\",le=\"%s\"} %d",
			         want[i].le, want[i].n);
			CHECK(has_line(line), "%s in\n%s", line, render());
		}
	}
	CHECK(has_line("fcgi_auth_request_duration_seconds_sum{endpoint=\"/sign-in/email\"} "
	               "42.129200"),
	      "%s", render());
	CHECK(has_line("fcgi_auth_request_duration_seconds_count{endpoint=\"/sign-in/email\"} 4"),
	      "%s", render());
	CHECK(has_line("fcgi_auth_request_duration_seconds_bucket{endpoint=\"/"
	               "get-session\",le=\"0.001\"} 2"),
	      "%s", render());
	/* every line is a comment or "<series> <number>" */
	{
		const char *p = render();
		bool ok = true;

		while (*p) {
			const char *nl = strchr(p, '\n'),
				   *sp = nl ? memrchr(p, ' ', (size_t)(nl - p)) : NULL;

			if (!nl) {
				ok = false;
				break;
			}
			if (*p != '#' &&
			    (!sp || strspn(sp + 1, "0123456789.") != (size_t)(nl - sp - 1)))
				ok = false;
			p = nl + 1;
		}
		CHECK(ok, "not all lines are samples or comments:\n%s", render());
	}
	metrics_cleanup();
	CHECK(render()[0] == '\0', "off after cleanup");
	CHECK(metrics_init(name_a) && sample("fcgi_auth_sign_in_total{outcome=\"ok\"}") == 2,
	      "the numbers outlive the process's attachment");
	metrics_cleanup();
}

#define KIDS 4
#define ROUNDS 200000
#define NAMES 12

/* Several processes at once: exact sums, one series per name. */
static void
test_processes(void)
{
	int go[2], k, status;
	pid_t pid[KIDS];
	char c = 'x', line[160];
	size_t i;

	CHECK(metrics_init(name_b), "init");
	CHECK(pipe(go) == 0, "pipe");
	for (k = 0; k < KIDS; k++) {
		pid[k] = fork();
		if (pid[k] == 0) {
			int r, n;

			close(go[1]);
			if (k % 2 && !metrics_init(name_b)) /* as another program would */
				_exit(2);
			if (read(go[0], &c, 1) != 0) /* start together: when the pipe closes */
				_exit(3);
			for (n = 0; n < NAMES;
			     n++) { /* race for the endpoint slots, each kid in its own order */
				char ep[32];

				snprintf(ep, sizeof ep, "/ep-%d",
				         ((k % 2 ? NAMES - 1 - n : n) + 3 * k) % NAMES);
				metrics_request(ep, 200 + n % 3, 0.002);
			}
			for (r = 0; r < ROUNDS; r++) {
				metrics_count(METRICS_SIGN_IN_OK);
				metrics_count(r % 2 ? METRICS_SESSION_FROM_DATABASE
				                    : METRICS_SESSION_FROM_COOKIE_CACHE);
				metrics_request("/get-session", r % 2 ? 200 : 401,
				                0.0001 * (r % 100));
				metrics_hash_slot_wait(0.000001);
			}
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]);
	for (k = 0; k < KIDS; k++)
		CHECK(waitpid(pid[k], &status, 0) == pid[k] && WIFEXITED(status) &&
		              WEXITSTATUS(status) == 0,
		      "child %d: status %d", k, status);
	CHECK(sample("fcgi_auth_sign_in_total{outcome=\"ok\"}") == KIDS * ROUNDS, "%s", render());
	CHECK(sample("fcgi_auth_sessions_served_total{source=\"database\"}") == KIDS * ROUNDS / 2,
	      "%s", render());
	CHECK(sample("fcgi_auth_sessions_served_total{source=\"cookie_cache\"}") ==
	              KIDS * ROUNDS / 2,
	      "%s", render());
	CHECK(sample("fcgi_auth_requests_total{endpoint=\"/get-session\",status=\"200\"}") ==
	              KIDS * ROUNDS / 2,
	      "%s", render());
	CHECK(sample("fcgi_auth_requests_total{endpoint=\"/get-session\",status=\"401\"}") ==
	              KIDS * ROUNDS / 2,
	      "%s", render());
	CHECK(sample("fcgi_auth_request_duration_seconds_count{endpoint=\"/get-session\"}") ==
	              KIDS * ROUNDS,
	      "%s", render());
	/* 0.0001 * (r % 100): r%100 in 0..10 fall in le 0.001 */
	CHECK(sample("fcgi_auth_request_duration_seconds_bucket{endpoint=\"/"
	             "get-session\",le=\"0.001\"}") == KIDS * (ROUNDS / 100) * 11,
	      "%s", render());
	CHECK(sample("fcgi_auth_hash_slot_wait_seconds_total") > KIDS * ROUNDS * 0.000001 - 1e-6 &&
	              sample("fcgi_auth_hash_slot_wait_seconds_total") <
	                      KIDS * ROUNDS * 0.000001 + 1e-6,
	      "%s", render());
	for (i = 0; i < NAMES; i++) {
		int code;
		double total = 0;

		for (code = 200; code <= 202; code++) {
			double v;

			snprintf(line, sizeof line,
			         "fcgi_auth_requests_total{endpoint=\"/ep-%zu\",status=\"%d\"}", i,
			         code);
			if ((v = sample(line)) > 0)
				total += v;
		}
		CHECK(total == KIDS, "/ep-%zu: %g requests, want %d", i, total, KIDS);
		snprintf(line, sizeof line,
		         "fcgi_auth_request_duration_seconds_count{endpoint=\"/ep-%zu\"}", i);
		{
			const char *t = render(), *first = strstr(t, line);

			CHECK(first && !strstr(first + 1, line), "one series for /ep-%zu", i);
		}
	}
	metrics_cleanup();
}

/* More endpoints than slots: the rest count under "other"; more status
 * codes than slots: status="other". */
static void
test_overflow(void)
{
	char ep[32];
	int i;

	CHECK(metrics_init(name_c), "init");
	for (i = 0; i < 70; i++) {
		snprintf(ep, sizeof ep, "/e%d", i);
		metrics_request(ep, 200, 0.001);
	}
	CHECK(sample("fcgi_auth_requests_total{endpoint=\"/e63\",status=\"200\"}") == 1, "%s",
	      render());
	CHECK(sample("fcgi_auth_requests_total{endpoint=\"/e64\",status=\"200\"}") == -1,
	      "no slot for /e64");
	CHECK(sample("fcgi_auth_requests_total{endpoint=\"other\",status=\"200\"}") == 6, "%s",
	      render());
	CHECK(sample("fcgi_auth_request_duration_seconds_count{endpoint=\"other\"}") == 6, "%s",
	      render());
	for (i = 0; i < 30; i++)
		metrics_request("/e0", 500 + i, 0.001);
	CHECK(sample("fcgi_auth_requests_total{endpoint=\"/e0\",status=\"522\"}") == 1, "%s",
	      render());
	CHECK(sample("fcgi_auth_requests_total{endpoint=\"/e0\",status=\"523\"}") == -1,
	      "24 codes kept");
	CHECK(sample("fcgi_auth_requests_total{endpoint=\"/e0\",status=\"other\"}") == 7, "%s",
	      render());
	metrics_cleanup();
}

/* The shared memory id of the segment this process has attached (from
 * /proc/self/maps: "/SYSV<key> (deleted)"). */
static int
attached_id(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned key = 0;
	int id = -1;

	while (f && fgets(line, sizeof line, f))
		if (strstr(line, "/SYSV") && sscanf(strstr(line, "/SYSV"), "/SYSV%8x", &key) == 1)
			break;
	if (f)
		fclose(f);
	if (key)
		id = shmget((key_t)key, 0, 0);
	return id;
}

/* A segment of another mode or layout is not used. */
static void
test_refused(void)
{
	struct shmid_ds ds;
	uint64_t *raw, saved;
	int id;

	CHECK(metrics_init(name_c), "init");
	id = attached_id();
	CHECK(id >= 0, "segment id from /proc/self/maps");
	metrics_cleanup();
	if (id < 0)
		return;
	CHECK(shmctl(id, IPC_STAT, &ds) == 0, "stat");
	ds.shm_perm.mode = 0644;
	CHECK(shmctl(id, IPC_SET, &ds) == 0, "chmod");
	CHECK(!metrics_init(name_c), "mode 0644 is refused");
	metrics_count(METRICS_SIGN_IN_OK); /* no-op while off */
	CHECK(render()[0] == '\0', "render off");
	ds.shm_perm.mode = 0600;
	CHECK(shmctl(id, IPC_SET, &ds) == 0, "chmod back");

	raw = shmat(id, NULL, 0);
	CHECK(raw != (void *)-1, "attach");
	if (raw == (void *)-1)
		return;
	saved = raw[1]; /* the magic, after state and size */
	raw[1] ^= 0xff;
	CHECK(!metrics_init(name_c), "another layout is refused");
	raw[1] = saved;
	CHECK(metrics_init(name_c), "accepted again");
	CHECK(sample("fcgi_auth_sign_in_total{outcome=\"ok\"}") == 0, "the no-op counted nothing");
	shmdt(raw);
	metrics_cleanup();

	{
		char longname[80];

		memset(longname, 'n', sizeof longname - 1);
		longname[sizeof longname - 1] = '\0';
		CHECK(!metrics_init(longname), "a name over 63 bytes is refused");
	}
}

int
main(void)
{
	snprintf(name_a, sizeof name_a, "test-metrics-a-%ld", (long)getpid());
	snprintf(name_b, sizeof name_b, "test-metrics-b-%ld", (long)getpid());
	snprintf(name_c, sizeof name_c, "test-metrics-c-%ld", (long)getpid());
	test_render();
	test_processes();
	test_overflow();
	test_refused();
	metrics_remove(name_a);
	metrics_remove(name_b);
	metrics_remove(name_c);
	CHECK(metrics_init(name_a) && sample("fcgi_auth_sign_in_total{outcome=\"ok\"}") == 0,
	      "a removed segment starts again from zero");
	metrics_cleanup();
	metrics_remove(name_a);
	free(text);
	UNIT_END();
}
