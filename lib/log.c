/*
 * log.c — see log.h.
 */
#include "log.h"

#include <mongoc/mongoc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *log_program = "fcgi-auth";
static enum log_level log_threshold = LOG_INFO;

static const char *const log_names[] = {"error", "warn", "info", "debug"};

static void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (level > log_threshold)
		return;
	n = snprintf(line, sizeof(line), "fcgi-auth[%s %ld] %s: ", log_program,
	             (long)getpid(), log_names[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	/* One write per line, so lines of concurrent processes never interleave. */
	n = (int)strlen(line);
	if ((size_t)n < sizeof(line) - 1)
		line[n++] = '\n';
	else
		line[sizeof(line) - 2] = '\n', n = (int)sizeof(line) - 1;
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

/* libmongoc's handler: keep warnings and errors, drop its chatter. */
static void
log_mongoc(mongoc_log_level_t level, const char *domain, const char *message, void *data)
{
	(void)data;
	if (level <= MONGOC_LOG_LEVEL_ERROR)
		log_msg(LOG_ERROR, "mongoc %s: %s", domain, message);
	else if (level == MONGOC_LOG_LEVEL_WARNING)
		log_msg(LOG_WARN, "mongoc %s: %s", domain, message);
}

void
log_init(const char *program)
{
	const char *lvl = getenv("FCGI_AUTH_LOG_LEVEL");
	size_t i;

	log_program = program;
	if (lvl)
		for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
			if (strcasecmp(lvl, log_names[i]) == 0)
				log_threshold = (enum log_level)i;
	mongoc_log_set_handler(log_mongoc, NULL);
	mongoc_log_trace_disable();
}
