/*
 * fcgi.c — see fcgi.h. The record layout and the roles are those of the
 * FastCGI 1.0 specification (Open Market, 1996), sections 3 to 6.
 */
#include "fcgi.h"

#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum {
	FCGI_VERSION_1 = 1,
	FCGI_HEADER_LEN = 8,
	FCGI_CONTENT_MAX = 65535,

	FCGI_BEGIN_REQUEST = 1,
	FCGI_ABORT_REQUEST = 2,
	FCGI_END_REQUEST = 3,
	FCGI_PARAMS = 4,
	FCGI_STDIN = 5,
	FCGI_STDOUT = 6,
	FCGI_GET_VALUES = 9,
	FCGI_GET_VALUES_RESULT = 10,
	FCGI_UNKNOWN_TYPE = 11,

	FCGI_KEEP_CONN = 1, /* BEGIN_REQUEST flags */

	FCGI_REQUEST_COMPLETE = 0, /* END_REQUEST protocolStatus */
	FCGI_CANT_MPX_CONN = 1,
	FCGI_UNKNOWN_ROLE = 3,

	FCGI_DRAIN_MAX = 65536, /* input read at the end so that close() cannot reset */
	FCGI_LINGER_MS = 2000   /* then: how long to wait for the server to close */
};

struct fcgi_header {
	unsigned type;
	uint16_t id;
	size_t content_len, padding_len;
};

static volatile sig_atomic_t fcgi_stopping;

void
fcgi_shutdown(void)
{
	fcgi_stopping = 1;
}

/* ------------------------------------------------------------ sockets */

static int
fcgi_listen_unix(const char *path, int backlog)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path); /* a stale socket of an earlier run, as libfcgi does */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, backlog) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
fcgi_listen_tcp(const char *addr, const char *colon, int backlog)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256];
	size_t host_len = (size_t)(colon - addr);
	int fd = -1, one = 1, e = EINVAL;

	if (host_len >= 2 && addr[0] == '[' && addr[host_len - 1] == ']') {
		addr++;
		host_len -= 2;
	}
	if (host_len >= sizeof(host) || !colon[1]) {
		errno = EINVAL;
		return -1;
	}
	memcpy(host, addr, host_len);
	host[host_len] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (getaddrinfo(host_len ? host : NULL, colon + 1, &hints, &res) != 0) {
		errno = EINVAL;
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, backlog) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		errno = e;
	return fd;
}

int
fcgi_listen(const char *addr, int backlog)
{
	const char *colon = strrchr(addr, ':');

	if (colon && !strchr(addr, '/'))
		return fcgi_listen_tcp(addr, colon, backlog);
	return fcgi_listen_unix(addr, backlog);
}

bool
fcgi_is_listener(int fd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);

	return getpeername(fd, (struct sockaddr *)&sa, &len) != 0 && errno == ENOTCONN;
}

/* ------------------------------------------------------------ input */

void
fcgi_init(struct fcgi_request *r, int listen_fd)
{
	memset(r, 0, sizeof(*r));
	r->listen_fd = listen_fd;
	r->fd = -1;
}

void
fcgi_attach(struct fcgi_request *r, int fd)
{
	r->fd = fd;
	r->in_pos = r->in_len = r->rec_left = r->pad_left = 0;
	r->in_closed = r->is_broken = false;
}

/* How fcgi_fill waits: for the request in hand, between requests (a
 * shutdown ends the wait), or not at all. */
enum fcgi_wait { FCGI_WAIT, FCGI_WAIT_UNLESS_STOPPING, FCGI_NO_WAIT };

/* Reads more input into r->in; false at the end of the connection or on an
 * error (r->in_closed), once fcgi_shutdown was called (between requests), or
 * when nothing is there yet (FCGI_NO_WAIT). */
