/*
 * mail_sendmail.c — see mail_sendmail.h.
 */
#include "mail_sendmail.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAIL_SENDMAIL_ARGV_MAX 32
#define MAIL_SENDMAIL_STDERR_KEPT 200

static struct {
	char *argv[MAIL_SENDMAIL_ARGV_MAX + 1]; /* into buf */
	char *buf;
} mail_sendmail;

static int64_t
mail_sendmail_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
mail_sendmail_init(const char *cmd, char *err, size_t errlen)
{
	char *p;
	size_t n = 0;

	mail_sendmail_cleanup();
	mail_sendmail.buf = bson_strdup(cmd);
	for (p = strtok(mail_sendmail.buf, " "); p; p = strtok(NULL, " ")) {
		if (n == MAIL_SENDMAIL_ARGV_MAX) {
			snprintf(err, errlen, "FCGI_AUTH_SENDMAIL has more than %d words",
			         MAIL_SENDMAIL_ARGV_MAX);
			return false;
		}
		mail_sendmail.argv[n++] = p;
	}
	mail_sendmail.argv[n] = NULL;
	if (n == 0 || access(mail_sendmail.argv[0], X_OK) != 0) {
		snprintf(err, errlen, "FCGI_AUTH_SENDMAIL: %s is not an executable program",
		         n ? mail_sendmail.argv[0] : "");
		return false;
	}
	return true;
}

/* In the child: stdin from in, stdout to /dev/null, stderr to errfd, no
 * other descriptor, default signals, its own process group; then the
 * command. Never returns. */
static void
mail_sendmail_exec_child(int in, int errfd, const sigset_t *mask)
{
	static char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	int devnull = open("/dev/null", O_WRONLY);

	setpgid(0, 0);
	if (dup2(in, STDIN_FILENO) < 0 || devnull < 0 || dup2(devnull, STDOUT_FILENO) < 0 ||
	    dup2(errfd, STDERR_FILENO) < 0)
		_exit(126);
	/* the system call itself: musl has no close_range() wrapper */
	if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) { /* kernels before 5.9 */
		long fd, max = sysconf(_SC_OPEN_MAX);

		for (fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			close((int)fd);
	}
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	execve(mail_sendmail.argv[0], mail_sendmail.argv, envp);
	_exit(127);
}

/* Kills the command's process group and reaps it. */
static void
mail_sendmail_kill_child(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Reads what is waiting on *fd (non-blocking), keeping the first
 * MAIL_SENDMAIL_STDERR_KEPT bytes in buf; closes *fd (-1) at EOF or on an error. */
static void
mail_sendmail_drain(int *fd, char *buf, size_t *len)
{
	char chunk[512];
	ssize_t n;
	size_t keep;

	while (*fd >= 0) {
		n = read(*fd, chunk, sizeof chunk);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			close(*fd);
			*fd = -1;
			return;
		}
		keep = MAIL_SENDMAIL_STDERR_KEPT - *len < (size_t)n
		               ? MAIL_SENDMAIL_STDERR_KEPT - *len
		               : (size_t)n;
		memcpy(buf + *len, chunk, keep);
		*len += keep;
	}
}

enum mail_status
mail_sendmail_send(const bson_string_t *msg, int timeout_ms, const sigset_t *mask, char *err,
                   size_t errlen)
{
	int in[2] = {-1, -1}, errp[2] = {-1, -1}, status = 0;
	int64_t deadline = mail_sendmail_now_ms() + timeout_ms;
	char stderr_buf[MAIL_SENDMAIL_STDERR_KEPT + 1];
	size_t stderr_len = 0, sent = 0;
	bool exited = false;
	enum mail_status st = MAIL_FAILED;
	pid_t pid = -1;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0 ||
	    pipe2(errp, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "sendmail: no pipe: %s", strerror(errno));
		goto done;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "sendmail: fork: %s", strerror(errno));
		goto done;
	}
	if (pid == 0)
		mail_sendmail_exec_child(in[1], errp[1], mask);
	close(in[1]);
	close(errp[1]);
	in[1] = errp[1] = -1;
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	/* Feed stdin, collect stderr, until the child has exited. */
	while (!exited) {
		struct pollfd fds[2];
		nfds_t nfds = 0;
		int64_t left = deadline - mail_sendmail_now_ms();
		ssize_t n;

		if (left <= 0) {
			mail_sendmail_kill_child(pid);
			pid = -1;
			snprintf(err, errlen, "sendmail: %s did not finish within %d ms (killed)",
			         mail_sendmail.argv[0], timeout_ms);
			st = MAIL_TIMEOUT;
			goto done;
		}
		if (in[0] >= 0)
			fds[nfds++] = (struct pollfd){.fd = in[0], .events = POLLOUT};
		if (errp[0] >= 0)
			fds[nfds++] = (struct pollfd){.fd = errp[0], .events = POLLIN};
		/* Short waits: the child may exit while a grandchild holds stderr. */
		if (poll(fds, nfds, left < 50 ? (int)left : 50) < 0 && errno != EINTR) {
			snprintf(err, errlen, "sendmail: poll: %s", strerror(errno));
			break;
		}
		if (in[0] >= 0 && fds[0].revents) {
			n = send(in[0], msg->str + sent, msg->len - sent,
			         MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0)
				sent += (size_t)n;
			if ((n < 0 && errno != EAGAIN && errno != EINTR) || sent == msg->len) {
				close(in[0]); /* EOF for the command (or it stopped reading) */
				in[0] = -1;
			}
		}
		mail_sendmail_drain(&errp[0], stderr_buf, &stderr_len);
		if (waitpid(pid, &status, WNOHANG) == pid)
			exited = true;
	}
	pid = -1;
	mail_sendmail_drain(&errp[0], stderr_buf, &stderr_len);
	stderr_buf[stderr_len] = '\0';
	stderr_buf[strcspn(stderr_buf, "\r\n")] = '\0';
	if (exited && WIFEXITED(status) && WEXITSTATUS(status) == 0 && sent == msg->len)
		st = MAIL_OK;
	else if (exited && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		snprintf(err, errlen, "sendmail: %s exited after reading %zu of %zu bytes",
		         mail_sendmail.argv[0], sent, (size_t)msg->len);
	else if (exited && WIFEXITED(status))
		snprintf(err, errlen, "sendmail: %s exited with status %d%s%.200s",
		         mail_sendmail.argv[0], WEXITSTATUS(status), stderr_len ? ": " : "",
		         stderr_buf);
	else if (exited)
		snprintf(err, errlen, "sendmail: %s was killed by signal %d", mail_sendmail.argv[0],
		         WTERMSIG(status));
done:
	if (pid > 0)
		mail_sendmail_kill_child(pid);
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	if (errp[0] >= 0)
		close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
	return st;
}

void
mail_sendmail_cleanup(void)
{
	bson_free(mail_sendmail.buf);
	memset(&mail_sendmail, 0, sizeof mail_sendmail);
}

const char *
mail_sendmail_program(void)
{
	return mail_sendmail.argv[0] ? mail_sendmail.argv[0] : "";
}
