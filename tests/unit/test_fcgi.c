/*
 * test_fcgi.c — lib/fcgi.c against hand-built records on a socketpair: the
 * web server's side is the test's end of the pair. Parameters (1- and 4-byte
 * lengths, split across records, padding), input, the answer's records,
 * FCGI_KEEP_CONN, FCGI_GET_VALUES, unknown types and roles, a second request
 * on the connection, aborts, malformed streams, large answers, the
 * Authorizer's close, listening sockets.
 */
#include "fcgi.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { BEGIN = 1, ABORT = 2, END = 3, PARAMS = 4, STDIN_T = 5, STDOUT_T = 6, GET_VALUES = 9 };

struct buf {
	unsigned char b[1 << 20];
	size_t n;
};

static struct buf in, out;
static struct fcgi_request req;

static void
rec(struct buf *b, unsigned type, unsigned id, const void *content, size_t len, unsigned pad)
{
	unsigned char h[8] = {1,
	                      (unsigned char)type,
	                      (unsigned char)(id >> 8),
	                      (unsigned char)id,
	                      (unsigned char)(len >> 8),
	                      (unsigned char)len,
	                      (unsigned char)pad,
	                      0};

	memcpy(b->b + b->n, h, 8);
	b->n += 8;
	if (len)
		memcpy(b->b + b->n, content, len);
	b->n += len;
	memset(b->b + b->n, 0xEE, pad);
	b->n += pad;
}

static void
begin(struct buf *b, unsigned id, unsigned role, unsigned flags)
{
	unsigned char body[8] = {(unsigned char)(role >> 8), (unsigned char)role,
	                         (unsigned char)flags};

	rec(b, BEGIN, id, body, 8, 0);
}

/* One name-value pair, lengths of 1 or 4 bytes as needed (or forced). */
static size_t
pair(unsigned char *p, const char *name, const char *value, size_t value_len, bool long_lens)
{
	size_t nl = strlen(name), at = 0, lens[2] = {nl, value_len}, i;

	for (i = 0; i < 2; i++) {
		if (lens[i] < 128 && !long_lens) {
			p[at++] = (unsigned char)lens[i];
		} else {
			p[at++] = (unsigned char)(0x80 | lens[i] >> 24);
			p[at++] = (unsigned char)(lens[i] >> 16);
			p[at++] = (unsigned char)(lens[i] >> 8);
			p[at++] = (unsigned char)lens[i];
		}
	}
	memcpy(p + at, name, nl);
	memcpy(p + at + nl, value, value_len);
	return at + nl + value_len;
}

/* PARAMS records for "NAME=value" strings, then the empty one. */
static void
params(struct buf *b, unsigned id, const char *const *vars)
{
	static unsigned char p[65536];
	size_t n = 0;

	for (; *vars; vars++) {
		const char *eq = strchr(*vars, '=');
		char name[256];

		memcpy(name, *vars, (size_t)(eq - *vars));
		name[eq - *vars] = '\0';
		n += pair(p + n, name, eq + 1, strlen(eq + 1), false);
	}
	if (n)
		rec(b, PARAMS, id, p, n, 0);
	rec(b, PARAMS, id, NULL, 0, 0);
}

/* A fresh pair: fcgi_attach'ed to one end, the other returned; the test's
 * input is written (and, when half_close, the test's side shut for writing). */
static int
start(bool half_close)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	fcgi_init(&req, -1);
	fcgi_attach(&req, sv[0]);
	if (write(sv[1], in.b, in.n) != (ssize_t)in.n)
		abort();
	if (half_close)
		shutdown(sv[1], SHUT_WR);
	in.n = 0;
	return sv[1];
}

/* Everything the program wrote (to its end of the connection or, when
 * wait_eof, until it closed it). */
static void
collect(int fd, bool wait_eof)
{
	ssize_t got;

	out.n = 0;
	for (;;) {
		got = recv(fd, out.b + out.n, sizeof(out.b) - out.n, wait_eof ? 0 : MSG_DONTWAIT);
		if (got <= 0)
			break;
		out.n += (size_t)got;
	}
}

struct record {
	unsigned type, id;
	const unsigned char *content;
	size_t len;
};

