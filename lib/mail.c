/*
 * mail.c — see mail.h.
 *
 * Sending. SMTP: libcurl, one easy handle per message, CURLOPT_TIMEOUT_MS
 * for the whole exchange, only the smtp and smtps protocols; "?starttls=1"
 * on an smtp:// URL demands STARTTLS (CURLUSESSL_ALL: no TLS, no mail);
 * smtps:// is TLS from the first byte; certificates are verified (against
 * FCGI_AUTH_SMTP_CA_FILE when set). Credentials come from the URL's
 * userinfo (percent-decoded) or FCGI_AUTH_SMTP_USER/_PASSWORD, never both.
 * sendmail: fork and execve of the configured command, split on spaces, no
 * shell, in its own process group, with PATH as its only environment; the
 * message goes to its stdin, its stdout is discarded, the start of its
 * stderr kept for the log; past the deadline the group is SIGKILLed and the
 * child reaped. SIGPIPE is blocked while sending (and restored, pending ones
 * discarded), so a reader that goes away cannot kill the process.
 */
#include "mail.h"

#include "config.h"
#include "crypto.h"
#include "log.h"
#include "urlcode.h"
#include "utf8.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAIL_TEMPLATE_MAX (64 * 1024) /* bytes, per template file */
#define MAIL_NAME_MAX 200             /* display-name bytes kept */
#define MAIL_SUBJECT_MAX 900          /* subject bytes kept */
#define MAIL_ARGV_MAX 32
#define MAIL_STDERR_KEPT 200

enum mail_sender { MAIL_NONE, MAIL_SMTP, MAIL_SENDMAIL };

struct mail_template {
	char *subject, *text, *html; /* html NULL: made from text */
};

static struct {
	const struct config *cfg;
	enum mail_sender sender;
	char *from_addr, *from_name, *from_domain, *app_name;
	char *smtp_url, *smtp_user, *smtp_password; /* the URL without userinfo or query */
	bool starttls;
	char *argv[MAIL_ARGV_MAX + 1];
	char *argv_buf;
	struct mail_template tpl[MAIL__KIND_COUNT];
	bool curl_ready;
} mail;

static const char *const mail_kind_names[MAIL__KIND_COUNT] = {
	[MAIL_RESET_PASSWORD] = "reset-password",
	[MAIL_VERIFY_EMAIL] = "verify-email",
	[MAIL_CHANGE_EMAIL_CONFIRMATION] = "change-email-confirmation",
	[MAIL_DELETE_ACCOUNT] = "delete-account",
};

static const struct {
	const char *subject, *text;
} mail_defaults[MAIL__KIND_COUNT] = {
	[MAIL_RESET_PASSWORD] =
		{
			"Reset your {{appName}} password",
			"Hello {{name}},\n\n"
			"Someone asked to reset the password of the {{appName}} account "
			"{{email}}.\n"
			"To choose a new password, open this link:\n\n"
			"{{url}}\n\n"
			"If it was not you, ignore this message: your password stays as it is.\n",
		},
	[MAIL_VERIFY_EMAIL] =
		{
			"Verify your e-mail address for {{appName}}",
			"Hello {{name}},\n\n"
			"Please confirm that {{email}} is your address for {{appName}} by opening "
			"this link:\n\n"
			"{{url}}\n\n"
			"If you did not ask for this, ignore this message.\n",
		},
	[MAIL_CHANGE_EMAIL_CONFIRMATION] =
		{
			"Approve the new e-mail address of your {{appName}} account",
			"Hello {{name}},\n\n"
			"Someone asked to change the e-mail address of your {{appName}} account\n"
			"from {{email}} to {{newEmail}}. To approve the change, open this link:\n\n"
			"{{url}}\n\n"
			"A link to verify {{newEmail}} will then be sent there. If it was not "
			"you,\n"
			"ignore this message: your address stays as it is.\n",
		},
	[MAIL_DELETE_ACCOUNT] =
		{
			"Confirm the deletion of your {{appName}} account",
			"Hello {{name}},\n\n"
			"Someone asked to delete the {{appName}} account {{email}} and everything "
			"in it.\n"
			"To confirm, open this link:\n\n"
			"{{url}}\n\n"
			"If it was not you, ignore this message: nothing will be deleted.\n",
		},
};

/* ------------------------------------------------------------ utilities */

/* Everything the module keeps is allocated by libbson (bson_free). */
static char *
mail_strdup(const char *s)
{
	return bson_strdup(s ? s : "");
}

static int64_t
mail_clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The column the next character of out goes to. */
static size_t
mail_col(const bson_string_t *out)
{
	size_t i = out->len;

	while (i > 0 && out->str[i - 1] != '\n')
		i--;
	return out->len - i;
}

/* s[0..n) cut to at most max bytes, at a UTF-8 character boundary. */
static size_t
mail_utf8_cut(const char *s, size_t n, size_t max)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t used = 0, len;

	while (p + used < end && (len = utf8_seq_len(p + used, end)) && used + len <= max)
		used += len;
	return used;
}

