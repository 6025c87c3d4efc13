/*
 * test_mail.c — composing and sending one mail: the configuration rules
 * (config_load, mail_init), the message's headers (Date,
 * Message-ID, From/To, RFC 2047 Subject), its MIME structure and
 * quoted-printable parts decoded back to the expected text, CRLF and line
 * lengths, no header injection through a name, a subject or an address,
 * templates from a directory (placeholders, HTML escaping, an HTML part made
 * from a text template), and the sendmail and SMTP paths' failures and
 * timeouts. Delivery to a real SMTP server is tests/e2e/mail.test.mjs.
 */
#include "config.h"
#include "crypto.h"
#include "mail.h"
#include "unit.h"
#include "unit_tmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SECRET "test-secret-0123456789abcdefghijklmnop"
#define NOW 1735689600000LL /* Wed, 01 Jan 2025 00:00:00 +0000 */

static const char *const mail_env[] = {
	"FCGI_AUTH_SMTP_URL",       "FCGI_AUTH_SMTP_USER", "FCGI_AUTH_SMTP_PASSWORD",
	"FCGI_AUTH_SMTP_CA_FILE",   "FCGI_AUTH_SENDMAIL",  "FCGI_AUTH_MAIL_FROM",
	"FCGI_AUTH_MAIL_TEMPLATES", "FCGI_AUTH_APP_NAME",  "FCGI_AUTH_MAIL_TIMEOUT_MS",
	"BETTER_AUTH_URL",
};

static struct config cfg;
static char tmpdir[64];
static char tpl_env[96]; /* FCGI_AUTH_MAIL_TEMPLATES=<tmpdir> */

/* Loads the configuration from "NAME=value" settings (the other mail
 * settings unset) and initialises mail. Returns 0, 1 (config refused) or 2
 * (mail_init refused); err holds the reason. */
static int
load(const char *const *settings, char *err, size_t errlen)
{
	size_t i;

	mail_cleanup();
	config_cleanup(&cfg);
	for (i = 0; i < sizeof mail_env / sizeof mail_env[0]; i++)
		unsetenv(mail_env[i]);
	for (i = 0; settings && settings[i]; i++) {
		char *kv = strdup(settings[i]), *eq = strchr(kv, '=');

		*eq = '\0';
		setenv(kv, eq + 1, 1);
		free(kv);
	}
	err[0] = '\0';
	if (!config_load(&cfg, err, errlen))
		return 1;
	if (!mail_init(&cfg, err, errlen))
		return 2;
	return 0;
}

#define LOAD_OK(...)                                             \
	do {                                                     \
		const char *s_[] = {__VA_ARGS__, NULL};          \
		char e_[512];                                    \
		int r_ = load(s_, e_, sizeof e_);                \
		CHECK(r_ == 0, "load refused (%d): %s", r_, e_); \
	} while (0)

#define LOAD_FAILS(stage, needle, ...)                                                   \
	do {                                                                             \
		const char *s_[] = {__VA_ARGS__, NULL};                                  \
		char e_[512];                                                            \
		int r_ = load(s_, e_, sizeof e_);                                        \
		CHECK(r_ == (stage) && strstr(e_, needle),                               \
		      "want stage %d with \"%s\", got %d: %s", (stage), needle, r_, e_); \
	} while (0)

/* ---------------------------------------------------------------- decoders */

/* The header field's value, unfolded (CRLF before whitespace removed), or
 * NULL; a new string. */
static char *
header(const char *msg, const char *name)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg;
	size_t n = strlen(name);
	char *v;
	size_t o = 0;

	while (p && p < end) {
		if (!strncmp(p, name, n) && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			v = malloc(strlen(p) + 1);
			while (p < end + 2) {
				if (p[0] == '\r' && p[1] == '\n' && (p[2] == ' ' || p[2] == '\t')) {
					p += 2;
					continue;
				}
				if (p[0] == '\r' && p[1] == '\n')
					break;
				v[o++] = *p++;
			}
			v[o] = '\0';
			return v;
		}
		p = strstr(p, "\r\n");
		if (p)
			p += 2;
	}
	return NULL;
}

/* RFC 2047: B encoded-words (UTF-8) decoded, the space between two of them
 * dropped, other text kept. A new string. */
