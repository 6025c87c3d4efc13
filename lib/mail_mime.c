/*
 * mail_mime.c — see mail_mime.h.
 */
#include "mail_mime.h"

#include "crypto.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAIL_MIME_NAME_MAX 200    /* display-name bytes kept */
#define MAIL_MIME_SUBJECT_MAX 900 /* subject bytes kept */

/* The column the next character of out goes to. */
static size_t
mail_mime_col(const bson_string_t *out)
{
	size_t i = out->len;

	while (i > 0 && out->str[i - 1] != '\n')
		i--;
	return out->len - i;
}

/* s[0..n) cut to at most max bytes, at a UTF-8 character boundary. */
static size_t
mail_mime_utf8_cut(const char *s, size_t n, size_t max)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t used = 0, len;

	while (p + used < end && (len = utf8_seq_len(p + used, end)) && used + len <= max)
		used += len;
	return used;
}

static bool
mail_mime_is_atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

bool
mail_mime_is_address(const char *s)
{
	const char *at = strrchr(s, '@'), *p, *label;
	size_t n = strlen(s);

	if (!at || at == s || at - s > 64 || n > 254 || s[0] == '.' || at[-1] == '.')
		return false;
	for (p = s; p < at; p++)
		if (!mail_mime_is_atext(*p) && !(*p == '.' && p[1] != '.'))
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

/* -------------------------------------------------------------- headers */

/* s[0..n) as RFC 2047 B encoded-words ("=?UTF-8?B?…?="), each whole UTF-8
 * characters, folded so that no line passes 76 columns. */
static void
mail_mime_encoded_words(bson_string_t *out, const char *s, size_t n)
{
	char b64[80];
	size_t room, take;

	while (n > 0) {
		room = 76 - mail_mime_col(out);
		if (room < 12 + 8) {
			bson_string_append(out, "\r\n ");
			room = 75;
		}
		take = mail_mime_utf8_cut(s, n, (room - 12) / 4 * 3);
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
mail_mime_is_plain(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return !strstr(s, "=?");
}

/* "Subject: <text>\r\n": as is when short printable ASCII, else encoded. */
static void
mail_mime_text(bson_string_t *out, const char *field, const char *s)
{
	size_t n = mail_mime_utf8_cut(s, strlen(s), MAIL_MIME_SUBJECT_MAX);

	bson_string_append_printf(out, "%s: ", field);
	if (mail_mime_is_plain(s, n) && mail_mime_col(out) + n <= 76 &&
	    (n == 0 || (s[0] != ' ' && s[n - 1] != ' ')))
		bson_string_append_printf(out, "%.*s", (int)n, s);
	else
		mail_mime_encoded_words(out, s, n);
	bson_string_append(out, "\r\n");
}

/* "<field>: [name] <addr>\r\n", name a quoted-string when short printable
 * ASCII, else encoded-words; addr already checked by mail_mime_is_address. */
static void
mail_mime_address(bson_string_t *out, const char *field, const char *name, const char *addr)
{
	bson_string_t *clean = bson_string_new(NULL);
	size_t i, n;

	for (i = 0; name && name[i]; i++)
		bson_string_append_c(
			clean, (unsigned char)name[i] < 0x20 || name[i] == 0x7f ? ' ' : name[i]);
	while (clean->len > 0 && clean->str[clean->len - 1] == ' ')
		bson_string_truncate(clean, clean->len - 1);
	n = mail_mime_utf8_cut(clean->str, clean->len, MAIL_MIME_NAME_MAX);
	bson_string_append_printf(out, "%s: ", field);
	if (n == 0) {
		bson_string_append(out, addr);
	} else {
		if (mail_mime_is_plain(clean->str, n) && n <= 60) {
			bson_string_append_c(out, '"');
			for (i = 0; i < n; i++) {
				if (clean->str[i] == '"' || clean->str[i] == '\\')
					bson_string_append_c(out, '\\');
				bson_string_append_c(out, clean->str[i]);
			}
			bson_string_append_c(out, '"');
		} else {
			mail_mime_encoded_words(out, clean->str, n);
		}
		bson_string_append(out,
		                   mail_mime_col(out) + strlen(addr) + 3 > 76 ? "\r\n <" : " <");
		bson_string_append(out, addr);
		bson_string_append_c(out, '>');
	}
	bson_string_append(out, "\r\n");
	bson_string_free(clean, true);
}

static void
mail_mime_date(bson_string_t *out, int64_t now_ms)
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
mail_mime_qp(bson_string_t *out, const char *s)
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
mail_mime_part(bson_string_t *out, const char *boundary, const char *type, const char *content)
{
	bson_string_append_printf(out,
	                          "\r\n--%s\r\nContent-Type: %s; charset=UTF-8\r\n"
	                          "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	                          boundary, type);
	mail_mime_qp(out, content);
}

/* -------------------------------------------------------------- message */

bson_string_t *
mail_mime_build(const struct mail_mime_parts *p, int64_t now_ms)
{
	bson_string_t *msg = bson_string_new(NULL);
	unsigned char rnd[16];
	char id[33], boundary[40];

	mail_mime_date(msg, now_ms);
	mail_mime_address(msg, "From", p->from_name, p->from_addr);
	mail_mime_address(msg, "To", p->to_name, p->to_addr);
	mail_mime_text(msg, "Subject", p->subject);
	crypto_random(rnd, sizeof rnd);
	crypto_hex(rnd, sizeof rnd, id);
	bson_string_append_printf(msg, "Message-ID: <%s@%s>\r\n", id, p->id_domain);
	crypto_random(rnd, sizeof rnd);
	crypto_hex(rnd, sizeof rnd, id);
	/* "=_" never occurs in quoted-printable text, so the parts cannot hold it. */
	snprintf(boundary, sizeof boundary, "=_%s", id);
	bson_string_append_printf(msg,
	                          "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
	                          "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n"
	                          "\r\nThis is a message in MIME format.\r\n",
	                          boundary);
	mail_mime_part(msg, boundary, "text/plain", p->text);
	mail_mime_part(msg, boundary, "text/html", p->html);
	bson_string_append_printf(msg, "\r\n--%s--\r\n", boundary);
	return msg;
}