static bool
mail_is_atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

bool
mail_is_address(const char *s)
{
	const char *at = strrchr(s, '@'), *p, *label;
	size_t n = strlen(s);

	if (!at || at == s || at - s > 64 || n > 254 || s[0] == '.' || at[-1] == '.')
		return false;
	for (p = s; p < at; p++)
		if (!mail_is_atext(*p) && !(*p == '.' && p[1] != '.'))
			return false;
	label = at + 1;
	for (p = label;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || *label == '-' || p[-1] == '-')
				return false;
			if (*p == '\0')
				return true;
			label = p + 1;
		} else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		             (*p >= '0' && *p <= '9') || *p == '-')) {
			return false;
		}
	}
}

const char *
mail_kind_name(enum mail_kind kind)
{
	return (int)kind >= 0 && kind < MAIL__KIND_COUNT ? mail_kind_names[kind] : "?";
}

bool
mail_kind_parse(const char *name, enum mail_kind *out)
{
	int k;

	for (k = 0; k < MAIL__KIND_COUNT; k++)
		if (!strcmp(name, mail_kind_names[k])) {
			*out = (enum mail_kind)k;
			return true;
		}
	return false;
}

const char *
mail_status_name(enum mail_status st)
{
	static const char *const names[] = {"ok",        "not-configured", "bad-address",
	                                    "bad-input", "failed",         "timeout"};

	return (int)st >= 0 && st <= MAIL_TIMEOUT ? names[st] : "?";
}

bool
mail_is_configured(void)
{
	return mail.sender != MAIL_NONE;
}

/* ------------------------------------------------------------ templates */

static const char *const mail_placeholders[] = {"url", "name", "email", "newEmail", "appName"};
enum {
	MAIL_PH_URL,
	MAIL_PH_NAME,
	MAIL_PH_EMAIL,
	MAIL_PH_NEW_EMAIL,
	MAIL_PH_APP_NAME,
	MAIL_PH_COUNT
};

/* At s (on "{{"): the placeholder's index and *len its length; -1 when s
 * is not "{{" letters "}}" (literal text); -2 for unknown letters. */
static int
mail_placeholder_at(const char *s, size_t *len)
{
	size_t n = 2, i;

	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z'))
		n++;
	if (n == 2 || s[n] != '}' || s[n + 1] != '}')
		return -1;
	*len = n + 2;
	for (i = 0; i < MAIL_PH_COUNT; i++)
		if (strlen(mail_placeholders[i]) == n - 2 &&
		    !memcmp(s + 2, mail_placeholders[i], n - 2))
			return (int)i;
	return -2;
}

static void
mail_html_escape(bson_string_t *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		switch (s[i]) {
		case '&': bson_string_append(out, "&amp;"); break;
		case '<': bson_string_append(out, "&lt;"); break;
		case '>': bson_string_append(out, "&gt;"); break;
		case '"': bson_string_append(out, "&quot;"); break;
		case '\'': bson_string_append(out, "&#39;"); break;
		default: bson_string_append_c(out, s[i]);
		}
}

enum mail_mode {
	MAIL_AS_TEXT,     /* subject, text part: values as they are */
	MAIL_AS_HTML,     /* HTML template: values escaped */
	MAIL_AS_TEXT_HTML /* HTML made from the text template: all escaped, url a link */
};

/* The template tpl with the placeholders of m filled in, appended to out.
 * Control characters in values become spaces. */
static void
mail_render(bson_string_t *out, const char *tpl, const char *const values[MAIL_PH_COUNT],
            enum mail_mode mode)
{
	const char *p = tpl, *open;
	size_t len, i;
	int ph;

	while (*p) {
		bson_string_t *v;

		open = strstr(p, "{{");
		while (open && (ph = mail_placeholder_at(open, &len)) < 0)
			open = strstr(open + 1, "{{");
		if (!open) {
			if (mode == MAIL_AS_TEXT_HTML)
				mail_html_escape(out, p, strlen(p));
			else
				bson_string_append(out, p);
			return;
		}
		if (mode == MAIL_AS_TEXT_HTML)
			mail_html_escape(out, p, (size_t)(open - p));
		else
			bson_string_append_printf(out, "%.*s", (int)(open - p), p);
		v = bson_string_new(values[ph]);
		for (i = 0; i < v->len; i++)
			if ((unsigned char)v->str[i] < 0x20 || v->str[i] == 0x7f)
				v->str[i] = ' ';
		if (mode == MAIL_AS_TEXT) {
			bson_string_append(out, v->str);
		} else if (mode == MAIL_AS_TEXT_HTML && ph == MAIL_PH_URL) {
			bson_string_append(out, "<a href=\"");
			mail_html_escape(out, v->str, v->len);
			bson_string_append(out, "\">");
			mail_html_escape(out, v->str, v->len);
			bson_string_append(out, "</a>");
		} else {
			mail_html_escape(out, v->str, v->len);
		}
		bson_string_free(v, true);
		p = open + len;
	}
}