/* The i-th record of out (i from 0), or false. */
static bool
out_record(size_t i, struct record *r)
{
	size_t at = 0;

	for (;;) {
		if (out.n - at < 8 || out.b[at] != 1)
			return false;
		r->type = out.b[at + 1];
		r->id = (unsigned)(out.b[at + 2] << 8 | out.b[at + 3]);
		r->len = (size_t)(out.b[at + 4] << 8 | out.b[at + 5]);
		r->content = out.b + at + 8;
		if (out.n - at - 8 < r->len + out.b[at + 6])
			return false;
		if (i-- == 0)
			return true;
		at += 8 + r->len + out.b[at + 6];
	}
}

static size_t
out_records(void)
{
	struct record r;
	size_t n = 0;

	while (out_record(n, &r))
		n++;
	return n;
}

/* The STDOUT text of request id in out, NUL-terminated, and whether it ended
 * with an empty STDOUT and END_REQUEST(status). */
static bool
out_answer(unsigned id, char *text, size_t cap, unsigned status)
{
	struct record r;
	size_t i, n = 0;
	bool ended = false, stdout_closed = false;

	for (i = 0; out_record(i, &r); i++) {
		if (r.id != id)
			continue;
		if (r.type == STDOUT_T && r.len == 0) {
			stdout_closed = true;
		} else if (r.type == STDOUT_T && n + r.len < cap) {
			memcpy(text + n, r.content, r.len);
			n += r.len;
		} else if (r.type == END && r.len == 8) {
			ended = r.content[4] == status && !memcmp(r.content, "\0\0\0\0", 4);
		}
	}
	text[n] = '\0';
	return ended && (stdout_closed || status != 0);
}

static const char *
env(const char *name)
{
	size_t n = strlen(name);

	for (char **v = req.envp; *v; v++)
		if (!strncmp(*v, name, n) && (*v)[n] == '=')
			return *v + n + 1;
	return NULL;
}

static void
test_responder(void)
{
	static unsigned char p[600];
	char text[256], body[64];
	char big[300];
	size_t n = 0, got;
	int fd;

	/* a value of 300 bytes (4-byte length), a 4-byte length for an empty
	 * value, the pairs split over two records, one with padding */
	memset(big, 'v', sizeof(big));
	begin(&in, 1, FCGI_ROLE_RESPONDER, 0);
	n = pair(p, "REQUEST_METHOD", "POST", 4, false);
	n += pair(p + n, "QUERY_STRING", "", 0, true);
	n += pair(p + n, "A", "b=c", 3, false);
	n += pair(p + n, "BIG", big, sizeof(big), false);
	rec(&in, PARAMS, 1, p, 10, 3);
	rec(&in, PARAMS, 1, p + 10, n - 10, 0);
	rec(&in, PARAMS, 1, NULL, 0, 0);
	rec(&in, STDIN_T, 1, "hel", 3, 5);
	rec(&in, STDIN_T, 1, "lo", 2, 0);
	rec(&in, STDIN_T, 1, NULL, 0, 0);
	fd = start(false);
	CHECK(fcgi_accept(&req), "a request");
	CHECK(req.id == 1 && req.role == FCGI_ROLE_RESPONDER && !req.keep_conn, "id %u", req.id);
	CHECK_STR(req.envp[0], "FCGI_ROLE=RESPONDER");
	CHECK_STR(env("REQUEST_METHOD"), "POST");
	CHECK_STR(env("QUERY_STRING"), "");
	CHECK_STR(env("A"), "b=c");
	CHECK(env("BIG") && strlen(env("BIG")) == 300 && env("BIG")[299] == 'v', "300 bytes");
	CHECK(req.envp[5] == NULL, "five variables");
	got = fcgi_read(&req, body, 4);
	got += fcgi_read(&req, body + got, sizeof(body) - got);
	CHECK(got == 5 && !memcmp(body, "hello", 5), "the input: %zu", got);
	CHECK(fcgi_read(&req, body, sizeof(body)) == 0 && req.in_eof, "then its end");
	CHECK(fcgi_finish(&req, "Status: 200 OK\r\n\r\nok", 20), "answered");
	collect(fd, true);
	CHECK(out_answer(1, text, sizeof(text), 0), "STDOUT, empty STDOUT, END_REQUEST");
	CHECK_STR(text, "Status: 200 OK\r\n\r\nok");
	CHECK(out_records() == 3, "three records: %zu", out_records());
	CHECK(req.fd == -1, "closed");
	CHECK(!fcgi_accept(&req), "no more requests on an attached connection");
	fcgi_cleanup(&req);
	close(fd);
}