static bool
fcgi_fill(struct fcgi_request *r, enum fcgi_wait wait)
{
	ssize_t got;

	if (r->in_closed)
		return false;
	if (r->in_pos == r->in_len) {
		r->in_pos = r->in_len = 0;
	} else if (r->in_len == sizeof(r->in)) {
		memmove(r->in, r->in + r->in_pos, r->in_len - r->in_pos);
		r->in_len -= r->in_pos;
		r->in_pos = 0;
	}
	for (;;) {
		got = recv(r->fd, r->in + r->in_len, sizeof(r->in) - r->in_len,
		           wait == FCGI_NO_WAIT ? MSG_DONTWAIT : 0);
		if (got > 0)
			break;
		if (got < 0 && errno == EINTR &&
		    !(wait == FCGI_WAIT_UNLESS_STOPPING && fcgi_stopping))
			continue;
		if (got < 0 && wait == FCGI_NO_WAIT && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		r->in_closed = true;
		return false;
	}
	r->in_len += (size_t)got;
	return true;
}

/* Copies n bytes of input to dst (NULL: skips them). */
static bool
fcgi_take(struct fcgi_request *r, void *dst, size_t n, enum fcgi_wait wait)
{
	unsigned char *d = dst;

	while (n > 0) {
		size_t k;

		if (r->in_pos == r->in_len && !fcgi_fill(r, wait))
			return false;
		k = r->in_len - r->in_pos;
		if (k > n)
			k = n;
		if (d) {
			memcpy(d, r->in + r->in_pos, k);
			d += k;
		}
		r->in_pos += k;
		n -= k;
	}
	return true;
}

/* The next record's header, r->rec_left bytes of content and r->pad_left of
 * padding after it. What was left of the previous record is skipped first.
 * With FCGI_NO_WAIT, false (and nothing consumed of the header) unless a
 * whole header is there. */
static bool
fcgi_next_record(struct fcgi_request *r, struct fcgi_header *h, enum fcgi_wait wait)
{
	const unsigned char *b;

	while (r->rec_left + r->pad_left > 0) {
		size_t k;

		if (r->in_pos == r->in_len && !fcgi_fill(r, wait))
			return false;
		k = r->in_len - r->in_pos;
		if (k > r->rec_left + r->pad_left)
			k = r->rec_left + r->pad_left;
		r->in_pos += k;
		if (k <= r->rec_left) {
			r->rec_left -= k;
		} else {
			r->pad_left -= k - r->rec_left;
			r->rec_left = 0;
		}
	}
	while (r->in_len - r->in_pos < FCGI_HEADER_LEN)
		if (!fcgi_fill(r, wait))
			return false;
	b = r->in + r->in_pos;
	if (b[0] != FCGI_VERSION_1) {
		log_warn("FastCGI: a record of version %u: closing the connection", b[0]);
		r->is_broken = true;
		return false;
	}
	h->type = b[1];
	h->id = (uint16_t)(b[2] << 8 | b[3]);
	h->content_len = (size_t)(b[4] << 8 | b[5]);
	h->padding_len = b[6];
	r->in_pos += FCGI_HEADER_LEN;
	r->rec_left = h->content_len;
	r->pad_left = h->padding_len;
	return true;
}

/* The current record's content is of no interest: skipped with its padding. */
static void
fcgi_skip_content(struct fcgi_request *r)
{
	r->pad_left += r->rec_left;
	r->rec_left = 0;
}

/* ------------------------------------------------------------ output */

static void
fcgi_header_put(unsigned char *b, unsigned type, uint16_t id, size_t len)
{
	b[0] = FCGI_VERSION_1;
	b[1] = (unsigned char)type;
	b[2] = (unsigned char)(id >> 8);
	b[3] = (unsigned char)id;
	b[4] = (unsigned char)(len >> 8);
	b[5] = (unsigned char)len;
	b[6] = 0; /* no padding */
	b[7] = 0;
}

static bool
fcgi_writev_all(struct fcgi_request *r, struct iovec *iov, int n)
{
	while (n > 0 && !r->is_broken) {
		ssize_t put = writev(r->fd, iov, n);

		if (put < 0) {
			if (errno == EINTR)
				continue;
			r->is_broken = true;
			break;
		}
		while (n > 0 && (size_t)put >= iov->iov_len) {
			put -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + put;
			iov->iov_len -= (size_t)put;
		}
	}
	return !r->is_broken;
}

static bool
fcgi_end_request(struct fcgi_request *r, uint16_t id, unsigned status)
{
	unsigned char b[16] = {0};
	struct iovec iov = {b, sizeof(b)};

	fcgi_header_put(b, FCGI_END_REQUEST, id, 8);
	b[12] = (unsigned char)status; /* appStatus 0, then protocolStatus */
	return fcgi_writev_all(r, &iov, 1);
}

/* ------------------------------------------------------------ parameters */

/* One length of a name-value pair at p[*at]: 1 byte, or 4 with the top bit
 * set; false when p[*at..n) is too short. */
static inline bool
fcgi_pair_len(const unsigned char *p, size_t n, size_t *at, size_t *len)
{
	if (*at >= n)
		return false;
	if (!(p[*at] & 0x80)) {
		*len = p[(*at)++];
		return true;
	}
	if (n - *at < 4)
		return false;
	*len = (size_t)(p[*at] & 0x7f) << 24 | (size_t)p[*at + 1] << 16 | (size_t)p[*at + 2] << 8 |
	       p[*at + 3];
	*at += 4;
	return true;
}

struct fcgi_pair {
	const unsigned char *name, *value;
	size_t name_len, value_len;
};

/* The name-value pair at p[*at..n), *at moved past it; false when it does
 * not fit in p[0..n). */
static inline bool
fcgi_pair_next(const unsigned char *p, size_t n, size_t *at, struct fcgi_pair *pair)
{
	if (!fcgi_pair_len(p, n, at, &pair->name_len) ||
	    !fcgi_pair_len(p, n, at, &pair->value_len) || pair->name_len > n - *at ||
	    pair->value_len > n - *at - pair->name_len)
		return false;
	pair->name = p + *at;
	pair->value = pair->name + pair->name_len;
	*at += pair->name_len + pair->value_len;
	return true;
}

/* r->envp from the PARAMS stream in r->params, after FCGI_ROLE; false when
 * it is malformed. A pair whose name is empty or holds '=' or NUL, or whose
 * value holds NUL, is left out (no web server sends one). One pass: a pair takes at least two bytes of the stream
 * (its two lengths) and its text ("NAME=value" and a NUL) is no longer than
 * the pair, so the stream's length bounds both arrays. */
static bool
fcgi_env_build(struct fcgi_request *r)
{
	size_t n = r->params_len, at = 0, vars = 0, vars_max = n / 2 + 2;
	struct fcgi_pair pair;
	char *t;

	if (r->env_cap < vars_max) {
		r->env_cap = vars_max > 64 ? vars_max : 64;
		r->env = xrealloc(r->env, r->env_cap * sizeof(*r->env));
	}
	if (r->env_text_cap < n + 1) {
		r->env_text_cap = n + 1 > 4096 ? n + 1 : 4096;
		r->env_text = xrealloc(r->env_text, r->env_text_cap);
	}
	/* First, so that it wins over a parameter of that name: the role, as
	 * libfcgi puts it (lib/request.c reads it). */
	r->env[vars++] =
		r->role == FCGI_ROLE_AUTHORIZER ? "FCGI_ROLE=AUTHORIZER" : "FCGI_ROLE=RESPONDER";
	t = r->env_text;
	while (at < n) {
		if (!fcgi_pair_next(r->params, n, &at, &pair))
			return false;
		if (!pair.name_len || memchr(pair.name, '=', pair.name_len) ||
		    memchr(pair.name, '\0', pair.name_len) ||
		    memchr(pair.value, '\0', pair.value_len))
			continue; /* not one environment string: "NAME=value" would read
			           * as another name or be cut short */
		r->env[vars++] = t;
		memcpy(t, pair.name, pair.name_len);
		t[pair.name_len] = '=';
		memcpy(t + pair.name_len + 1, pair.value, pair.value_len);
		t[pair.name_len + 1 + pair.value_len] = '\0';
		t += pair.name_len + pair.value_len + 2;
	}
	r->env[vars] = NULL;
	r->envp = r->env;
	return true;
}

/* Appends the current PARAMS record's content to r->params. */
static bool
fcgi_params_append(struct fcgi_request *r)
{
	size_t n = r->rec_left;

	if (n > FCGI_PARAMS_MAX - r->params_len) {
		log_warn("FastCGI: parameters over %d bytes: closing the connection",
		         FCGI_PARAMS_MAX);
		r->is_broken = true;
		return false;
	}
	if (r->params_cap < r->params_len + n) {
		size_t cap = r->params_cap ? r->params_cap : 4096;

		while (cap < r->params_len + n)
			cap *= 2;
		r->params = xrealloc(r->params, cap);
		r->params_cap = cap;
	}
	if (!fcgi_take(r, r->params + r->params_len, n, FCGI_WAIT))
		return false;
	r->params_len += n;
	r->rec_left = 0;
	return true;
}

/* After a request with unusually many parameters: back to small buffers. */
static void
fcgi_params_trim(struct fcgi_request *r)
{
	if (r->params_cap > 65536) {
		free(r->params);
		free(r->env_text);
		r->params = NULL;
		r->env_text = NULL;
		r->params_cap = r->env_text_cap = 0;
	}
	if (r->env_cap > 4096) {
		free(r->env);
		r->env = NULL;
		r->env_cap = 0;
	}
}

/* ------------------------------------------------------------ management */

struct fcgi_values {
	unsigned char out[128];
	size_t len;
};

/* Appends the answer to one name FCGI_GET_VALUES asked for, when we know it. */
static void
fcgi_value_put(struct fcgi_values *v, const struct fcgi_pair *pair)
{
	static const struct {
		const char *name;
		char value;
	} known[] = {{"FCGI_MAX_CONNS", '1'}, {"FCGI_MAX_REQS", '1'}, {"FCGI_MPXS_CONNS", '0'}};
	size_t i, nl;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		nl = strlen(known[i].name);
		if (pair->name_len == nl && !memcmp(pair->name, known[i].name, nl) &&
		    v->len + 2 + nl + 1 <= sizeof(v->out)) {
			v->out[v->len++] = (unsigned char)nl;
			v->out[v->len++] = 1;
			memcpy(v->out + v->len, known[i].name, nl);
			v->len += nl;
			v->out[v->len++] = (unsigned char)known[i].value;
		}
	}
}