/* Reads <dir>/<kind>.<ext> into *out (NULL when the file does not exist);
 * false with err when it cannot be read or is not a usable template. */
static bool
mail_read_template(const char *dir, const char *kind, const char *ext, char **out, char *err,
                   size_t errlen)
{
	char path[1024];
	struct stat sb;
	FILE *f = NULL;
	char *buf = NULL;
	const char *p;
	size_t n = 0, len;
	bool ok = false;

	*out = NULL;
	snprintf(path, sizeof path, "%s/%s.%s", dir, kind, ext);
	f = fopen(path, "rb");
	if (!f && errno == ENOENT)
		return true;
	if (!f || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "mail template %s: cannot be read", path);
		goto done;
	}
	if (sb.st_size > MAIL_TEMPLATE_MAX) {
		snprintf(err, errlen, "mail template %s: larger than %d bytes", path,
		         MAIL_TEMPLATE_MAX);
		goto done;
	}
	buf = bson_malloc((size_t)sb.st_size + 1);
	n = fread(buf, 1, (size_t)sb.st_size, f);
	buf[n] = '\0';
	if (!utf8_is_valid(buf, n)) {
		snprintf(err, errlen, "mail template %s: not UTF-8 text", path);
		goto done;
	}
	for (p = strstr(buf, "{{"); p; p = strstr(p + 1, "{{"))
		if (mail_placeholder_at(p, &len) == -2) {
			snprintf(err, errlen,
			         "mail template %s: unknown placeholder %.*s (known: {{url}}, "
			         "{{name}}, {{email}}, {{newEmail}}, {{appName}})",
			         path, (int)(len > 40 ? 40 : len), p);
			goto done;
		}
	if (!strcmp(ext, "subject")) {
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		for (p = buf; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f) {
				snprintf(err, errlen,
				         "mail template %s: the subject must be one line of text",
				         path);
				goto done;
			}
		if (n == 0) {
			snprintf(err, errlen, "mail template %s: empty subject", path);
			goto done;
		}
	}
	*out = buf;
	buf = NULL;
	ok = true;
done:
	bson_free(buf);
	if (f)
		fclose(f);
	return ok;
}

static bool
mail_load_templates(const char *dir, char *err, size_t errlen)
{
	struct stat sb;
	int k;

	if (dir && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
		snprintf(err, errlen, "FCGI_AUTH_MAIL_TEMPLATES: %s is not a directory", dir);
		return false;
	}
	for (k = 0; k < MAIL__KIND_COUNT; k++) {
		struct mail_template *t = &mail.tpl[k];

		if (dir &&
		    (!mail_read_template(dir, mail_kind_names[k], "subject", &t->subject, err,
		                         errlen) ||
		     !mail_read_template(dir, mail_kind_names[k], "txt", &t->text, err, errlen) ||
		     !mail_read_template(dir, mail_kind_names[k], "html", &t->html, err, errlen)))
			return false;
		if (!t->subject)
			t->subject = mail_strdup(mail_defaults[k].subject);
		if (!t->text)
			t->text = mail_strdup(mail_defaults[k].text);
	}
	return true;
}

/* -------------------------------------------------------------- headers */

/* s[0..n) as RFC 2047 B encoded-words ("=?UTF-8?B?…?="), each whole UTF-8
 * characters, folded so that no line passes 76 columns. */
static void
mail_encoded_words(bson_string_t *out, const char *s, size_t n)
{
	char b64[80];
	size_t room, take;

	while (n > 0) {
		room = 76 - mail_col(out);
		if (room < 12 + 8) {
			bson_string_append(out, "\r\n ");
			room = 75;
		}
		take = mail_utf8_cut(s, n, (room - 12) / 4 * 3);
		if (take == 0) /* cannot happen for valid UTF-8 and room >= 20 */
			break;
		crypto_base64_encode(s, take, b64, false);
		bson_string_append_printf(out, "=?UTF-8?B?%s?=", b64);
		s += take;
		n -= take;
		if (n > 0)
			bson_string_append(out, "\r\n ");
	}
}

/* True when s[0..n) is printable ASCII that cannot be read as an encoded word. */
static bool
mail_is_plain(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return !strstr(s, "=?");
}

/* "Subject: <text>\r\n": as is when short printable ASCII, else encoded. */
static void
mail_header_text(bson_string_t *out, const char *field, const char *s)
{
	size_t n = mail_utf8_cut(s, strlen(s), MAIL_SUBJECT_MAX);

	bson_string_append_printf(out, "%s: ", field);
	if (mail_is_plain(s, n) && mail_col(out) + n <= 76 &&
	    (n == 0 || (s[0] != ' ' && s[n - 1] != ' ')))
		bson_string_append_printf(out, "%.*s", (int)n, s);
	else
		mail_encoded_words(out, s, n);
	bson_string_append(out, "\r\n");
}

