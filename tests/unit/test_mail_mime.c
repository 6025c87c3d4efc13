/*
 * test_mail_mime.c — the message of mail_mime.h built directly (no
 * configuration): the address syntax, the exact header block of plain
 * ASCII values, quoting of display names and RFC 2047 encoded-words, control
 * characters in a name, and the quoted-printable rules of the parts. The
 * whole message through templates and settings is test_mail.c.
 */
#include "mail_mime.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#define NOW 1735689600000LL /* Wed, 01 Jan 2025 00:00:00 +0000 */

static void
test_addresses(void)
{
	static const struct {
		const char *s;
		bool ok;
	} rows[] = {
		{"ada@example.com", true},
		{"a.b+tag@sub.example.co", true},
		{"o'brien@example.ie", true},
		{"x!#$%&'*+-/=?^_`{|}~@example.com", true},
		{"noreply@localhost", true},
		{"a@b", true},
		{"", false},
		{"@example.com", false},
		{"ada@", false},
		{"ada", false},
		{".ada@example.com", false},
		{"ada.@example.com", false},
		{"a..b@example.com", false},
		{"ada@-example.com", false},
		{"ada@example-.com", false},
		{"ada@example..com", false},
		{"ada@example.com.", false},
		{"a b@example.com", false},
		{"\"ada\"@example.com", false},
		{"ada@example.com\r\nBcc: eve@evil.com", false},
		{"ada@example.com\n", false},
		{"ada@exa mple.com", false},
		{"ada@[127.0.0.1]", false},
		{"ada@ex_ample.com", false},
		{"ad<a@example.com", false},
		{"ad,a@example.com", false},
		{"ad@a@example.com", false},
		{"ad\xc3\xa9@example.com", false},
		{"ada@exampl\xc3\xa9.com", false},
	};
	char local[80], long_addr[300];
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		CHECK(mail_mime_is_address(rows[i].s) == rows[i].ok, "address \"%s\": want %d",
		      rows[i].s, rows[i].ok);
	memset(local, 'a', 64);
	snprintf(long_addr, sizeof long_addr, "%.64s@example.com", local);
	CHECK(mail_mime_is_address(long_addr), "64-character local part");
	snprintf(long_addr, sizeof long_addr, "%.64sa@example.com", local);
	CHECK(!mail_mime_is_address(long_addr), "65-character local part");
	memset(long_addr, 'a', sizeof long_addr);
	long_addr[0] = 'x';
	long_addr[1] = '@';
	for (i = 65; i < 255; i += 64)
		long_addr[i] = '.';
	long_addr[255] = '\0';
	CHECK(!mail_mime_is_address(long_addr), "255 characters");
	long_addr[254] = '\0';
	CHECK(mail_mime_is_address(long_addr), "254 characters");
}

/* The message of p as a new string. */
static char *
build(const struct mail_mime_parts *p)
{
	bson_string_t *msg = mail_mime_build(p, NOW);
	char *s = strdup(msg->str);

	bson_string_free(msg, true);
	return s;
}

static void
test_headers(void)
{
	struct mail_mime_parts p = {.from_addr = "noreply@example.com",
	                            .to_addr = "ada@example.com",
	                            .id_domain = "example.com",
	                            .subject = "Hello",
	                            .text = "t",
	                            .html = "<p>h</p>"};
	char *msg = build(&p), *id;

	CHECK(!strncmp(msg,
	               "Date: Wed, 01 Jan 2025 00:00:00 +0000\r\n"
	               "From: noreply@example.com\r\n"
	               "To: ada@example.com\r\n"
	               "Subject: Hello\r\n"
	               "Message-ID: <",
	               strlen("Date: Wed, 01 Jan 2025 00:00:00 +0000\r\n"
	                      "From: noreply@example.com\r\nTo: ada@example.com\r\n"
	                      "Subject: Hello\r\nMessage-ID: <")),
	      "header block: %s", msg);
	id = strstr(msg, "Message-ID: <");
	CHECK(id && strspn(id + 13, "0123456789abcdef") == 32 &&
	              !strncmp(id + 45, "@example.com>\r\nMIME-Version: 1.0\r\n", 34),
	      "Message-ID at the domain given: %s", id ? id : "");
	CHECK(strstr(msg, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	                  "Content-Transfer-Encoding: quoted-printable\r\n\r\nt\r\n--=_") &&
	              strstr(msg, "\r\nContent-Type: text/html; charset=UTF-8\r\n"
	                          "Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>h</p>"),
	      "both parts, in order: %s", msg);
	free(msg);

	p.from_name = "Site \"A\" \\ B";
	p.to_name = "Ada\r\nBcc: eve@evil.com";
	p.subject = "Caf\xc3\xa9";
	msg = build(&p);
	CHECK(strstr(msg, "\r\nFrom: \"Site \\\"A\\\" \\\\ B\" <noreply@example.com>\r\n"),
	      "a quoted display name, '\"' and '\\' escaped: %s", msg);
	CHECK(strstr(msg, "\r\nTo: \"Ada  Bcc: eve@evil.com\" <ada@example.com>\r\n"),
	      "CR and LF in a name became spaces: %s", msg);
	CHECK(strstr(msg, "\r\nSubject: =?UTF-8?B?Q2Fmw6k=?=\r\n"), "encoded subject: %s", msg);
	free(msg);
}

static void
test_quoted_printable(void)
{
	struct mail_mime_parts p = {.from_addr = "a@example.com",
	                            .to_addr = "b@example.com",
	                            .id_domain = "example.com",
	                            .subject = "s",
	                            .text = "a=b \n.\nFrom me\ncaf\xc3\xa9\r\n"
	                                    "0123456789012345678901234567890123456789"
	                                    "0123456789012345678901234567890123456789",
	                            .html = ""};
	char *msg = build(&p);

	CHECK(strstr(msg, "\r\n\r\na=3Db=20\r\n=2E\r\n=46rom me\r\ncaf=C3=A9\r\n"
	                  "0123456789012345678901234567890123456789"
	                  "01234567890123456789012345678901234=\r\n56789\r\n--=_"),
	      "'=', a space before the line end, a '.' and a \"From \" line, non-ASCII, "
	      "a soft break at 75: %s",
	      msg);
	free(msg);
}

int
main(void)
{
	test_addresses();
	test_headers();
	test_quoted_printable();
	UNIT_END();
}
