/*
 * fcgi.h — the FastCGI protocol (version 1), one request at a time: the
 * Responder and Authorizer roles as lighttpd, mod_fcgid, mod_proxy_fcgi and
 * mod_authnz_fcgi speak them, FCGI_KEEP_CONN, FCGI_GET_VALUES and
 * FCGI_ABORT_REQUEST. In place of libfcgi, which allocated every parameter
 * and copied the answer through stream buffers: here the parameters live in
 * two buffers kept from request to request, and an answer goes out in one
 * writev (its FCGI_STDOUT records, the empty one and FCGI_END_REQUEST).
 */
#ifndef FCGI_H
#define FCGI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FCGI_IN_SIZE 16384      /* the connection's input buffer */
#define FCGI_PARAMS_MAX 1048576 /* the FCGI_PARAMS stream of one request */

enum fcgi_role { FCGI_ROLE_NONE = 0, FCGI_ROLE_RESPONDER = 1, FCGI_ROLE_AUTHORIZER = 2 };

/* Caller-owned; fcgi_init, then fcgi_accept / fcgi_read / fcgi_finish per
 * request, fcgi_cleanup at the end. The fields are read-only to the caller. */
struct fcgi_request {
	int listen_fd;       /* -1: serve the one connection given to fcgi_attach */
	int fd;              /* the connection, -1 between connections */
	uint16_t id;         /* the request in hand, 0 when none */
	enum fcgi_role role; /* of the request in hand */
	bool keep_conn;      /* the server keeps the connection for another request */
	bool in_eof;         /* the request's input (FCGI_STDIN) has ended */
	bool is_aborted;     /* FCGI_ABORT_REQUEST came for it */
	char **envp;         /* its parameters, "NAME=value", NULL-terminated */

	/* private */
	unsigned char in[FCGI_IN_SIZE];
	size_t in_pos, in_len;
	size_t rec_left; /* content of the current record not yet consumed */
	size_t pad_left; /* and its padding (and content to skip) */
	bool in_closed;  /* the connection's input ended or failed */
	bool is_broken;  /* a write failed or the protocol was broken: drop it */
	unsigned char *params;
	size_t params_len, params_cap;
	char *env_text;
	size_t env_text_cap;
	char **env;
	size_t env_cap;
};

/* Opens a listening socket: "host:port" or ":port" (TCP; host a name, an
 * IPv4 or a [bracketed] IPv6 address) or a filesystem path (a Unix socket; a
 * stale socket file at the path is replaced). -1 when it cannot, with errno. */
int fcgi_listen(const char *addr, int backlog);

/* True when fd is a listening socket, that is when the web server started us
 * as a FastCGI application (libfcgi's test: getpeername fails with ENOTCONN);
 * false for CGI (a pipe, a file or a connected socket). */
bool fcgi_is_listener(int fd);

/* Prepares r to accept connections on listen_fd (or, with -1, to serve the
 * connection fcgi_attach gives it: tests and fuzzing). */
void fcgi_init(struct fcgi_request *r, int listen_fd);

/* Serves the connected socket fd (owned by r from now on) instead of
 * accepting one. */
void fcgi_attach(struct fcgi_request *r, int fd);

/* Waits for the next request (accepting a connection when none is open,
 * answering management records, refusing other roles and a second request on
 * the connection) and reads its parameters into r->envp. false when there is
 * none to come: fcgi_shutdown was called, accept failed, or the attached
 * connection ended. */
bool fcgi_accept(struct fcgi_request *r);

/* Reads up to n bytes of the request's input (FCGI_STDIN); 0 at its end, on
 * an abort or an error. A request_read_fn (lib/request.h). */
size_t fcgi_read(void *r, char *buf, size_t n);

/* Sends the answer (a CGI response: headers, blank line, body) and ends the
 * request; closes the connection unless the server keeps it. Input left
 * unread is read first (up to 64 KiB) so that the close cannot reset the
 * connection; failing that, libfcgi's shutdown and wait for the server to
 * close. false when the answer could not be written (the server went away). */
bool fcgi_finish(struct fcgi_request *r, const char *out, size_t len);

/* Async-signal-safe: the next fcgi_accept returns false (a blocked accept or
 * read ends when the signal interrupts it, so install the handler without
 * SA_RESTART). The request in hand is finished first. */
void fcgi_shutdown(void);

/* Releases r's buffers and closes its connection (not the listening socket). */
void fcgi_cleanup(struct fcgi_request *r);

#endif