/* "<field>: [name] <addr>\r\n", name a quoted-string when short printable
 * ASCII, else encoded-words; addr already checked by mail_is_address. */
static void
mail_header_address(bson_string_t *out, const char *field, const char *name, const char *addr)
{
	bson_string_t *clean = bson_string_new(NULL);
	size_t i, n;

	for (i = 0; name && name[i]; i++)
		bson_string_append_c(
			clean, (unsigned char)name[i] < 0x20 || name[i] == 0x7f ? ' ' : name[i]);
	while (clean->len > 0 && clean->str[clean->len - 1] == ' ')
		bson_string_truncate(clean, clean->len - 1);
	n = mail_utf8_cut(clean->str, clean->len, MAIL_NAME_MAX);
	bson_string_append_printf(out, "%s: ", field);
	if (n == 0) {
		bson_string_append(out, addr);
	} else {
		if (mail_is_plain(clean->str, n) && n <= 60) {
			bson_string_append_c(out, '"');
			for (i = 0; i < n; i++) {
				if (clean->str[i] == '"' || clean->str[i] == '\\')
					bson_string_append_c(out, '\\');
				bson_string_append_c(out, clean->str[i]);
			}
			bson_string_append_c(out, '"');
		} else {
			mail_encoded_words(out, clean->str, n);
		}
		bson_string_append(out, mail_col(out) + strlen(addr) + 3 > 76 ? "\r\n <" : " <");
		bson_string_append(out, addr);
		bson_string_append_c(out, '>');
	}
	bson_string_append(out, "\r\n");
	bson_string_free(clean, true);
}

static void
mail_header_date(bson_string_t *out, int64_t now_ms)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	bson_string_append_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	                          days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	                          tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ----------------------------------------------------------------- body */

/* s as quoted-printable (RFC 2045): line ends become CRLF, lines stay
 * within 76 columns (soft breaks "="), '=' and bytes outside printable
 * ASCII are =XX, a space or tab before a line end is encoded, and so are a
 * '.' or the 'F' of "From " at the start of a line (for sendmail and mbox). */
static void
mail_qp(bson_string_t *out, const char *s)
{
	size_t col = 0, i, n = strlen(s);

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool eol = i + 1 == n || s[i + 1] == '\r' || s[i + 1] == '\n', literal;

		if (c == '\r' || c == '\n') {
			if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
			bson_string_append(out, "\r\n");
			col = 0;
			continue;
		}
		for (;;) {
			literal = ((c >= 33 && c <= 126 && c != '=') ||
			           ((c == ' ' || c == '\t') && !eol)) &&
			          !(col == 0 &&
			            (c == '.' || (c == 'F' && !strncmp(s + i, "From ", 5))));
			if (col + (literal ? 1 : 3) <= 75)
				break;
			bson_string_append(out, "=\r\n");
			col = 0;
		}
		if (literal)
			bson_string_append_c(out, (char)c);
		else
			bson_string_append_printf(out, "=%02X", c);
		col += literal ? 1 : 3;
	}
}

