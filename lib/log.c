/*
 * log.c — see log.h.
 *
 * A JSON line is built in one buffer of LOG_LINE_MAX bytes. Every field but
 * the message is bounded before it is escaped (LOG_FIELD_MAX raw bytes, at
 * most 6 bytes each once escaped), so together they always fit; the message
 * takes what is left, cut at a character boundary with LOG_TAIL bytes kept
 * for `..."}` and the newline. So a line is always one whole JSON object.
 */
#include "log.h"

#include "config.h"

#include "utf8.h"

#include <mongoc/mongoc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LOG_TEXT_MAX 1024 /* a text line, and a formatted message */
#define LOG_LINE_MAX 4096 /* a JSON line */
#define LOG_FIELD_MAX 128 /* raw bytes of a field other than the message */
#define LOG_TAIL 8        /* kept free for the end of a cut JSON line */

static const char *log_program = "fcgi-auth";
static enum log_level log_threshold = LOG_INFO;
static bool log_json;
static char log_request_id[LOG_FIELD_MAX + 1];
static char log_client[64 + 1];

static const char *const log_names[] = {"error", "warn", "info", "debug"};

struct log_line {
	char buf[LOG_LINE_MAX];
	size_t n;
	bool cut; /* the message did not fit */
};

static void
log_put(struct log_line *l, const char *s, size_t n)
{
	if (l->n + n > sizeof(l->buf))
		n = sizeof(l->buf) - l->n;
	memcpy(l->buf + l->n, s, n);
	l->n += n;
}

static void
log_puts(struct log_line *l, const char *s)
{
	log_put(l, s, strlen(s));
}

/* s[0..n) as a JSON string literal, escaped, invalid UTF-8 as U+FFFD; cut
 * (l->cut) where the next character would leave less than LOG_TAIL bytes. */
static void
log_put_json_string(struct log_line *l, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	char esc[8];

	log_put(l, "\"", 1);
	while (p < end) {
		const char *unit = esc;
		size_t len, used = 1;

		switch (*p) {
		case '"':
			unit = "\\\"";
			len = 2;
			break;
		case '\\':
			unit = "\\\\";
			len = 2;
			break;
		case '\b':
			unit = "\\b";
			len = 2;
			break;
		case '\f':
			unit = "\\f";
			len = 2;
			break;
		case '\n':
			unit = "\\n";
			len = 2;
			break;
		case '\r':
			unit = "\\r";
			len = 2;
			break;
		case '\t':
			unit = "\\t";
			len = 2;
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				len = (size_t)snprintf(esc, sizeof esc, "\\u%04x", *p);
			} else if (*p < 0x80) {
				unit = (const char *)p;
				len = 1;
			} else if ((used = utf8_seq_len(p, end)) > 0) {
				unit = (const char *)p;
				len = used;
			} else {
				unit = "\\ufffd";
				len = 6;
				used = 1;
			}
		}
		if (l->n + len + LOG_TAIL > sizeof(l->buf)) {
			log_puts(l, "...");
			l->cut = true;
			break;
		}
		log_put(l, unit, len);
		p += used;
	}
	log_put(l, "\"", 1);
}

static void
log_put_json_field(struct log_line *l, const char *key, const char *value)
{
	size_t n = strlen(value);

	log_put(l, ",\"", 2);
	log_puts(l, key);
	log_put(l, "\":", 2);
	log_put_json_string(l, value, n > LOG_FIELD_MAX ? LOG_FIELD_MAX : n);
}

/* value for a text event line: bounded, with control characters (and
 * spaces, unless keep_spaces) replaced by '_', so a field stays one word
 * and a line stays one line. */
static void
log_put_word(struct log_line *l, const char *value, size_t max, bool keep_spaces)
{
	size_t i, n = strnlen(value, max);

	for (i = 0; i < n && l->n < LOG_TEXT_MAX - 1; i++) {
		unsigned char c = (unsigned char)value[i];
		char ch = (char)(c < 0x20 || c == 0x7f || (c == ' ' && !keep_spaces) ? '_' : c);

		log_put(l, &ch, 1);
	}
}

static void
log_put_text_field(struct log_line *l, const char *key, const char *value)
{
	log_put(l, " ", 1);
	log_puts(l, key);
	log_put(l, "=", 1);
	log_put_word(l, value, LOG_FIELD_MAX, false);
}

static void
log_write(struct log_line *l)
{
	if (write(STDERR_FILENO, l->buf, l->n) < 0)
		return;
}

/* {"time":…,"level":…,"program":…,"pid":…,"event":…,"request_id":…} */
static void
log_json_head(struct log_line *l, enum log_level level, const char *event)
{
	struct timespec ts;
	struct tm tm;
	char tbuf[64];
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(tbuf + n, sizeof tbuf - n, ".%03ldZ", ts.tv_nsec / 1000000);
	log_puts(l, "{\"time\":\"");
	log_puts(l, tbuf);
	log_puts(l, "\",\"level\":\"");
	log_puts(l, log_names[level]);
	log_puts(l, "\"");
	log_put_json_field(l, "program", log_program);
	snprintf(tbuf, sizeof tbuf, ",\"pid\":%ld", (long)getpid());
	log_puts(l, tbuf);
	log_put_json_field(l, "event", event);
	if (log_request_id[0])
		log_put_json_field(l, "request_id", log_request_id);
}