/* A record of request id 0 (its header just read): FCGI_GET_VALUES is
 * answered with the values we know of, any other type with
 * FCGI_UNKNOWN_TYPE. */
static bool
fcgi_management(struct fcgi_request *r, const struct fcgi_header *h)
{
	unsigned char hdr[FCGI_HEADER_LEN], body[8] = {0}, *content;
	struct fcgi_values v = {{0}, 0};
	struct fcgi_pair pair;
	struct iovec iov[2];
	size_t at = 0;
	bool ok;

	if (h->type != FCGI_GET_VALUES) {
		fcgi_skip_content(r);
		fcgi_header_put(hdr, FCGI_UNKNOWN_TYPE, 0, sizeof(body));
		body[0] = (unsigned char)h->type;
		iov[0] = (struct iovec){hdr, sizeof(hdr)};
		iov[1] = (struct iovec){body, sizeof(body)};
		return fcgi_writev_all(r, iov, 2);
	}
	content = xmalloc(h->content_len);
	ok = fcgi_take(r, content, h->content_len, FCGI_WAIT);
	r->rec_left = 0;
	while (ok && at < h->content_len && fcgi_pair_next(content, h->content_len, &at, &pair))
		fcgi_value_put(&v, &pair);
	if (ok && at == h->content_len) {
		fcgi_header_put(hdr, FCGI_GET_VALUES_RESULT, 0, v.len);
		iov[0] = (struct iovec){hdr, sizeof(hdr)};
		iov[1] = (struct iovec){v.out, v.len};
		ok = fcgi_writev_all(r, iov, 2);
	}
	free(content);
	return ok;
}