static void
mail_part(bson_string_t *out, const char *boundary, const char *type, const char *content)
{
	bson_string_append_printf(out,
	                          "\r\n--%s\r\nContent-Type: %s; charset=UTF-8\r\n"
	                          "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	                          boundary, type);
	mail_qp(out, content);
}

/* -------------------------------------------------------------- compose */

enum mail_status
mail_compose(const struct mail_message *m, int64_t now_ms, bson_string_t **out)
{
	const char *values[MAIL_PH_COUNT];
	bson_string_t *msg = NULL, *subject = NULL, *text = NULL, *html = NULL;
	const struct mail_template *t;
	unsigned char rnd[16];
	char id[33], boundary[40];
	enum mail_status st = MAIL_NOT_CONFIGURED;
	size_t i;

	*out = NULL;
	if (!mail.from_addr)
		goto done;
	st = MAIL_BAD_INPUT;
	if ((int)m->kind < 0 || m->kind >= MAIL__KIND_COUNT)
		goto done;
	st = MAIL_BAD_ADDRESS;
	if (!m->to || !mail_is_address(m->to))
		goto done;
	values[MAIL_PH_URL] = m->url ? m->url : "";
	values[MAIL_PH_NAME] = m->name ? m->name : "";
	values[MAIL_PH_EMAIL] = m->email ? m->email : m->to;
	values[MAIL_PH_NEW_EMAIL] = m->new_email ? m->new_email : "";
	values[MAIL_PH_APP_NAME] = mail.app_name;
	st = MAIL_BAD_INPUT;
	for (i = 0; i < MAIL_PH_COUNT; i++)
		if (!utf8_is_valid(values[i], strlen(values[i])))
			goto done;

	t = &mail.tpl[m->kind];
	subject = bson_string_new(NULL);
	mail_render(subject, t->subject, values, MAIL_AS_TEXT);
	text = bson_string_new(NULL);
	mail_render(text, t->text, values, MAIL_AS_TEXT);
	html = bson_string_new(NULL);
	if (t->html) {
		mail_render(html, t->html, values, MAIL_AS_HTML);
	} else {
		bson_string_append(
			html, "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>");
		mail_html_escape(html, subject->str, subject->len);
		bson_string_append(
			html, "</title></head>\n<body>\n"
			      "<div style=\"white-space: pre-wrap; font-family: sans-serif\">");
		mail_render(html, t->text, values, MAIL_AS_TEXT_HTML);
		bson_string_append(html, "</div>\n</body>\n</html>\n");
	}

	msg = bson_string_new(NULL);
	mail_header_date(msg, now_ms);
	mail_header_address(msg, "From", mail.from_name, mail.from_addr);
	mail_header_address(msg, "To", m->name, m->to);
	mail_header_text(msg, "Subject", subject->str);
	crypto_random(rnd, sizeof rnd);
	crypto_hex(rnd, sizeof rnd, id);
	bson_string_append_printf(msg, "Message-ID: <%s@%s>\r\n", id, mail.from_domain);
	crypto_random(rnd, sizeof rnd);
	crypto_hex(rnd, sizeof rnd, id);
	/* "=_" never occurs in quoted-printable text, so the parts cannot hold it. */
	snprintf(boundary, sizeof boundary, "=_%s", id);
	bson_string_append_printf(msg,
	                          "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
	                          "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n"
	                          "\r\nThis is a message in MIME format.\r\n",
	                          boundary);
	mail_part(msg, boundary, "text/plain", text->str);
	mail_part(msg, boundary, "text/html", html->str);
	bson_string_append_printf(msg, "\r\n--%s--\r\n", boundary);
	*out = msg;
	msg = NULL;
	st = MAIL_OK;
done:
	if (msg)
		bson_string_free(msg, true);
	if (subject)
		bson_string_free(subject, true);
	if (text)
		bson_string_free(text, true);
	if (html)
		bson_string_free(html, true);
	return st;
}

/* ----------------------------------------------------------------- init */

/* FCGI_AUTH_MAIL_FROM: "addr" or "Name <addr>". */
static bool
mail_parse_from(const char *from, char *err, size_t errlen)
{
	const char *lt = strrchr(from, '<');
	size_t n;

	if (lt) {
		n = strlen(lt);
		if (n < 3 || lt[n - 1] != '>') {
			snprintf(err, errlen,
			         "FCGI_AUTH_MAIL_FROM must be \"addr\" or \"Name <addr>\"");
			return false;
		}
		mail.from_addr = bson_strndup(lt + 1, n - 2);
		n = (size_t)(lt - from);
		while (n > 0 && from[n - 1] == ' ')
			n--;
		if (n >= 2 && from[0] == '"' && from[n - 1] == '"')
			mail.from_name = bson_strndup(from + 1, n - 2);
		else
			mail.from_name = bson_strndup(from, n);
	} else {
		mail.from_addr = bson_strdup(from);
		mail.from_name = bson_strdup("");
	}
	if (!mail_is_address(mail.from_addr)) {
		snprintf(err, errlen,
		         "FCGI_AUTH_MAIL_FROM: \"%.80s\" is not a plain local@domain address",
		         mail.from_addr);
		return false;
	}
	if (!utf8_is_valid(mail.from_name, strlen(mail.from_name))) {
		snprintf(err, errlen, "FCGI_AUTH_MAIL_FROM: the name is not UTF-8");
		return false;
	}
	mail.from_domain = bson_strdup(strrchr(mail.from_addr, '@') + 1);
	return true;
}

/* Percent-decodes s[0..n) (decodeURIComponent) into a bson_malloc'd
 * string, or NULL. */
static char *
mail_decode(const char *s, size_t n)
{
	char *m = urlcode_decode(s, n, URLCODE_COMPONENT, NULL), *b;

	if (!m)
		return NULL;
	b = bson_strdup(m);
	explicit_bzero(m, strlen(m));
	free(m);
	return b;
}

/* FCGI_AUTH_SMTP_URL: smtp[s]://[user[:password]@]host[:port][/path][?starttls=1]
 * into the URL libcurl gets (no userinfo, no query), user, password and
 * starttls. */
static bool
mail_parse_smtp_url(const struct config *cfg, char *err, size_t errlen)
{
	const char *url = cfg->smtp_url, *auth = strstr(url, "://") + 3, *end, *at, *colon, *q,
		   *host;
	bool smtps = !strncmp(url, "smtps://", 8);
	bson_string_t *curl_url;

	q = strchr(auth, '?');
	end = auth + strcspn(auth, "/?");
	for (at = NULL, colon = auth; colon < end; colon++)
		if (*colon == '@')
			at = colon;
	if (at) {
		colon = memchr(auth, ':', (size_t)(at - auth));
		mail.smtp_user = mail_decode(auth, (size_t)((colon ? colon : at) - auth));
		mail.smtp_password =
			colon ? mail_decode(colon + 1, (size_t)(at - colon - 1)) : mail_strdup("");
		if (!mail.smtp_user || !mail.smtp_password) {
			snprintf(
				err, errlen,
				"FCGI_AUTH_SMTP_URL: bad percent-encoding in the user or password");
			return false;
		}
		if (cfg->smtp_user || cfg->smtp_password) {
			snprintf(
				err, errlen,
				"FCGI_AUTH_SMTP_URL carries a user: do not set FCGI_AUTH_SMTP_USER "
				"or FCGI_AUTH_SMTP_PASSWORD as well");
			return false;
		}
	} else if (cfg->smtp_user) {
		mail.smtp_user = mail_strdup(cfg->smtp_user);
		mail.smtp_password = mail_strdup(cfg->smtp_password);
	} else if (cfg->smtp_password) {
		snprintf(err, errlen, "FCGI_AUTH_SMTP_PASSWORD is set without FCGI_AUTH_SMTP_USER");
		return false;
	}
	host = at ? at + 1 : auth;
	if (host == end || strchr(url, ' ')) {
		snprintf(err, errlen, "FCGI_AUTH_SMTP_URL has no host");
		return false;
	}
	for (; q && *q; q += strcspn(q, "&")) {
		q++;
		if (!strncmp(q, "starttls=1", 10) && (q[10] == '&' || !q[10])) {
			mail.starttls = true;
		} else if (!strncmp(q, "starttls=0", 10) && (q[10] == '&' || !q[10])) {
			mail.starttls = false;
		} else {
			snprintf(err, errlen,
			         "FCGI_AUTH_SMTP_URL: unknown option \"%.*s\" (known: starttls=1)",
			         (int)strcspn(q, "&"), q);
			return false;
		}
	}
	if (smtps && mail.starttls) {
		snprintf(err, errlen,
		         "FCGI_AUTH_SMTP_URL: smtps:// is TLS already; starttls=1 is for smtp://");
		return false;
	}
	curl_url = bson_string_new(NULL);
	bson_string_append_printf(curl_url, "%.*s%.*s", (int)(auth - url), url,
	                          (int)((q ? q : end + strlen(end)) - host), host);
	mail.smtp_url = bson_string_free(curl_url, false);
	if (mail.smtp_user && !smtps && !mail.starttls && strncmp(host, "127.0.0.1", 9) &&
	    strncmp(host, "localhost", 9) && strncmp(host, "[::1]", 5))
		log_warn("FCGI_AUTH_SMTP_URL: the SMTP password goes out unencrypted "
		         "(use smtps:// or ?starttls=1)");
	return true;
}

/* FCGI_AUTH_SENDMAIL: split on spaces; the program must be executable. */
static bool
mail_parse_sendmail(const char *cmd, char *err, size_t errlen)
{
	char *p;
	size_t n = 0;

	mail.argv_buf = mail_strdup(cmd);
	for (p = strtok(mail.argv_buf, " "); p; p = strtok(NULL, " ")) {
		if (n == MAIL_ARGV_MAX) {
			snprintf(err, errlen, "FCGI_AUTH_SENDMAIL has more than %d words",
			         MAIL_ARGV_MAX);
			return false;
		}
		mail.argv[n++] = p;
	}
	mail.argv[n] = NULL;
	if (n == 0 || access(mail.argv[0], X_OK) != 0) {
		snprintf(err, errlen, "FCGI_AUTH_SENDMAIL: %s is not an executable program",
		         n ? mail.argv[0] : "");
		return false;
	}
	return true;
}

bool
mail_init(const struct config *cfg, char *err, size_t errlen)
{
	const char *host;
	bool ok = false;

	mail_cleanup();
	mail.cfg = cfg;
	if (cfg->app_name) {
		mail.app_name = mail_strdup(cfg->app_name);
	} else if (cfg->base_url && (host = strstr(cfg->base_url, "://"))) {
		host += 3;
		mail.app_name = bson_strndup(host, strcspn(host, ":/?#"));
	}
	if (cfg->app_name && !utf8_is_valid(cfg->app_name, strlen(cfg->app_name))) {
		snprintf(err, errlen, "FCGI_AUTH_APP_NAME is not UTF-8");
		goto done;
	}
	if (!mail_load_templates(cfg->mail_templates, err, errlen))
		goto done;
	if (cfg->mail_from && !mail_parse_from(cfg->mail_from, err, errlen))
		goto done;
	if (!mail.app_name || !*mail.app_name) {
		bson_free(mail.app_name);
		mail.app_name = mail_strdup(mail.from_domain ? mail.from_domain : "fcgi-auth");
	}
	if (cfg->smtp_url) {
		if (!mail_parse_smtp_url(cfg, err, errlen))
			goto done;
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, errlen, "libcurl could not be initialised");
			goto done;
		}
		mail.curl_ready = true;
		mail.sender = MAIL_SMTP;
	} else if (cfg->sendmail) {
		if (!mail_parse_sendmail(cfg->sendmail, err, errlen))
			goto done;
		mail.sender = MAIL_SENDMAIL;
	} else {
		log_info("mail: neither FCGI_AUTH_SMTP_URL nor FCGI_AUTH_SENDMAIL is set: no mail "
		         "will be sent");
	}
	ok = true;