/* GET_VALUES and an unknown management record before the request; a second
 * BEGIN_REQUEST during it; input left unread (drained by finish). */
static void
test_management(void)
{
	unsigned char q[128];
	size_t n = 0;
	struct record r;
	char text[64];
	int fd;

	n += pair(q + n, "FCGI_MAX_CONNS", "", 0, false);
	n += pair(q + n, "NOT_A_VALUE", "", 0, false);
	n += pair(q + n, "FCGI_MPXS_CONNS", "", 0, false);
	rec(&in, GET_VALUES, 0, q, n, 0);
	rec(&in, 42, 0, "xyz", 3, 1);
	begin(&in, 7, FCGI_ROLE_RESPONDER, 0);
	rec(&in, PARAMS, 7, NULL, 0, 0); /* no parameters at all */
	begin(&in, 8, FCGI_ROLE_RESPONDER, 0);
	rec(&in, STDIN_T, 7, "unread", 6, 0);
	rec(&in, STDIN_T, 7, NULL, 0, 0);
	fd = start(false);
	CHECK(fcgi_accept(&req), "a request after the management records");
	CHECK(req.id == 7 && req.envp[0] && req.envp[1] == NULL, "only FCGI_ROLE");
	collect(fd, false);
	CHECK(out_record(0, &r) && r.type == 10 && r.id == 0, "GET_VALUES_RESULT first");
	n = 0;
	n += pair(q + n, "FCGI_MAX_CONNS", "1", 1, false);
	n += pair(q + n, "FCGI_MPXS_CONNS", "0", 1, false);
	CHECK(r.len == n && !memcmp(r.content, q, n), "the two values we know, in order");
	CHECK(out_record(1, &r) && r.type == 11 && r.len == 8 && r.content[0] == 42,
	      "UNKNOWN_TYPE for type 42");
	CHECK(fcgi_finish(&req, "Status: 204\r\n\r\n", 15), "answered");
	collect(fd, true);
	CHECK(out_record(0, &r) && r.type == END && r.id == 8 && r.content[4] == 1,
	      "the second request refused: FCGI_CANT_MPX_CONN");
	CHECK(out_answer(7, text, sizeof(text), 0) && !strcmp(text, "Status: 204\r\n\r\n"),
	      "the first answered");
	fcgi_cleanup(&req);
	close(fd);
}

/* FCGI_KEEP_CONN: two requests on one connection, the first leaving input
 * unread; a Filter request refused in between. */
static void
test_keep_conn(void)
{
	static const char *const one[] = {"N=1", NULL}, *const two[] = {"N=2", NULL};
	char text[64], body[8];
	int fd;

	begin(&in, 1, FCGI_ROLE_RESPONDER, 1);
	params(&in, 1, one);
	rec(&in, STDIN_T, 1, "abcdef", 6, 0);
	rec(&in, STDIN_T, 1, NULL, 0, 0);
	fd = start(false);
	CHECK(fcgi_accept(&req) && req.keep_conn, "the first, kept");
	CHECK_STR(env("N"), "1");
	CHECK(fcgi_read(&req, body, 2) == 2, "two bytes of six read");
	CHECK(fcgi_finish(&req, "A", 1), "answered");
	CHECK(req.fd >= 0, "the connection stays open");
	collect(fd, false);
	CHECK(out_answer(1, text, sizeof(text), 0) && !strcmp(text, "A"), "first answer");
	begin(&in, 3, 3 /* Filter */, 1);
	begin(&in, 1, FCGI_ROLE_RESPONDER, 0);
	params(&in, 1, two);
	rec(&in, STDIN_T, 1, NULL, 0, 0);
	if (write(fd, in.b, in.n) != (ssize_t)in.n)
		abort();
	in.n = 0;
	CHECK(fcgi_accept(&req) && !req.keep_conn, "the second");
	CHECK_STR(env("N"), "2");
	CHECK(fcgi_finish(&req, "B", 1), "answered");
	collect(fd, true);
	{
		struct record r;

		CHECK(out_record(0, &r) && r.type == END && r.id == 3 && r.content[4] == 3,
		      "the Filter refused: FCGI_UNKNOWN_ROLE");
	}
	CHECK(out_answer(1, text, sizeof(text), 0) && !strcmp(text, "B"), "second answer");
	CHECK(req.fd == -1, "closed after the request that did not keep it");
	fcgi_cleanup(&req);
	close(fd);
}