static char *
decode_words(const char *s)
{
	char *out = malloc(strlen(s) + 1);
	size_t o = 0;
	bool after_word = false;

	while (*s) {
		if (!strncmp(s, "=?UTF-8?B?", 10)) {
			const char *end = strstr(s + 10, "?=");
			long n;

			if (!end)
				break;
			n = crypto_base64_decode(s + 10, (size_t)(end - s - 10),
			                         (unsigned char *)out + o, 1000);
			if (n < 0)
				break;
			o += (size_t)n;
			s = end + 2;
			after_word = true;
			continue;
		}
		if (*s == ' ' && after_word && !strncmp(s + 1, "=?UTF-8?B?", 10)) {
			s++;
			continue;
		}
		after_word = false;
		out[o++] = *s++;
	}
	out[o] = '\0';
	return out;
}

/* The decoded content of the part with this Content-Type, or NULL. */
static char *
part(const char *msg, const char *type)
{
	char want[128], *out;
	const char *p, *end;
	size_t o = 0;

	snprintf(want, sizeof want,
	         "Content-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: "
	         "quoted-printable\r\n\r\n",
	         type);
	p = strstr(msg, want);
	if (!p)
		return NULL;
	p += strlen(want);
	end = strstr(p, "\r\n--=_");
	if (!end)
		return NULL;
	out = malloc((size_t)(end - p) + 1);
	while (p < end) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 3;
		} else if (p[0] == '=') {
			char hex[3] = {p[1], p[2], 0};

			out[o++] = (char)strtol(hex, NULL, 16);
			p += 3;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	return out;
}

/* How many header lines of head start with "<name>:". */
static int
fields(const char *head, const char *name)
{
	const char *p;
	size_t n = strlen(name);
	int count = 0;

	for (p = head; p; p = strstr(p, "\r\n"), p = p ? p + 2 : NULL)
		if (!strncmp(p, name, n) && p[n] == ':')
			count++;
	return count;
}

#define CHECK_HEADER(msg, name, want)             \
	do {                                      \
		char *h_ = header((msg), (name)); \
		CHECK_STR(h_, want);              \
		free(h_);                         \
	} while (0)

/* The same, with the header's encoded-words decoded. */
#define CHECK_WORDS(msg, name, want)                                                  \
	do {                                                                          \
		char *h_ = header((msg), (name)), *d_ = h_ ? decode_words(h_) : NULL; \
		CHECK_STR(d_, want);                                                  \
		free(h_);                                                             \
		free(d_);                                                             \
	} while (0)

/* Every line ends in CRLF, none is longer than max (76 in bodies). */
static void
check_lines(const char *msg, size_t header_max, const char *what)
{
	const char *p = msg, *body = strstr(msg, "\r\n\r\n");
	size_t longest = 0, bad_eol = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len;

		if (!nl) {
			bad_eol++;
			break;
		}
		if (nl == p || nl[-1] != '\r')
			bad_eol++;
		len = (size_t)(nl - p) - (nl > p && nl[-1] == '\r');
		if (len > (p < body ? header_max : 76))
			longest = len > longest ? len : longest;
		if (memchr(p, '\r', len))
			bad_eol++;
		p = nl + 1;
	}
	CHECK(bad_eol == 0, "%s: %zu lines not ended by CRLF", what, bad_eol);
	CHECK(longest == 0, "%s: a line of %zu characters", what, longest);
}

static char *
compose(const struct mail_message *m)
{
	bson_string_t *msg = NULL;
	enum mail_status st = mail_compose(m, NOW, &msg);
	char *s;

	CHECK(st == MAIL_OK && msg, "compose: %s", mail_status_name(st));
	if (!msg)
		return strdup("");
	s = strdup(msg->str);
	bson_string_free(msg, true);
	return s;
}

/* ------------------------------------------------------------------ tests */