done:
	if (!ok)
		mail_cleanup();
	return ok;
}

void
mail_cleanup(void)
{
	int k;

	for (k = 0; k < MAIL__KIND_COUNT; k++) {
		bson_free(mail.tpl[k].subject);
		bson_free(mail.tpl[k].text);
		bson_free(mail.tpl[k].html);
	}
	if (mail.smtp_password)
		explicit_bzero(mail.smtp_password, strlen(mail.smtp_password));
	bson_free(mail.smtp_url);
	bson_free(mail.smtp_user);
	bson_free(mail.smtp_password);
	bson_free(mail.from_addr);
	bson_free(mail.from_name);
	bson_free(mail.from_domain);
	bson_free(mail.app_name);
	bson_free(mail.argv_buf);
	if (mail.curl_ready)
		curl_global_cleanup();
	memset(&mail, 0, sizeof mail);
}

/* ------------------------------------------------------------------ smtp */

struct mail_upload {
	const char *p;
	size_t left;
};

static size_t
mail_upload_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct mail_upload *u = arg;
	size_t n = size * nitems < u->left ? size * nitems : u->left;

	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* A handle for the configured SMTP server: URL, TLS, CA file, login and the
 * total timeout; errors go to curl_err. NULL when libcurl has none. */
static CURL *
mail_smtp_handle(char *curl_err)
{
	CURL *curl = curl_easy_init();
	long timeout = mail.cfg->mail_timeout_ms;

	if (!curl)
		return NULL;
	curl_easy_setopt(curl, CURLOPT_URL, mail.smtp_url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* No proxy from the environment (all_proxy…): settings are read once, at start. */
	curl_easy_setopt(curl, CURLOPT_PROXY, "");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
	if (mail.starttls)
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (mail.cfg->smtp_ca_file)
		curl_easy_setopt(curl, CURLOPT_CAINFO, mail.cfg->smtp_ca_file);
	if (mail.smtp_user) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, mail.smtp_user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, mail.smtp_password);
	}
	return curl;
}