static void
test_abort(void)
{
	static const char *const vars[] = {"X=1", NULL};
	char text[64], body[16];
	int fd;

	/* during the input */
	begin(&in, 2, FCGI_ROLE_RESPONDER, 0);
	params(&in, 2, vars);
	rec(&in, STDIN_T, 2, "ab", 2, 0);
	rec(&in, ABORT, 2, NULL, 0, 0);
	fd = start(false);
	CHECK(fcgi_accept(&req), "a request");
	CHECK(fcgi_read(&req, body, sizeof(body)) == 2, "what came before the abort");
	CHECK(fcgi_read(&req, body, sizeof(body)) == 0 && req.is_aborted, "then the abort");
	fcgi_finish(&req, "X", 1);
	collect(fd, true);
	CHECK(out_answer(2, text, sizeof(text), 0), "ended all the same");
	fcgi_cleanup(&req);
	close(fd);

	/* before the parameters ended: no request reaches the program */
	begin(&in, 4, FCGI_ROLE_RESPONDER, 0);
	rec(&in, ABORT, 4, NULL, 0, 0);
	fd = start(true);
	CHECK(!fcgi_accept(&req), "nothing to serve");
	collect(fd, true);
	{
		struct record r;

		CHECK(out_records() == 1 && out_record(0, &r) && r.type == END && r.id == 4 &&
		              r.content[4] == 0,
		      "only END_REQUEST, complete");
	}
	fcgi_cleanup(&req);
	close(fd);
}

/* Pairs that are not environment strings are left out. */
static void
test_odd_pairs(void)
{
	unsigned char p[128];
	size_t n = 0;
	int fd;

	n += pair(p + n, "", "empty name", 10, false);
	n += pair(p + n, "A=B", "c", 1, false);
	n += pair(p + n, "SHORT", "cut\0here", 8, false);
	n += pair(p + n, "OK", "1", 1, false);
	memcpy(p + n + 2, "N\0UL", 4);
	p[n] = 4;
	p[n + 1] = 1;
	p[n + 6] = 'v';
	n += 7;
	begin(&in, 1, FCGI_ROLE_RESPONDER, 0);
	rec(&in, PARAMS, 1, p, n, 0);
	rec(&in, PARAMS, 1, NULL, 0, 0);
	rec(&in, STDIN_T, 1, NULL, 0, 0);
	fd = start(false);
	CHECK(fcgi_accept(&req), "served");
	CHECK(req.envp[1] && !strcmp(req.envp[1], "OK=1") && !req.envp[2],
	      "only OK=1 after the role: %s", req.envp[1] ? req.envp[1] : "(none)");
	fcgi_finish(&req, "X", 1);
	fcgi_cleanup(&req);
	close(fd);
}