static void
test_config(void)
{
	char tpl[96];

	LOAD_OK("BETTER_AUTH_SECRET=" SECRET);
	CHECK(!mail_is_configured(), "no sender: not configured");
	{
		struct mail_message m = {.kind = MAIL_VERIFY_EMAIL, .to = "ada@example.com"};
		bson_string_t *msg = NULL;

		CHECK(mail_send(&m) == MAIL_NOT_CONFIGURED, "send without a sender");
		CHECK(mail_compose(&m, NOW, &msg) == MAIL_NOT_CONFIGURED && !msg,
		      "compose without From");
	}
	LOAD_FAILS(1, "FCGI_AUTH_MAIL_FROM is required", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_SMTP_URL=smtp://127.0.0.1:25");
	LOAD_FAILS(1, "FCGI_AUTH_MAIL_FROM is required", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_SENDMAIL=/usr/sbin/sendmail -t -i");
	LOAD_FAILS(1, "both set", "BETTER_AUTH_SECRET=" SECRET, "FCGI_AUTH_MAIL_FROM=a@example.com",
	           "FCGI_AUTH_SMTP_URL=smtp://127.0.0.1:25", "FCGI_AUTH_SENDMAIL=/bin/true");
	LOAD_FAILS(1, "smtp:// or smtps://", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=a@example.com", "FCGI_AUTH_SMTP_URL=http://127.0.0.1:25");
	LOAD_FAILS(1, "absolute path", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=a@example.com", "FCGI_AUTH_SENDMAIL=sendmail -t");
	LOAD_FAILS(1, "control character", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=a@example.com\r\nBcc: x@y.z");
	LOAD_FAILS(1, "FCGI_AUTH_MAIL_TIMEOUT_MS", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_TIMEOUT_MS=5");
	LOAD_FAILS(2, "not a plain local@domain", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=Site <not an address>", "FCGI_AUTH_SENDMAIL=/bin/true");
	LOAD_FAILS(2, "\"addr\" or \"Name <addr>\"", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=Site <a@example.com", "FCGI_AUTH_SENDMAIL=/bin/true");
	LOAD_FAILS(2, "not an executable", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=a@example.com",
	           "FCGI_AUTH_SENDMAIL=/nonexistent/sendmail -t -i");
	LOAD_FAILS(2, "unknown option", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=a@example.com",
	           "FCGI_AUTH_SMTP_URL=smtp://127.0.0.1:25/?startls=1");
	LOAD_FAILS(2, "TLS already", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=a@example.com",
	           "FCGI_AUTH_SMTP_URL=smtps://127.0.0.1:465?starttls=1");
	LOAD_FAILS(2, "no host", "BETTER_AUTH_SECRET=" SECRET, "FCGI_AUTH_MAIL_FROM=a@example.com",
	           "FCGI_AUTH_SMTP_URL=smtp://user:pw@/");
	LOAD_FAILS(2, "do not set FCGI_AUTH_SMTP_USER", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=a@example.com",
	           "FCGI_AUTH_SMTP_URL=smtp://u:p@127.0.0.1:25", "FCGI_AUTH_SMTP_USER=other");
	LOAD_FAILS(2, "without FCGI_AUTH_SMTP_USER", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=a@example.com", "FCGI_AUTH_SMTP_URL=smtp://127.0.0.1:25",
	           "FCGI_AUTH_SMTP_PASSWORD=pw");
	LOAD_FAILS(2, "percent-encoding", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=a@example.com",
	           "FCGI_AUTH_SMTP_URL=smtp://u:%zz@127.0.0.1:25");
	LOAD_OK("BETTER_AUTH_SECRET=" SECRET, "FCGI_AUTH_MAIL_FROM=\"Site\" <a@example.com>",
	        "FCGI_AUTH_SMTP_URL=smtps://us%40er:p%3Ass@127.0.0.1:465/ehlo.example.com");
	CHECK(mail_is_configured(), "SMTP configured");
	LOAD_OK("BETTER_AUTH_SECRET=" SECRET, "FCGI_AUTH_MAIL_FROM=a@example.com",
	        "FCGI_AUTH_SMTP_URL=smtp://127.0.0.1:25?starttls=1", "FCGI_AUTH_SMTP_USER=u",
	        "FCGI_AUTH_SMTP_PASSWORD=p");

	snprintf(tpl, sizeof tpl, "FCGI_AUTH_MAIL_TEMPLATES=%s/none", tmpdir);
	LOAD_FAILS(2, "is not a directory", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=a@example.com", "FCGI_AUTH_SENDMAIL=/bin/true", tpl);
}

static void
test_message(void)
{
	struct mail_message m = {
		.kind = MAIL_RESET_PASSWORD,
		.to = "ada@example.com",
		.name = "Ada Lovelace",
		.url = "https://app.example.com/api/auth/reset-password/"
		       "qFmEISLlDmjcVRjK0zrLKy8F?callbackURL=%2Freset&x=1",
	};
	char *msg, *h, *text, *html, *boundary;
	bson_string_t *out = NULL;

	LOAD_OK("BETTER_AUTH_SECRET=" SECRET,
	        "FCGI_AUTH_MAIL_FROM=Example Site <noreply@mail.example.com>",
	        "FCGI_AUTH_SENDMAIL=/bin/true", "BETTER_AUTH_URL=https://app.example.com/base");
	msg = compose(&m);
	check_lines(msg, 78, "reset-password");
	CHECK_HEADER(msg, "Date", "Wed, 01 Jan 2025 00:00:00 +0000");
	CHECK_HEADER(msg, "From", "\"Example Site\" <noreply@mail.example.com>");
	CHECK_HEADER(msg, "To", "\"Ada Lovelace\" <ada@example.com>");
	CHECK_HEADER(msg, "Subject", "Reset your app.example.com password");
	h = header(msg, "Message-ID");
	CHECK(h && strlen(h) == 2 + 32 + 1 + strlen("mail.example.com") && h[0] == '<' &&
	              strspn(h + 1, "0123456789abcdef") == 32 &&
	              !strcmp(h + 33, "@mail.example.com>"),
	      "Message-ID %s", h ? h : "(none)");
	free(h);
	CHECK_HEADER(msg, "MIME-Version", "1.0");
	CHECK_HEADER(msg, "Auto-Submitted", "auto-generated");
	h = header(msg, "Content-Type");
	CHECK(h && !strncmp(h, "multipart/alternative; boundary=\"=_", 35), "Content-Type %s",
	      h ? h : "");
	boundary = h ? strndup(h + 33, strlen(h) - 34) : strdup("");
	free(h);
	{
		char closing[80];

		snprintf(closing, sizeof closing, "\r\n--%s--\r\n", boundary);
		CHECK(strlen(msg) > strlen(closing) &&
		              !strcmp(msg + strlen(msg) - strlen(closing), closing),
		      "ends with the closing boundary");
	}
	free(boundary);

	text = part(msg, "text/plain");
	CHECK_STR(text,
	          "Hello Ada Lovelace,\r\n\r\n"
	          "Someone asked to reset the password of the app.example.com account "
	          "ada@example.com.\r\n"
	          "To choose a new password, open this link:\r\n\r\n"
	          "https://app.example.com/api/auth/reset-password/"
	          "qFmEISLlDmjcVRjK0zrLKy8F?callbackURL=%2Freset&x=1\r\n\r\n"
	          "If it was not you, ignore this message: your password stays as it is.\r\n");
	html = part(msg, "text/html");
	CHECK(html && strstr(html, "<a "
	                           "href=\"https://app.example.com/api/auth/reset-password/"
	                           "qFmEISLlDmjcVRjK0zrLKy8F"
	                           "?callbackURL=%2Freset&amp;x=1\">"),
	      "the link in the HTML part, & escaped: %s", html ? html : "");
	CHECK(html && strstr(html, "<title>Reset your app.example.com password</title>"),
	      "HTML title");
	free(text);
	free(html);
	free(msg);

	/* Two messages differ in Message-ID and boundary. */
	{
		char *a = compose(&m), *b = compose(&m), *ha = header(a, "Message-ID"),
		     *hb = header(b, "Message-ID");

		CHECK(ha && hb && strcmp(ha, hb) != 0, "Message-IDs differ");
		free(ha);
		free(hb);
		ha = header(a, "Content-Type");
		hb = header(b, "Content-Type");
		CHECK(ha && hb && strcmp(ha, hb) != 0, "boundaries differ");
		free(ha);
		free(hb);
		free(a);
		free(b);
	}

	/* Bad input: the recipient, a value not UTF-8, an unknown kind. */
	m.to = "ada@example.com\r\nBcc: eve@evil.com";
	CHECK(mail_compose(&m, NOW, &out) == MAIL_BAD_ADDRESS && !out, "CRLF in the address");
	CHECK(mail_send(&m) == MAIL_BAD_ADDRESS, "send refuses it too");
	m.to = NULL;
	CHECK(mail_compose(&m, NOW, &out) == MAIL_BAD_ADDRESS, "no address");
	m.to = "ada@example.com";
	m.name = "Ada \xff";
	CHECK(mail_compose(&m, NOW, &out) == MAIL_BAD_INPUT && !out, "name not UTF-8");
	m.name = NULL;
	m.url = "\xc3";
	CHECK(mail_compose(&m, NOW, &out) == MAIL_BAD_INPUT, "url not UTF-8");
	m.url = "u";
	m.kind = MAIL__KIND_COUNT;
	CHECK(mail_compose(&m, NOW, &out) == MAIL_BAD_INPUT && !out, "unknown kind");
	m.kind = MAIL_DELETE_ACCOUNT;
	msg = compose(&m);
	CHECK_HEADER(msg, "To", "ada@example.com");
	free(msg);
}

static void
test_injection_and_encoding(void)
{
	struct mail_message m = {
		.kind = MAIL_CHANGE_EMAIL_CONFIRMATION,
		.to = "ada@example.com",
		.name = "Eve\r\nBcc: victim@example.com\r\nSubject: pwned",
		.url = "https://x/\r\nBcc: url@example.com",
		.new_email = "new@example.com",
	};
	char *msg, *h, *d, *text, *head;

	unit_tmp_write(tmpdir, "change-email-confirmation.subject",
	               "Änderung für {{name}} — bitte bestätigen {{newEmail}}\n");
	{
		LOAD_OK("BETTER_AUTH_SECRET=" SECRET,
		        "FCGI_AUTH_MAIL_FROM=Zoë's Café <noreply@example.com>",
		        "FCGI_AUTH_SENDMAIL=/bin/true", "FCGI_AUTH_APP_NAME=Café", tpl_env);
	}
	msg = compose(&m);
	check_lines(msg, 78, "injection");
	head = strndup(msg, (size_t)(strstr(msg, "\r\n\r\n") - msg));
	CHECK(fields(head, "Bcc") == 0, "no Bcc header: %s", head);
	CHECK(fields(head, "Subject") == 1 && fields(head, "To") == 1, "one Subject, one To: %s",
	      head);
	h = header(msg, "Subject");
	d = decode_words(h);
	CHECK_STR(d, "Änderung für Eve  Bcc: victim@example.com  Subject: pwned — bitte bestätigen "
	             "new@example.com");
	CHECK(h && !strncmp(h, "=?UTF-8?B?", 10), "non-ASCII subject is encoded: %s", h ? h : "");
	free(h);
	free(d);
	CHECK_WORDS(msg, "To",
	            "\"Eve  Bcc: victim@example.com  Subject: pwned\" <ada@example.com>");
	CHECK_WORDS(msg, "From", "Zoë's Café <noreply@example.com>");
	text = part(msg, "text/plain");
	CHECK(text && strstr(text, "https://x/  Bcc: url@example.com"),
	      "the URL's CRLF became spaces");
	CHECK(text && strstr(text, "your Café account"), "appName: %s", text ? text : "");
	free(text);
	free(head);
	free(msg);

	/* A long ASCII subject is folded into encoded-words within 76 columns,
	 * and a long non-ASCII name splits only between whole characters. */
	unit_tmp_write(tmpdir, "change-email-confirmation.subject",
	               "A very long subject line that goes on and on well past the seventy-eight "
	               "column limit of "
	               "RFC 5322 for {{name}}");
	{
		LOAD_OK("BETTER_AUTH_SECRET=" SECRET, "FCGI_AUTH_MAIL_FROM=noreply@example.com",
		        "FCGI_AUTH_SENDMAIL=/bin/true", tpl_env);
	}
	m.name = "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé 😀😀😀";
	msg = compose(&m);
	check_lines(msg, 76, "long subject");
	CHECK_WORDS(msg, "Subject",
	            "A very long subject line that goes on and on well past the seventy-eight "
	            "column limit of "
	            "RFC 5322 for "
	            "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé 😀😀😀");
	CHECK_WORDS(msg, "To",
	            "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé 😀😀😀 "
	            "<ada@example.com>");
	CHECK_HEADER(msg, "From", "noreply@example.com");
	free(msg);
	unlink(strcat(strcpy((char[128]){0}, tmpdir), "/change-email-confirmation.subject"));
}

static void
test_templates(void)
{
	struct mail_message m = {
		.kind = MAIL_VERIFY_EMAIL,
		.to = "ada@example.com",
		.name = "<b>Ada</b> & \"Co\"",
		.url = "https://app.example.com/api/auth/verify-email?token=a.b.c&callbackURL=%2F",
		.email = "ada@example.com",
	};
	char *msg, *text, *html;

	unit_tmp_write(tmpdir, "verify-email.subject", "Welcome to {{appName}}, {{name}}\r\n");
	unit_tmp_write(tmpdir, "verify-email.txt",
	               "Hi {{name}}!\nVerify {{email}}: {{url}}\n{{notAPlaceholder\n{{ url }}\n");
	unit_tmp_write(tmpdir, "verify-email.html",
	               "<p>Hi {{name}}!</p><p><a href=\"{{url}}\">Verify {{email}}</a></p>\n");
	unit_tmp_write(tmpdir, "delete-account.txt",
	               "Delete?\n{{url}}\n.\nFrom here on\nline with = and trailing space \n"
	               "tab\tinside and a very long line that must be broken by soft line breaks "
	               "because it is longer than seventy-six characters\n");
	LOAD_OK("BETTER_AUTH_SECRET=" SECRET, "FCGI_AUTH_MAIL_FROM=noreply@example.com",
	        "FCGI_AUTH_SENDMAIL=/bin/true", "FCGI_AUTH_APP_NAME=Site", tpl_env);
	msg = compose(&m);
	CHECK_HEADER(msg, "Subject", "Welcome to Site, <b>Ada</b> & \"Co\"");
	text = part(msg, "text/plain");
	CHECK_STR(text,
	          "Hi <b>Ada</b> & \"Co\"!\r\nVerify ada@example.com: "
	          "https://app.example.com/api/auth/verify-email?token=a.b.c&callbackURL=%2F\r\n"
	          "{{notAPlaceholder\r\n{{ url }}\r\n");
	html = part(msg, "text/html");
	CHECK_STR(html,
	          "<p>Hi &lt;b&gt;Ada&lt;/b&gt; &amp; &quot;Co&quot;!</p><p><a href=\""
	          "https://app.example.com/api/auth/verify-email?token=a.b.c&amp;callbackURL=%2F\">"
	          "Verify ada@example.com</a></p>\r\n");
	free(text);
	free(html);
	free(msg);

	/* delete-account: a text template only, so the HTML is made from it;
	 * the default subject stays. */
	m.kind = MAIL_DELETE_ACCOUNT;
	m.name = "Bob";
	m.url = "https://x/cb?token=t&callbackURL=%2F";
	msg = compose(&m);
	check_lines(msg, 78, "delete-account");
	CHECK_HEADER(msg, "Subject", "Confirm the deletion of your Site account");
	CHECK(strstr(msg, "\r\n=2E\r\n") && strstr(msg, "\r\n=46rom here on\r\n"),
	      "a '.' line and a \"From \" line are encoded");
	CHECK(strstr(msg, "line with =3D and trailing space=20\r\n"),
	      "'=' and the trailing space encoded");
	text = part(msg, "text/plain");
	CHECK_STR(text, "Delete?\r\nhttps://x/cb?token=t&callbackURL=%2F\r\n.\r\nFrom here on\r\n"
	                "line with = and trailing space \r\ntab\tinside and a very long line that "
	                "must be broken by "
	                "soft line breaks because it is longer than seventy-six characters\r\n");
	html = part(msg, "text/html");
	CHECK(html && strstr(html, "<a href=\"https://x/cb?token=t&amp;callbackURL=%2F\">"
	                           "https://x/cb?token=t&amp;callbackURL=%2F</a>"),
	      "derived HTML links the URL: %s", html ? html : "");
	CHECK(html && strstr(html, "<title>Confirm the deletion of your Site account</title>") &&
	              strstr(html, "white-space: pre-wrap"),
	      "derived HTML document");
	free(text);
	free(html);
	free(msg);

	/* Refused templates. */
	unit_tmp_write(tmpdir, "reset-password.txt", "Hello {{user}}\n");
	LOAD_FAILS(2, "unknown placeholder {{user}}", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=noreply@example.com", "FCGI_AUTH_SENDMAIL=/bin/true",
	           tpl_env);
	unit_tmp_write(tmpdir, "reset-password.txt", "Hello \xff\n");
	LOAD_FAILS(2, "not UTF-8", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=noreply@example.com", "FCGI_AUTH_SENDMAIL=/bin/true",
	           tpl_env);
	unit_tmp_write(tmpdir, "reset-password.txt", "Hello\n");
	unit_tmp_write(tmpdir, "reset-password.subject", "two\nlines\n");
	LOAD_FAILS(2, "one line", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=noreply@example.com", "FCGI_AUTH_SENDMAIL=/bin/true",
	           tpl_env);
	unit_tmp_write(tmpdir, "reset-password.subject", "\n");
	LOAD_FAILS(2, "empty subject", "BETTER_AUTH_SECRET=" SECRET,
	           "FCGI_AUTH_MAIL_FROM=noreply@example.com", "FCGI_AUTH_SENDMAIL=/bin/true",
	           tpl_env);
	{
		char path[128];

		snprintf(path, sizeof path, "%s/reset-password.subject", tmpdir);
		unlink(path);
		mkdir(path, 0700);
		LOAD_FAILS(2, "cannot be read", "BETTER_AUTH_SECRET=" SECRET,
		           "FCGI_AUTH_MAIL_FROM=noreply@example.com",
		           "FCGI_AUTH_SENDMAIL=/bin/true", tpl_env);
		rmdir(path);
	}
}

/* Runs mail_send with stderr (the log) captured; returns the status and
 * the log in log (a new string). */
static enum mail_status
send_logged(const struct mail_message *m, char **log)
{
	char path[128];
	int saved = dup(STDERR_FILENO), fd;
	enum mail_status st;
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/log", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, STDERR_FILENO);
	close(fd);
	st = mail_send(m);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fopen(path, "r");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	*log = calloc(1, (size_t)n + 1);
	if (fread(*log, 1, (size_t)n, f) != (size_t)n)
		(*log)[0] = '\0';
	fclose(f);
	return st;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
test_sendmail(void)
{
	struct mail_message m = {
		.kind = MAIL_RESET_PASSWORD,
		.to = "ada@example.com",
		.name = "Ada",
		.url = "https://app.example.com/reset/SECRET-TOKEN-123",
	};
	char cmd[192], *log, *content;
	int64_t t0;
	enum mail_status st;
	FILE *f;
	long n;

	/* A command that keeps the message: tee writes its stdin to a file. */
	snprintf(cmd, sizeof cmd, "FCGI_AUTH_SENDMAIL=/usr/bin/tee %s/sent.eml", tmpdir);
	LOAD_OK("BETTER_AUTH_SECRET=" SECRET, "FCGI_AUTH_MAIL_FROM=noreply@example.com", cmd);
	st = send_logged(&m, &log);
	CHECK(st == MAIL_OK, "tee: %s; log %s", mail_status_name(st), log);
	CHECK(strstr(log, "mail: reset-password to …@example.com sent"), "logged: %s", log);
	CHECK(!strstr(log, "SECRET-TOKEN") && !strstr(log, "ada@"),
	      "the log holds no link, no local part: %s", log);
	free(log);
	snprintf(cmd, sizeof cmd, "%s/sent.eml", tmpdir);
	f = fopen(cmd, "r");
	CHECK(f != NULL, "tee wrote the message");
	if (f) {
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		content = calloc(1, (size_t)n + 1);
		CHECK(fread(content, 1, (size_t)n, f) == (size_t)n, "read back");
		fclose(f);
		CHECK(!strncmp(content, "Date: ", 6) &&
		              strstr(content, "\r\nTo: \"Ada\" <ada@example.com>\r\n") &&
		              strstr(content, "SECRET-TOKEN-123"),
		      "the whole message reached the command's stdin");
		free(content);
	}

	/* Failures: an exit status (with its stderr in the log), a timeout. */
	LOAD_OK("BETTER_AUTH_SECRET=" SECRET, "FCGI_AUTH_MAIL_FROM=noreply@example.com",
	        "FCGI_AUTH_SENDMAIL=/bin/ls /nonexistent-fcgi-auth-dir");
	st = send_logged(&m, &log);
	CHECK(st == MAIL_FAILED, "ls: %s", mail_status_name(st));
	CHECK(strstr(log, "exited with status 2: /bin/ls: cannot access"),
	      "status and stderr logged: %s", log);
	free(log);

	LOAD_OK("BETTER_AUTH_SECRET=" SECRET, "FCGI_AUTH_MAIL_FROM=noreply@example.com",
	        "FCGI_AUTH_SENDMAIL=/bin/sleep 30", "FCGI_AUTH_MAIL_TIMEOUT_MS=300");
	t0 = mono_ms();
	st = send_logged(&m, &log);
	t0 = mono_ms() - t0;
	CHECK(st == MAIL_TIMEOUT, "sleep: %s", mail_status_name(st));
	CHECK(t0 >= 290 && t0 < 1500, "timed out after %lld ms", (long long)t0);
	CHECK(strstr(log, "did not finish within 300 ms (killed)"), "logged: %s", log);
	free(log);
	errno = 0;
	CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "the killed command was reaped");

	/* A command that reads nothing: no SIGPIPE kills us, whatever happens. */
	LOAD_OK("BETTER_AUTH_SECRET=" SECRET, "FCGI_AUTH_MAIL_FROM=noreply@example.com",
	        "FCGI_AUTH_SENDMAIL=/bin/false");
	CHECK(mail_send(&m) == MAIL_FAILED, "/bin/false fails");
	LOAD_OK("BETTER_AUTH_SECRET=" SECRET, "FCGI_AUTH_MAIL_FROM=noreply@example.com",
	        "FCGI_AUTH_SENDMAIL=/bin/true");
	{
		char big[200000];

		memset(big, 'u', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		m.url = big;
		st = send_logged(&m, &log);
		CHECK(st == MAIL_FAILED, "/bin/true stops reading: %s", mail_status_name(st));
		CHECK(strstr(log, "exited after reading"), "logged: %s", log);
		free(log);
		m.url = "u";
	}
	CHECK(true, "still alive after the command stopped reading");
}

/* A listener that accepts connections and never answers. */
static int
silent_server(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 4) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) != 0)
		return -1;
	*port = ntohs(a.sin_port);
	return s;
}

static void
test_smtp_failures(void)
{
	struct mail_message m = {.kind = MAIL_VERIFY_EMAIL, .to = "ada@example.com", .url = "u"};
	char url[96], *log;
	int port = 0, s = silent_server(&port);
	int64_t t0;
	enum mail_status st;

	CHECK(s >= 0, "listener");
	snprintf(url, sizeof url, "FCGI_AUTH_SMTP_URL=smtp://127.0.0.1:%d", port);
	LOAD_OK("BETTER_AUTH_SECRET=" SECRET, "FCGI_AUTH_MAIL_FROM=noreply@example.com", url,
	        "FCGI_AUTH_MAIL_TIMEOUT_MS=400");
	t0 = mono_ms();
	st = send_logged(&m, &log);
	t0 = mono_ms() - t0;
	CHECK(st == MAIL_TIMEOUT, "a server that never greets: %s", mail_status_name(st));
	CHECK(t0 >= 390 && t0 < 1500, "timed out after %lld ms", (long long)t0);
	CHECK(strstr(log, "not sent after") && strstr(log, "timeout"), "logged: %s", log);
	free(log);
	close(s);

	/* The port is closed now: refused at once. */
	t0 = mono_ms();
	st = mail_send(&m);
	t0 = mono_ms() - t0;
	CHECK(st == MAIL_FAILED, "a closed port: %s", mail_status_name(st));
	CHECK(t0 < 400, "refused in %lld ms", (long long)t0);

	/* STARTTLS required, but this server speaks no TLS (nor anything). */
	s = silent_server(&port);
	snprintf(url, sizeof url, "FCGI_AUTH_SMTP_URL=smtp://127.0.0.1:%d?starttls=1", port);
	LOAD_OK("BETTER_AUTH_SECRET=" SECRET, "FCGI_AUTH_MAIL_FROM=noreply@example.com", url,
	        "FCGI_AUTH_MAIL_TIMEOUT_MS=200");
	CHECK(mail_send(&m) == MAIL_TIMEOUT, "starttls to a silent server");
	close(s);
}

int
main(void)
{
	if (!unit_tmp_make(tmpdir, "fcgi-auth-mail"))
		UNIT_END();
	snprintf(tpl_env, sizeof tpl_env, "FCGI_AUTH_MAIL_TEMPLATES=%s", tmpdir);
	test_config();
	test_message();
	test_injection_and_encoding();
	test_templates();
	test_sendmail();
	test_smtp_failures();
	mail_cleanup();
	config_cleanup(&cfg);
	unit_tmp_remove(tmpdir);
	UNIT_END();
}