static enum mail_status
mail_send_smtp(const bson_string_t *msg, const char *to, char *err, size_t errlen)
{
	char curl_err[CURL_ERROR_SIZE] = "";
	CURL *curl = mail_smtp_handle(curl_err);
	struct curl_slist *rcpt = NULL;
	struct mail_upload up = {msg->str, msg->len};
	char from[300], rcpt_to[300];
	CURLcode rc;

	if (!curl) {
		snprintf(err, errlen, "libcurl: no handle");
		return MAIL_FAILED;
	}
	snprintf(from, sizeof from, "<%s>", mail.from_addr);
	snprintf(rcpt_to, sizeof rcpt_to, "<%s>", to);
	rcpt = curl_slist_append(NULL, rcpt_to);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, mail_upload_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &up);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->len);
	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "SMTP: %s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl);
	return rc == CURLE_OK                   ? MAIL_OK
	       : rc == CURLE_OPERATION_TIMEDOUT ? MAIL_TIMEOUT
	                                        : MAIL_FAILED;
}

bool
mail_probe(char *msg, size_t len)
{
	char curl_err[CURL_ERROR_SIZE] = "";
	CURL *curl;
	CURLcode rc;

	if (mail.sender == MAIL_SENDMAIL) {
		snprintf(msg, len, "sendmail command %s is executable (nothing run)", mail.argv[0]);
		return true;
	}
	if (mail.sender != MAIL_SMTP) {
		snprintf(msg, len, "no sender configured");
		return false;
	}
	curl = mail_smtp_handle(curl_err);
	if (!curl) {
		snprintf(msg, len, "libcurl: no handle");
		return false;
	}
	/* The protocol's connect phase only: greeting, EHLO, STARTTLS, login. */
	curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		snprintf(msg, len, "SMTP server %s answered (EHLO%s%s), nothing sent",
		         mail.smtp_url,
		         mail.starttls || !strncmp(mail.smtp_url, "smtps://", 8) ? ", TLS" : "",
		         mail.smtp_user ? ", login accepted" : "");
	else
		snprintf(msg, len, "SMTP server %s: %s", mail.smtp_url,
		         curl_err[0] ? curl_err : curl_easy_strerror(rc));
	curl_easy_cleanup(curl);
	return rc == CURLE_OK;
}