/* Broken streams: the connection is dropped, nothing answered. */
static void
test_malformed(void)
{
	unsigned char p[16] = {5, 200, 'N', 'A', 'M', 'E', 'X'}; /* value longer than the record */
	static unsigned char big[65535];
	size_t i;
	int fd;

	begin(&in, 1, FCGI_ROLE_RESPONDER, 0);
	rec(&in, PARAMS, 1, p, 7, 0);
	rec(&in, PARAMS, 1, NULL, 0, 0);
	fd = start(true);
	CHECK(!fcgi_accept(&req), "malformed parameters");
	collect(fd, true);
	CHECK(out.n == 0, "nothing written: %zu", out.n);
	fcgi_cleanup(&req);
	close(fd);

	begin(&in, 1, FCGI_ROLE_RESPONDER, 0);
	in.b[in.n - 16] = 2; /* version 2 */
	fd = start(true);
	CHECK(!fcgi_accept(&req), "another version");
	fcgi_cleanup(&req);
	close(fd);

	rec(&in, BEGIN, 1, "short", 5, 0);
	fd = start(true);
	CHECK(!fcgi_accept(&req), "a BEGIN_REQUEST of 5 bytes");
	fcgi_cleanup(&req);
	close(fd);

	/* more than FCGI_PARAMS_MAX: one pair of a 16-record value; written by
	 * a child, the socket buffer being smaller */
	{
		pid_t child;
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
			abort();
		child = fork();
		if (child == 0) {
			close(sv[0]);
			begin(&in, 1, FCGI_ROLE_RESPONDER, 0);
			for (i = 0; i < FCGI_PARAMS_MAX / sizeof(big) + 2; i++) {
				rec(&in, PARAMS, 1, big, sizeof(big), 0);
				if (write(sv[1], in.b, in.n) != (ssize_t)in.n)
					_exit(0);
				in.n = 0;
			}
			_exit(0);
		}
		close(sv[1]);
		fcgi_init(&req, -1);
		fcgi_attach(&req, sv[0]);
		CHECK(!fcgi_accept(&req), "parameters over FCGI_PARAMS_MAX");
		fcgi_cleanup(&req);
		waitpid(child, NULL, 0);
	}
	/* the connection ends mid-record */
	begin(&in, 1, FCGI_ROLE_RESPONDER, 0);
	in.n -= 3;
	fd = start(true);
	CHECK(!fcgi_accept(&req), "a truncated record");
	fcgi_cleanup(&req);
	close(fd);
}

/* An answer of 200 000 bytes: four STDOUT records, read back whole (a child
 * reads while the program writes). */