/* A record (header just read) that is not of the request in hand, or that
 * the current state does not expect: management records are answered, a
 * second BEGIN_REQUEST is refused, the rest is skipped. */
static bool
fcgi_other(struct fcgi_request *r, const struct fcgi_header *h)
{
	if (h->id == 0)
		return fcgi_management(r, h);
	fcgi_skip_content(r);
	if (h->type == FCGI_BEGIN_REQUEST && h->id != r->id)
		return fcgi_end_request(r, h->id, FCGI_CANT_MPX_CONN);
	return true;
}

/* ------------------------------------------------------------ requests */

static void
fcgi_close(struct fcgi_request *r, bool is_clean)
{
	if (r->fd < 0)
		return;
	if (!is_clean && !r->in_closed && !r->is_broken && shutdown(r->fd, SHUT_WR) == 0) {
		/* Input we did not read would turn close() into a reset, which can
		 * destroy the answer before the server has read it: half-close and
		 * wait (bounded) for the server to close its side, as libfcgi does. */
		struct timespec t0, t1;
		char trash[1024];

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			struct pollfd p = {r->fd, POLLIN, 0};
			long ms;

			clock_gettime(CLOCK_MONOTONIC, &t1);
			ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
			if (ms >= FCGI_LINGER_MS || poll(&p, 1, (int)(FCGI_LINGER_MS - ms)) <= 0 ||
			    read(r->fd, trash, sizeof(trash)) <= 0)
				break;
		}
	}
	close(r->fd);
	r->fd = -1;
}