static void
log_json_tail(struct log_line *l, const char *message)
{
	if (message) {
		log_puts(l, ",\"message\":");
		log_put_json_string(l, message, strlen(message));
	}
	log_put(l, "}\n", 2);
}

static void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	struct log_line l;
	char msg[LOG_TEXT_MAX];
	int n;

	if (level > log_threshold)
		return;
	l.n = 0;
	l.cut = false;
	if (log_json) {
		vsnprintf(msg, sizeof msg, fmt, ap);
		log_json_head(&l, level, "message");
		if (log_client[0])
			log_put_json_field(&l, "client", log_client);
		log_json_tail(&l, msg);
		log_write(&l);
		return;
	}
	n = snprintf(l.buf, LOG_TEXT_MAX, "fcgi-auth[%s %ld] %s: ", log_program, (long)getpid(),
	             log_names[level]);
	if (n < 0 || (size_t)n >= LOG_TEXT_MAX)
		return;
	vsnprintf(l.buf + n, LOG_TEXT_MAX - (size_t)n, fmt, ap);
	n = (int)strlen(l.buf);
	if (n < LOG_TEXT_MAX - 1)
		l.buf[n++] = '\n';
	else
		l.buf[LOG_TEXT_MAX - 2] = '\n', n = LOG_TEXT_MAX - 1;
	l.n = (size_t)n;
	log_write(&l);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

/* The event line's parts, in either format: the head (through the event
 * name and request id), one field, the end (the message, the newline). */
static void
log_event_head(struct log_line *l, enum log_level level, const char *event)
{
	char num[32];

	if (log_json) {
		log_json_head(l, level, event);
		return;
	}
	snprintf(num, sizeof num, " %ld] ", (long)getpid());
	log_puts(l, "fcgi-auth[");
	log_put(l, log_program, strnlen(log_program, 64));
	log_puts(l, num);
	log_puts(l, log_names[level]);
	log_puts(l, ": ");
	log_put_word(l, event, LOG_FIELD_MAX, false);
	if (log_request_id[0])
		log_put_text_field(l, "request_id", log_request_id);
}

static void
log_event_field(struct log_line *l, const char *key, const char *value)
{
	if (log_json)
		log_put_json_field(l, key, value);
	else
		log_put_text_field(l, key, value);
}

/* A number field: ,"key":num or key=num. */
static void
log_event_number(struct log_line *l, const char *key, const char *num)
{
	log_puts(l, log_json ? ",\"" : " ");
	log_puts(l, key);
	log_puts(l, log_json ? "\":" : "=");
	log_puts(l, num);
}

static void
log_event_end(struct log_line *l, const char *message)
{
	if (log_json) {
		log_json_tail(l, message);
		return;
	}
	if (message) {
		log_put(l, " ", 1);
		log_put_word(l, message, LOG_TEXT_MAX, true);
	}
	if (l->n > LOG_TEXT_MAX - 1)
		l->n = LOG_TEXT_MAX - 1;
	log_put(l, "\n", 1);
}

void
log_event(enum log_level level, const char *event, const struct log_fields *f)
{
	static const struct log_fields none;
	const char *client;
	struct log_line l;
	char num[48];

	if (level > log_threshold)
		return;
	if (!f)
		f = &none;
	client = f->client ? f->client : log_client[0] ? log_client : NULL;
	l.n = 0;
	l.cut = false;
	log_event_head(&l, level, event);
	if (f->outcome)
		log_event_field(&l, "outcome", f->outcome);
	if (client)
		log_event_field(&l, "client", client);
	if (f->status > 0) {
		snprintf(num, sizeof num, "%d", f->status);
		log_event_number(&l, "status", num);
	}
	if (f->duration_ms > 0) {
		snprintf(num, sizeof num, "%.3f", f->duration_ms);
		log_event_number(&l, "duration_ms", num);
	}
	log_event_end(&l, f->message);
	log_write(&l);
}

static void
log_copy(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

void
log_request_begin(const char *request_id, const char *client)
{
	log_copy(log_request_id, sizeof log_request_id, request_id);
	log_copy(log_client, sizeof log_client, client);
}

void
log_request_end(void)
{
	log_request_id[0] = '\0';
	log_client[0] = '\0';
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
	const char *lvl = config_value("FCGI_AUTH_LOG_LEVEL"),
		   *fmt = config_value("FCGI_AUTH_LOG_FORMAT");
	size_t i;

	log_program = program;
	log_threshold = LOG_INFO;
	if (lvl)
		for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
			if (strcasecmp(lvl, log_names[i]) == 0)
				log_threshold = (enum log_level)i;
	log_json = fmt && strcasecmp(fmt, "json") == 0;
	log_request_end();
	mongoc_log_set_handler(log_mongoc, NULL);
	mongoc_log_trace_disable();
	if (fmt && *fmt && !log_json && strcasecmp(fmt, "text") != 0)
		log_warn("FCGI_AUTH_LOG_FORMAT must be text or json, got \"%.20s\": using text",
		         fmt);
}
