/*
 * fuzz_fcgi.c — lib/fcgi.c on an arbitrary byte stream from the web server:
 * the bytes go into one end of a socketpair (then shut for writing), the
 * program serves every request it finds on the other, reading each one's
 * input to its end and answering. It must end (the stream is finite), every
 * request must carry an id and FCGI_ROLE first and "NAME=value" strings, no
 * more input can come out than went in, and what it writes must be whole
 * records of the types a FastCGI application sends.
 */
#include "fcgi.h"
#include "fuzz.h"
#include "log.h"

#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The protocol warnings are expected here: kept quiet (and lib/log.c, which
 * needs the whole configuration, out of the libFuzzer build). */
void
log_msg(enum log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

/* Every record of out[0..n): version 1, of END_REQUEST (8 bytes), STDOUT,
 * GET_VALUES_RESULT or UNKNOWN_TYPE (8 bytes), filling it exactly. */
static void
check_output(const unsigned char *out, size_t n)
{
	size_t at = 0;

	while (at < n) {
		size_t len;

		FUZZ_CHECK(n - at >= 8 && out[at] == 1);
		len = (size_t)(out[at + 4] << 8 | out[at + 5]) + out[at + 6];
		FUZZ_CHECK(n - at - 8 >= len);
		switch (out[at + 1]) {
		case 3:
		case 11: FUZZ_CHECK(len == 8); break;
		case 6:
		case 10: break;
		default: FUZZ_CHECK(!"a record type an application does not send");
		}
		at += 8 + len;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fcgi_request req;
	static unsigned char out[1 << 20];
	static const char answer[] = "Status: 200 OK\r\n\r\n{}";
	size_t out_len = 0, input = 0;
	char buf[4096];
	ssize_t got;
	int sv[2];

	/* the answers must fit the socket's buffer: nobody reads them meanwhile */
	if (size > 16384)
		return 0;
	signal(SIGPIPE, SIG_IGN);
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	FUZZ_CHECK(write(sv[1], data, size) == (ssize_t)size);
	shutdown(sv[1], SHUT_WR);
	fcgi_init(&req, -1);
	fcgi_attach(&req, sv[0]);
	while (fcgi_accept(&req)) {
		size_t n;

		FUZZ_CHECK(req.id != 0);
		FUZZ_CHECK(req.role == FCGI_ROLE_RESPONDER || req.role == FCGI_ROLE_AUTHORIZER);
		FUZZ_CHECK(req.envp[0] && !strncmp(req.envp[0], "FCGI_ROLE=", 10));
		for (char **v = req.envp; *v; v++)
			FUZZ_CHECK(strchr(*v, '=') != NULL);
		while ((n = fcgi_read(&req, buf, sizeof(buf))) > 0)
			input += n;
		FUZZ_CHECK(input <= size);
		fcgi_finish(&req, answer, sizeof(answer) - 1);
	}
	fcgi_cleanup(&req);
	while ((got = recv(sv[1], out + out_len, sizeof(out) - out_len, MSG_DONTWAIT)) > 0)
		out_len += (size_t)got;
	close(sv[1]);
	check_output(out, out_len);
	return 0;
}
