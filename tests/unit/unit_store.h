/*
 * unit_store.h — a real store for the unit tests of repositories: the
 * MONGODB_URI of the environment when set, else a private FerretDB (SQLite
 * backend, --telemetry=disable, as scripts/ferretdb.sh runs it) on a free
 * loopback port in a temporary directory. FerretDB is our child and gets
 * SIGKILL when we die (PR_SET_PDEATHSIG), so a crashing test leaves no
 * server behind. Binaries run from the top directory (`make unit`,
 * tests/run.sh), where .deps/bin/ferretdb is. unit_store_open fills cfg (what
 * db_open reads) with a database of its own and opens the client;
 * unit_store_close drops that database's collections, closes the client and
 * stops what it started.
 */
#ifndef UNIT_STORE_H
#define UNIT_STORE_H

#include "config.h"
#include "db.h"

#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char unit_store_dir[64];
static pid_t unit_store_pid;
static char unit_store_uri[512], unit_store_db[64];

static void
unit_store_stop(void)
{
	char cmd[128];

	if (unit_store_pid > 0) {
		kill(unit_store_pid, SIGTERM);
		waitpid(unit_store_pid, NULL, 0);
		unit_store_pid = 0;
	}
	if (unit_store_dir[0]) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", unit_store_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "unit_store: could not remove %s\n", unit_store_dir);
		unit_store_dir[0] = '\0';
	}
}

/* Binds 127.0.0.1:port (0: any free one) or connects to it; the port, or 0. */
static int
unit_store_port(int port, bool do_connect)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	if (s < 0)
		return 0;
	ok = do_connect ? connect(s, (struct sockaddr *)&a, sizeof a) == 0
	                : bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
	                          getsockname(s, (struct sockaddr *)&a, &len) == 0;
	close(s);
	return ok ? ntohs(a.sin_port) : 0;
}

static bool
unit_store_start_ferretdb(void)
{
	char url[128], listen[64], state[96], log[96];
	int port, i;

	strcpy(unit_store_dir, "/tmp/fcgi-auth-unit-XXXXXX");
	if (!mkdtemp(unit_store_dir) || !(port = unit_store_port(0, false)))
		return false;
	atexit(unit_store_stop);
	snprintf(url, sizeof url, "--sqlite-url=file:%s/", unit_store_dir);
	snprintf(listen, sizeof listen, "--listen-addr=127.0.0.1:%d", port);
	snprintf(state, sizeof state, "--state-dir=%s", unit_store_dir);
	snprintf(log, sizeof log, "%s/ferretdb.log", unit_store_dir);
	unit_store_pid = fork();
	if (unit_store_pid == 0) {
		FILE *f = freopen(log, "w", stdout);

		(void)f;
		dup2(STDOUT_FILENO, STDERR_FILENO);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(".deps/bin/ferretdb", "ferretdb", "--handler=sqlite", url, listen, state,
		      "--telemetry=disable", "--debug-addr=-", "--log-level=warn", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && unit_store_pid > 0; i++) {
		if (unit_store_port(port, true))
			break;
		if (waitpid(unit_store_pid, NULL, WNOHANG) == unit_store_pid) {
			unit_store_pid = 0;
			break;
		}
		usleep(100000);
	}
	if (unit_store_pid <= 0 || i == 200) {
		fprintf(stderr, "unit_store: FerretDB did not start (.deps/bin/ferretdb, log %s)\n",
		        log);
		return false;
	}
	snprintf(unit_store_uri, sizeof unit_store_uri, "mongodb://127.0.0.1:%d/", port);
	return true;
}

static bool
unit_store_open(struct config *cfg)
{
	const char *uri = getenv("MONGODB_URI");
	char err[256];

	memset(cfg, 0, sizeof *cfg);
	if (uri && *uri)
		snprintf(unit_store_uri, sizeof unit_store_uri, "%s", uri);
	else if (!unit_store_start_ferretdb())
		return false;
	snprintf(unit_store_db, sizeof unit_store_db, "t_unit_%ld_%u", (long)getpid(),
	         arc4random() % 100000);
	cfg->mongodb_uri = unit_store_uri;
	cfg->mongodb_db = unit_store_db;
	cfg->db_timeout_ms = 5000;
	mongoc_init();
	mongoc_log_set_handler(NULL, NULL); /* FerretDB has no endSessions: a warning at close */
	if (!db_open(cfg, err, sizeof err)) {
		fprintf(stderr, "unit_store: %s\n", err);
		return false;
	}
	return true;
}

static void
unit_store_close(void)
{
	int c;

	for (c = 0; c < DB__COUNT; c++)
		mongoc_collection_drop_with_opts(db_collection((enum db_collection)c), NULL, NULL);
	db_close();
	mongoc_cleanup();
	unit_store_stop();
}

#endif