/* The next connection: accepted, or false. */
static bool
fcgi_connect(struct fcgi_request *r)
{
	int fd;

	if (r->listen_fd < 0)
		return false;
	for (;;) {
		if (fcgi_stopping)
			return false;
		fd = accept4(r->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			break;
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		log_error("FastCGI: accept: %s", strerror(errno));
		return false;
	}
	fcgi_attach(r, fd);
	return true;
}

/* Reads records until a BEGIN_REQUEST of a role we play; true with r->id,
 * r->role and r->keep_conn set. */
static bool
fcgi_begin(struct fcgi_request *r)
{
	struct fcgi_header h;
	unsigned char body[8];
	unsigned role;

	for (;;) {
		if (fcgi_stopping || !fcgi_next_record(r, &h, FCGI_WAIT_UNLESS_STOPPING))
			return false;
		if (h.id == 0 || h.type != FCGI_BEGIN_REQUEST) {
			/* management, or what is left of an ended request */
			if (!fcgi_other(r, &h))
				return false;
			continue;
		}
		if (h.content_len != sizeof(body)) {
			log_warn("FastCGI: BEGIN_REQUEST of %zu bytes: closing the connection",
			         h.content_len);
			r->is_broken = true;
			return false;
		}
		if (!fcgi_take(r, body, sizeof(body), FCGI_WAIT))
			return false;
		r->rec_left = 0;
		r->keep_conn = body[2] & FCGI_KEEP_CONN;
		role = (unsigned)(body[0] << 8 | body[1]);
		if (role == FCGI_ROLE_RESPONDER || role == FCGI_ROLE_AUTHORIZER) {
			r->id = h.id;
			r->role = (enum fcgi_role)role;
			return true;
		}
		/* the Filter role, or another */
		if (!fcgi_end_request(r, h.id, FCGI_UNKNOWN_ROLE) || !r->keep_conn)
			return false;
	}
}

/* Reads the request's PARAMS stream to its empty record (or an abort). */
static bool
fcgi_params(struct fcgi_request *r)
{
	struct fcgi_header h;

	r->params_len = 0;
	for (;;) {
		if (!fcgi_next_record(r, &h, FCGI_WAIT))
			return false;
		if (h.id != r->id) {
			if (!fcgi_other(r, &h))
				return false;
		} else if (h.type == FCGI_ABORT_REQUEST) {
			r->is_aborted = true;
			return true;
		} else if (h.type != FCGI_PARAMS) {
			fcgi_skip_content(
				r); /* STDIN before the parameters end: not ours to keep */
		} else if (h.content_len == 0) {
			break;
		} else if (!fcgi_params_append(r)) {
			return false;
		}
	}
	if (!fcgi_env_build(r)) {
		log_warn("FastCGI: malformed parameters: closing the connection");
		r->is_broken = true;
		return false;
	}
	return true;
}

bool
fcgi_accept(struct fcgi_request *r)
{
	static char *no_env[] = {NULL};

	for (;;) {
		fcgi_params_trim(r);
		r->id = 0;
		r->role = FCGI_ROLE_NONE;
		r->keep_conn = r->in_eof = r->is_aborted = false;
		r->envp = no_env;
		if (fcgi_stopping)
			return false;
		if (r->fd < 0 && !fcgi_connect(r))
			return false;
		if (fcgi_begin(r) && fcgi_params(r)) {
			if (!r->is_aborted)
				return true;
			/* aborted before it began: nothing to answer but the end */
			if (fcgi_end_request(r, r->id, FCGI_REQUEST_COMPLETE) && r->keep_conn)
				continue;
		}
		fcgi_close(r, false);
		if (r->listen_fd < 0)
			return false;
	}
}

/* The request's input, waiting for it as told; see fcgi_read. */
static size_t
fcgi_read_input(struct fcgi_request *r, char *buf, size_t n, enum fcgi_wait wait)
{
	struct fcgi_header h;
	size_t got = 0;

	while (got < n && !r->in_eof && !r->is_aborted && !r->is_broken) {
		size_t k;

		if (r->rec_left == 0) {
			if (!fcgi_next_record(r, &h, wait))
				break;
			if (h.id != r->id) {
				if (!fcgi_other(r, &h))
					break;
			} else if (h.type == FCGI_ABORT_REQUEST) {
				r->is_aborted = true;
			} else if (h.type != FCGI_STDIN) {
				fcgi_skip_content(r);
			} else if (h.content_len == 0) {
				r->in_eof = true;
			}
			continue;
		}
		if (r->in_pos == r->in_len && !fcgi_fill(r, wait))
			break;
		k = r->in_len - r->in_pos;
		if (k > r->rec_left)
			k = r->rec_left;
		if (k > n - got)
			k = n - got;
		memcpy(buf + got, r->in + r->in_pos, k);
		r->in_pos += k;
		r->rec_left -= k;
		got += k;
	}
	return got;
}

size_t
fcgi_read(void *ctx, char *buf, size_t n)
{
	return fcgi_read_input(ctx, buf, n, FCGI_WAIT);
}

/* Reads what is left of the input (at most FCGI_DRAIN_MAX bytes; without
 * waiting for it when told so); true when it has ended. */
static bool
fcgi_drain(struct fcgi_request *r, enum fcgi_wait wait)
{
	char buf[4096];
	size_t total = 0, got;

	while (!r->in_eof && total < FCGI_DRAIN_MAX) {
		got = fcgi_read_input(r, buf, sizeof(buf), wait);
		if (got == 0)
			break;
		total += got;
	}
	return r->in_eof;
}

bool
fcgi_finish(struct fcgi_request *r, const char *out, size_t len)
{
	enum { CHUNKS = 16 };
	struct iovec iov[2 * CHUNKS + 1];
	unsigned char hdr[CHUNKS][FCGI_HEADER_LEN], tail[2 * FCGI_HEADER_LEN + 8] = {0};
	bool ok = true, is_clean;

	if (r->fd < 0 || r->id == 0)
		return false;
	/* A Responder's input comes (a request body, then the empty record). An
	 * Authorizer's server may send none (mod_authnz_fcgi): only what is
	 * already there is looked at. */
	is_clean = r->is_aborted ||
	           fcgi_drain(r, r->role == FCGI_ROLE_RESPONDER ? FCGI_WAIT : FCGI_NO_WAIT);
	do {
		int n = 0, i;

		for (i = 0; i < CHUNKS && len > 0; i++) {
			size_t k = len > FCGI_CONTENT_MAX ? FCGI_CONTENT_MAX : len;

			fcgi_header_put(hdr[i], FCGI_STDOUT, r->id, k);
			iov[n++] = (struct iovec){hdr[i], FCGI_HEADER_LEN};
			iov[n++] = (struct iovec){(void *)out, k};
			out += k;
			len -= k;
		}
		if (len == 0) {
			/* the empty FCGI_STDOUT record, then FCGI_END_REQUEST */
			fcgi_header_put(tail, FCGI_STDOUT, r->id, 0);
			fcgi_header_put(tail + FCGI_HEADER_LEN, FCGI_END_REQUEST, r->id, 8);
			tail[2 * FCGI_HEADER_LEN + 4] = FCGI_REQUEST_COMPLETE;
			iov[n++] = (struct iovec){tail, sizeof(tail)};
		}
		ok = fcgi_writev_all(r, iov, n);
	} while (ok && len > 0);
	r->id = 0;
	/* A connection kept for the next request needs no clean end: what is
	 * left of this one's input is skipped on the way to the next. */
	if (!ok || !r->keep_conn)
		fcgi_close(r, is_clean);
	return ok;
}

void
fcgi_cleanup(struct fcgi_request *r)
{
	fcgi_close(r, true);
	free(r->params);
	free(r->env_text);
	free(r->env);
	r->params = NULL;
	r->env_text = NULL;
	r->env = NULL;
	r->params_cap = r->env_text_cap = r->env_cap = 0;
}