/* -------------------------------------------------------------- sendmail */

/* In the child: stdin from in, stdout to /dev/null, stderr to errfd, no
 * other descriptor, default signals, its own process group; then the
 * command. Never returns. */
static void
mail_exec_child(int in, int errfd, const sigset_t *mask)
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
	execve(mail.argv[0], mail.argv, envp);
	_exit(127);
}

/* Kills the command's process group and reaps it. */
static void
mail_kill_child(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Reads what is waiting on *fd (non-blocking), keeping the first
 * MAIL_STDERR_KEPT bytes in buf; closes *fd (-1) at EOF or on an error. */
static void
mail_drain(int *fd, char *buf, size_t *len)
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
		keep = MAIL_STDERR_KEPT - *len < (size_t)n ? MAIL_STDERR_KEPT - *len : (size_t)n;
		memcpy(buf + *len, chunk, keep);
		*len += keep;
	}
}

static enum mail_status
mail_send_sendmail(const bson_string_t *msg, const sigset_t *mask, char *err, size_t errlen)
{
	int in[2] = {-1, -1}, errp[2] = {-1, -1}, status = 0;
	int64_t deadline = mail_clock_ms(CLOCK_MONOTONIC) + mail.cfg->mail_timeout_ms;
	char stderr_buf[MAIL_STDERR_KEPT + 1];
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
		mail_exec_child(in[1], errp[1], mask);
	close(in[1]);
	close(errp[1]);
	in[1] = errp[1] = -1;
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	/* Feed stdin, collect stderr, until the child has exited. */
	while (!exited) {
		struct pollfd fds[2];
		nfds_t nfds = 0;
		int64_t left = deadline - mail_clock_ms(CLOCK_MONOTONIC);
		ssize_t n;

		if (left <= 0) {
			mail_kill_child(pid);
			pid = -1;
			snprintf(err, errlen, "sendmail: %s did not finish within %d ms (killed)",
			         mail.argv[0], mail.cfg->mail_timeout_ms);
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
		mail_drain(&errp[0], stderr_buf, &stderr_len);
		if (waitpid(pid, &status, WNOHANG) == pid)
			exited = true;
	}
	pid = -1;
	mail_drain(&errp[0], stderr_buf, &stderr_len);
	stderr_buf[stderr_len] = '\0';
	stderr_buf[strcspn(stderr_buf, "\r\n")] = '\0';
	if (exited && WIFEXITED(status) && WEXITSTATUS(status) == 0 && sent == msg->len)
		st = MAIL_OK;
	else if (exited && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		snprintf(err, errlen, "sendmail: %s exited after reading %zu of %zu bytes",
		         mail.argv[0], sent, (size_t)msg->len);
	else if (exited && WIFEXITED(status))
		snprintf(err, errlen, "sendmail: %s exited with status %d%s%.200s", mail.argv[0],
		         WEXITSTATUS(status), stderr_len ? ": " : "", stderr_buf);
	else if (exited)
		snprintf(err, errlen, "sendmail: %s was killed by signal %d", mail.argv[0],
		         WTERMSIG(status));
done:
	if (pid > 0)
		mail_kill_child(pid);
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

/* ------------------------------------------------------------------ send */

enum mail_status
mail_send(const struct mail_message *m)
{
	bson_string_t *msg = NULL;
	char err[512] = "";
	const char *domain =
		m->to && mail_is_address(m->to) ? strrchr(m->to, '@') : "(not an address)";
	int64_t started = mail_clock_ms(CLOCK_MONOTONIC);
	sigset_t pipe_only, old;
	enum mail_status st = MAIL_NOT_CONFIGURED;
	int ms;

	if (mail.sender == MAIL_NONE)
		goto done;
	st = mail_compose(m, mail_clock_ms(CLOCK_REALTIME), &msg);
	if (st != MAIL_OK)
		goto done;
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_only, &old);
	st = mail.sender == MAIL_SMTP ? mail_send_smtp(msg, m->to, err, sizeof err)
	                              : mail_send_sendmail(msg, &old, err, sizeof err);
	while (sigtimedwait(&pipe_only, NULL, &(struct timespec){0, 0}) == SIGPIPE)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
done:
	ms = (int)(mail_clock_ms(CLOCK_MONOTONIC) - started);
	if (st == MAIL_OK)
		log_info("mail: %s to …%s sent (%zu bytes, %d ms)", mail_kind_name(m->kind), domain,
		         (size_t)msg->len, ms);
	else
		log_error("mail: %s to …%s not sent after %d ms: %s%s%s", mail_kind_name(m->kind),
		          domain, ms, mail_status_name(st), err[0] ? ": " : "", err);
	if (msg)
		bson_string_free(msg, true);
	return st;
}
