/*
 * test_app.c — app_run's start (lib/app.c): `--routes` prints the table;
 * a missing setting and an OpenSSL that cannot key HMAC-SHA256 (crypto_init
 * fails: here an OPENSSL_CONF whose default properties no loaded provider
 * meets) each make the program refuse to start, exit status 1 and one line
 * on stderr, before serving anything. On the in-memory store (fake_db.h),
 * so nothing reaches a network.
 */
#include "unit.h"

#include "app.h"
#include "fake_db.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static enum response_error
never(struct call *c)
{
	(void)c;
	return ERR_INTERNAL;
}

static const struct app_route routes[] = {
	{"GET", "/api/auth/x", 0, RATELIMIT_DEFAULT, NULL, NULL, never},
	{"POST", "/api/auth/y/", APP_BODY, RATELIMIT_STRICT, NULL, NULL, never},
	{NULL},
};
static const struct app_program program = {.name = "unit", .routes = routes};

/* app_run(argv) with fd (1: stdout, 2: stderr) captured into buf. */
static int
run(int fd, int argc, char **argv, char *buf, size_t len)
{
	char path[] = "/tmp/fcgi-auth-test-app-XXXXXX";
	int tmp = mkstemp(path), saved = dup(fd), rc;
	ssize_t n;

	fflush(fd == 1 ? stdout : stderr);
	dup2(tmp, fd);
	rc = app_run(&program, argc, argv);
	fflush(fd == 1 ? stdout : stderr);
	dup2(saved, fd);
	close(saved);
	n = pread(tmp, buf, len - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(tmp);
	unlink(path);
	return rc;
}

/*
 * The OpenSSL-configuration case, in a process of its own: OpenSSL reads
 * OPENSSL_CONF once, when first initialised, and a libmongoc built with its
 * automatic init (Debian's shared one, MONGOC=system) does that when the
 * program is loaded, before main could set it. So the parent writes the file
 * and runs this binary again with OPENSSL_CONF in its environment from the
 * start; the child's checks print as usual, and it exits with their count
 * of failures.
 */
static int
fips_only_child(void)
{
	char *argv[] = {"unit", NULL}, buf[1024];

	CHECK(run(2, 1, argv, buf, sizeof buf) == 1, "crypto_init fails: exit 1");
	{
		/* (with MONGOC=system, libmongoc's own OpenSSL probe logs first) */
		static const char tail[] = "crypto: HMAC-SHA256 initialisation failed\n"
					   "unit: cannot initialise OpenSSL (HMAC-SHA256)\n";
		size_t n = strlen(buf);

		CHECK(n >= sizeof tail - 1 && !strcmp(buf + n - (sizeof tail - 1), tail),
		      "stderr ends with crypto_init's failure: \"%s\"", buf);
	}
	CHECK(fake_db_calls() == 0, "the store was never asked");
	return unit_failed > 100 ? 100 : unit_failed;
}

int
main(int argc, char **argv_main)
{
	char *argv[] = {"unit", NULL, NULL}, buf[1024], conf[] = "/tmp/fcgi-auth-openssl-XXXXXX";
	static const char fips_only[] = "openssl_conf = openssl_init\n"
					"[openssl_init]\nalg_section = evp_properties\n"
					"[evp_properties]\ndefault_properties = fips=yes\n";
	int fd, status = -1;
	pid_t pid;

	if (argc > 1 && !strcmp(argv_main[1], "--fips-only-child"))
		return fips_only_child();

	setenv("FCGI_AUTH_LOG_LEVEL", "error", 1);
	argv[1] = "--routes";
	CHECK(run(1, 2, argv, buf, sizeof buf) == 0, "--routes exits 0");
	CHECK_STR(buf, "GET /api/auth/x\nPOST /api/auth/y/\n");

	unsetenv("BETTER_AUTH_SECRET");
	CHECK(run(2, 1, argv, buf, sizeof buf) == 1, "no secret: exit 1");
	CHECK_STR(buf, "unit: BETTER_AUTH_SECRET is not set (32 or more characters required)\n");

	setenv("BETTER_AUTH_SECRET", "short", 1);
	CHECK(run(2, 1, argv, buf, sizeof buf) == 1, "short secret: exit 1");
	CHECK_STR(buf,
	          "unit: BETTER_AUTH_SECRET is too short: 5 characters, 32 or more required\n");

	/* crypto_init fails under an OpenSSL configuration whose default
	 * properties no loaded provider meets (fips_only_child). */
	fd = mkstemp(conf);
	CHECK(fd >= 0 &&
	              write(fd, fips_only, sizeof fips_only - 1) == (ssize_t)sizeof fips_only - 1,
	      "openssl.cnf written");
	close(fd);
	setenv("OPENSSL_CONF", conf, 1);
	setenv("BETTER_AUTH_SECRET", "unit-test-secret-unit-test-secret-0123", 1);
	setenv("FCGI_AUTH_HASH_SLOTS", "0", 1);
	/* Their defaults are derived from the secret with a digest: set them. */
	setenv("FCGI_AUTH_RUNTIME_DIR", "/tmp/fcgi-auth-test-app-run", 1);
	setenv("FCGI_AUTH_HASH_LOCK", "/tmp/fcgi-auth-test-app-run/hash.lock", 1);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "test_app", "--fips-only-child", (char *)NULL);
		_exit(127);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "the FIPS-only child ran");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the FIPS-only child's checks passed (status %d)", status);
	unsetenv("OPENSSL_CONF");
	CHECK(fake_db_calls() == 0, "the store was never asked");
	unlink(conf);
	UNIT_END();
}