static void
test_large_answer(void)
{
	static const char *const vars[] = {"X=1", NULL};
	static char answer[200000], text[200001];
	int pipefd[2], fd;
	pid_t child;
	size_t i;

	for (i = 0; i < sizeof(answer); i++)
		answer[i] = (char)('a' + i % 26);
	begin(&in, 9, FCGI_ROLE_RESPONDER, 0);
	params(&in, 9, vars);
	rec(&in, STDIN_T, 9, NULL, 0, 0);
	fd = start(false);
	if (pipe(pipefd) != 0)
		abort();
	child = fork();
	if (child == 0) {
		close(pipefd[0]);
		close(req.fd); /* the program's end is the parent's alone */
		collect(fd, true);
		if (write(pipefd[1], out.b, out.n) != (ssize_t)out.n)
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	CHECK(fcgi_accept(&req), "a request");
	CHECK(fcgi_finish(&req, answer, sizeof(answer)), "answered");
	close(fd);
	out.n = 0;
	for (;;) {
		ssize_t got = read(pipefd[0], out.b + out.n, sizeof(out.b) - out.n);

		if (got <= 0)
			break;
		out.n += (size_t)got;
	}
	close(pipefd[0]);
	waitpid(child, NULL, 0);
	CHECK(out_answer(9, text, sizeof(text), 0), "ended");
	CHECK(strlen(text) == sizeof(answer) && !memcmp(text, answer, sizeof(answer)),
	      "every byte, in order: %zu", strlen(text));
	CHECK(out_records() == 6, "4 STDOUT + empty STDOUT + END_REQUEST: %zu", out_records());
	fcgi_cleanup(&req);
}

/* An Authorizer without input (mod_authnz_fcgi): answered at once, then the
 * half-close and the wait for the server's close; with the empty STDIN
 * record already there (lighttpd), a plain close. */
static void
test_authorizer(void)
{
	static const char *const vars[] = {"REQUEST_URI=/x", NULL};
	char text[64];
	struct timespec t0, t1;
	int fd;

	begin(&in, 1, FCGI_ROLE_AUTHORIZER, 0);
	params(&in, 1, vars);
	fd = start(false);
	CHECK(fcgi_accept(&req) && req.role == FCGI_ROLE_AUTHORIZER, "an Authorizer");
	CHECK_STR(req.envp[0], "FCGI_ROLE=AUTHORIZER");
	{
		pid_t child = fork();

		if (child == 0) { /* the server: reads the answer, then closes */
			close(req.fd);
			collect(fd, true);
			_exit(out_answer(1, text, sizeof(text), 0) &&
			                      !strcmp(text, "Status: 200\r\n\r\n")
			              ? 0
			              : 1);
		}
		close(fd); /* the child's end only, now */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		CHECK(fcgi_finish(&req, "Status: 200\r\n\r\n", 15), "answered");
		clock_gettime(CLOCK_MONOTONIC, &t1);
		{
			int st = 1;

			waitpid(child, &st, 0);
			CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the server read the answer");
		}
		CHECK(t1.tv_sec - t0.tv_sec < 2, "no wait for the linger bound");
	}
	fcgi_cleanup(&req);

	begin(&in, 1, FCGI_ROLE_AUTHORIZER, 0);
	params(&in, 1, vars);
	rec(&in, STDIN_T, 1, NULL, 0, 0);
	fd = start(false);
	CHECK(fcgi_accept(&req), "an Authorizer with an empty input");
	CHECK(fcgi_finish(&req, "Status: 401\r\n\r\n", 15), "answered");
	CHECK(req.in_eof && req.fd == -1, "its input seen to the end, closed");
	collect(fd, true);
	CHECK(out_answer(1, text, sizeof(text), 0), "ended");
	fcgi_cleanup(&req);
	close(fd);
}

static void
test_listen(void)
{
	char path[] = "/tmp/fcgi-auth-test-fcgi-XXXXXX";
	char sock[64];
	int fd, pipefd[2];

	CHECK(mkdtemp(path) != NULL, "temporary directory");
	snprintf(sock, sizeof(sock), "%s/s.sock", path);
	fd = fcgi_listen(sock, 4);
	CHECK(fd >= 0 && fcgi_is_listener(fd), "a Unix socket that listens");
	close(fd);
	fd = fcgi_listen(sock, 4); /* the stale socket file is replaced */
	CHECK(fd >= 0, "again on the same path");
	close(fd);
	unlink(sock);
	rmdir(path);
	fd = fcgi_listen("127.0.0.1:0", 4);
	CHECK(fd >= 0 && fcgi_is_listener(fd), "TCP on 127.0.0.1");
	close(fd);
	fd = fcgi_listen("[::1]:0", 4);
	CHECK(fd >= 0 || errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT || errno == EINVAL,
	      "[::1]: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	CHECK(fcgi_listen("127.0.0.1:", 4) < 0, "no port");
	CHECK(pipe(pipefd) == 0, "pipe");
	CHECK(!fcgi_is_listener(pipefd[0]), "a pipe is CGI");
	close(pipefd[0]);
	close(pipefd[1]);
	{
		int sv[2];

		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		CHECK(!fcgi_is_listener(sv[0]), "a connected socket (mod_cgid) is CGI");
		close(sv[0]);
		close(sv[1]);
	}
}

static void
on_alarm(int sig)
{
	(void)sig;
	fcgi_shutdown();
}

/* fcgi_shutdown ends the wait between requests of a kept connection. */
static void
test_shutdown(void)
{
	static const char *const vars[] = {"X=1", NULL};
	struct sigaction sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	begin(&in, 1, FCGI_ROLE_RESPONDER, 1);
	params(&in, 1, vars);
	rec(&in, STDIN_T, 1, NULL, 0, 0);
	fd = start(false);
	CHECK(fcgi_accept(&req), "a request");
	CHECK(fcgi_finish(&req, "A", 1) && req.fd >= 0, "kept");
	alarm(1);
	CHECK(!fcgi_accept(&req), "the signal ends the wait for the next one");
	alarm(0);
	fcgi_cleanup(&req);
	close(fd);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_responder();
	test_management();
	test_keep_conn();
	test_abort();
	test_odd_pairs();
	test_malformed();
	test_large_answer();
	test_authorizer();
	test_listen();
	test_shutdown(); /* last: the stop stays requested */
	UNIT_END();
}
