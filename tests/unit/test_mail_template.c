/*
 * test_mail_template.c — mail_template.h directly (no configuration, no
 * MIME): the built-in texts with their placeholders filled, a site's text
 * and HTML templates, values escaped in HTML and their control characters
 * made spaces, and the HTML document made from a text template, compared
 * whole. Refused template files are test_mail.c's (through mail_init).
 */
#include "mail_template.h"
#include "unit.h"
#include "unit_tmp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[64];

/* Renders kind with values into the three strings (new, caller frees). */
static void
render(enum mail_kind kind, const char *const values[MAIL_TEMPLATE__VAR_COUNT], char **subject,
       char **text, char **html)
{
	bson_string_t *s = bson_string_new(NULL), *t = bson_string_new(NULL),
		      *h = bson_string_new(NULL);

	mail_template_render(kind, values, s, t, h);
	*subject = bson_string_free(s, false);
	*text = bson_string_free(t, false);
	*html = bson_string_free(h, false);
}

static void
test_defaults(void)
{
	const char *values[MAIL_TEMPLATE__VAR_COUNT] = {
		[MAIL_TEMPLATE_URL] =
			"https://app.example/api/auth/reset-password/T?callbackURL=%2F",
		[MAIL_TEMPLATE_NAME] = "Ada",
		[MAIL_TEMPLATE_EMAIL] = "ada@example.com",
		[MAIL_TEMPLATE_NEW_EMAIL] = "new@example.com",
		[MAIL_TEMPLATE_APP_NAME] = "Site",
	};
	char err[256] = "", *subject, *text, *html;

	CHECK(mail_template_load(NULL, err, sizeof err), "built-in texts: %s", err);
	render(MAIL_RESET_PASSWORD, values, &subject, &text, &html);
	CHECK_STR(subject, "Reset your Site password");
	CHECK_STR(text, "Hello Ada,\n\n"
	                "Someone asked to reset the password of the Site account ada@example.com.\n"
	                "To choose a new password, open this link:\n\n"
	                "https://app.example/api/auth/reset-password/T?callbackURL=%2F\n\n"
	                "If it was not you, ignore this message: your password stays as it is.\n");
	CHECK(strstr(html, "<title>Reset your Site password</title>") &&
	              strstr(html, "<a href=\"https://app.example/api/auth/reset-password/"
	                           "T?callbackURL=%2F\">"),
	      "HTML made from the text: %s", html);
	bson_free(subject);
	bson_free(text);
	bson_free(html);
	render(MAIL_CHANGE_EMAIL_CONFIRMATION, values, &subject, &text, &html);
	CHECK(strstr(text, "from ada@example.com to new@example.com."), "{{newEmail}}: %s", text);
	bson_free(subject);
	bson_free(text);
	bson_free(html);
	mail_template_cleanup();
}

static void
test_site_templates(void)
{
	const char *values[MAIL_TEMPLATE__VAR_COUNT] = {
		[MAIL_TEMPLATE_URL] = "https://x/v?a=1&b=2",
		[MAIL_TEMPLATE_NAME] = "<b>Eve</b>\r\n\"Q\"",
		[MAIL_TEMPLATE_EMAIL] = "eve@example.com",
		[MAIL_TEMPLATE_NEW_EMAIL] = "",
		[MAIL_TEMPLATE_APP_NAME] = "S&S",
	};
	char err[256] = "", *subject, *text, *html, path[128];

	unit_tmp_write(tmpdir, "verify-email.subject", "{{appName}} for {{name}}\n");
	unit_tmp_write(tmpdir, "verify-email.txt", "Hi {{name}}: {{url}} {{ url }}\n");
	unit_tmp_write(tmpdir, "verify-email.html",
	               "<p>{{name}} <a href=\"{{url}}\">{{appName}}</a></p>");
	unit_tmp_write(tmpdir, "delete-account.txt", "Bye {{name}} <{{url}}>\n");
	CHECK(mail_template_load(tmpdir, err, sizeof err), "site templates: %s", err);

	render(MAIL_VERIFY_EMAIL, values, &subject, &text, &html);
	CHECK_STR(subject, "S&S for <b>Eve</b>  \"Q\"");
	CHECK_STR(text, "Hi <b>Eve</b>  \"Q\": https://x/v?a=1&b=2 {{ url }}\n");
	CHECK_STR(html, "<p>&lt;b&gt;Eve&lt;/b&gt;  &quot;Q&quot; "
	                "<a href=\"https://x/v?a=1&amp;b=2\">S&amp;S</a></p>");
	bson_free(subject);
	bson_free(text);
	bson_free(html);

	render(MAIL_DELETE_ACCOUNT, values, &subject, &text, &html);
	CHECK_STR(subject, "Confirm the deletion of your S&S account");
	CHECK_STR(html, "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>"
	                "Confirm the deletion of your S&amp;S account</title></head>\n<body>\n"
	                "<div style=\"white-space: pre-wrap; font-family: sans-serif\">"
	                "Bye &lt;b&gt;Eve&lt;/b&gt;  &quot;Q&quot; &lt;"
	                "<a href=\"https://x/v?a=1&amp;b=2\">https://x/v?a=1&amp;b=2</a>&gt;\n"
	                "</div>\n</body>\n</html>\n");
	bson_free(subject);
	bson_free(text);
	bson_free(html);
	mail_template_cleanup();

	unit_tmp_write(tmpdir, "delete-account.html", "{{link}}");
	CHECK(!mail_template_load(tmpdir, err, sizeof err) &&
	              strstr(err, "delete-account.html: unknown placeholder {{link}}"),
	      "unknown placeholder refused: %s", err);
	mail_template_cleanup();
	snprintf(path, sizeof path, "%s/none", tmpdir);
	CHECK(!mail_template_load(path, err, sizeof err) && strstr(err, "is not a directory"),
	      "no directory: %s", err);
	mail_template_cleanup();
}

int
main(void)
{
	if (!unit_tmp_make(tmpdir, "fcgi-auth-tpl"))
		UNIT_END();
	test_defaults();
	test_site_templates();
	unit_tmp_remove(tmpdir);
	UNIT_END();
}
