/*
 * mail_template.c — see mail_template.h.
 */
#include "mail_template.h"

#include "utf8.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define MAIL_TEMPLATE_MAX (64 * 1024) /* bytes, per template file */

struct mail_template_texts {
	char *subject, *text, *html; /* html NULL: made from text */
};

static struct mail_template_texts mail_template_set[MAIL__KIND_COUNT];

static const struct {
	const char *subject, *text;
} mail_template_defaults[MAIL__KIND_COUNT] = {
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

static const char *const mail_template_vars[] = {"url", "name", "email", "newEmail", "appName"};

/* At s (on "{{"): the placeholder's index and *len its length; -1 when s
 * is not "{{" letters "}}" (literal text); -2 for unknown letters. */
static int
mail_template_var_at(const char *s, size_t *len)
{
	size_t n = 2, i;

	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z'))
		n++;
	if (n == 2 || s[n] != '}' || s[n + 1] != '}')
		return -1;
	*len = n + 2;
	for (i = 0; i < MAIL_TEMPLATE__VAR_COUNT; i++)
		if (strlen(mail_template_vars[i]) == n - 2 &&
		    !memcmp(s + 2, mail_template_vars[i], n - 2))
			return (int)i;
	return -2;
}

static void
mail_template_escape(bson_string_t *out, const char *s, size_t n)
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

enum mail_template_mode {
	MAIL_AS_TEXT,     /* subject, text part: values as they are */
	MAIL_AS_HTML,     /* HTML template: values escaped */
	MAIL_AS_TEXT_HTML /* HTML made from the text template: all escaped, url a link */
};

/* The template tpl with the placeholders of m filled in, appended to out.
 * Control characters in values become spaces. */
static void
mail_template_fill(bson_string_t *out, const char *tpl,
                   const char *const values[MAIL_TEMPLATE__VAR_COUNT], enum mail_template_mode mode)
{
	const char *p = tpl, *open;
	size_t len, i;
	int ph;

	while (*p) {
		bson_string_t *v;

		open = strstr(p, "{{");
		while (open && (ph = mail_template_var_at(open, &len)) < 0)
			open = strstr(open + 1, "{{");
		if (!open) {
			if (mode == MAIL_AS_TEXT_HTML)
				mail_template_escape(out, p, strlen(p));
			else
				bson_string_append(out, p);
			return;
		}
		if (mode == MAIL_AS_TEXT_HTML)
			mail_template_escape(out, p, (size_t)(open - p));
		else
			bson_string_append_printf(out, "%.*s", (int)(open - p), p);
		v = bson_string_new(values[ph]);
		for (i = 0; i < v->len; i++)
			if ((unsigned char)v->str[i] < 0x20 || v->str[i] == 0x7f)
				v->str[i] = ' ';
		if (mode == MAIL_AS_TEXT) {
			bson_string_append(out, v->str);
		} else if (mode == MAIL_AS_TEXT_HTML && ph == MAIL_TEMPLATE_URL) {
			bson_string_append(out, "<a href=\"");
			mail_template_escape(out, v->str, v->len);
			bson_string_append(out, "\">");
			mail_template_escape(out, v->str, v->len);
			bson_string_append(out, "</a>");
		} else {
			mail_template_escape(out, v->str, v->len);
		}
		bson_string_free(v, true);
		p = open + len;
	}
}

/* Reads <dir>/<kind>.<ext> into *out (NULL when the file does not exist);
 * false with err when it cannot be read or is not a usable template. */
static bool
mail_template_read(const char *dir, const char *kind, const char *ext, char **out, char *err,
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
		if (mail_template_var_at(p, &len) == -2) {
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

bool
mail_template_load(const char *dir, char *err, size_t errlen)
{
	struct stat sb;
	int k;

	if (dir && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
		snprintf(err, errlen, "FCGI_AUTH_MAIL_TEMPLATES: %s is not a directory", dir);
		return false;
	}
	for (k = 0; k < MAIL__KIND_COUNT; k++) {
		struct mail_template_texts *t = &mail_template_set[k];
		const char *kind = mail_kind_name((enum mail_kind)k);

		if (dir && (!mail_template_read(dir, kind, "subject", &t->subject, err, errlen) ||
		            !mail_template_read(dir, kind, "txt", &t->text, err, errlen) ||
		            !mail_template_read(dir, kind, "html", &t->html, err, errlen)))
			return false;
		if (!t->subject)
			t->subject = bson_strdup(mail_template_defaults[k].subject);
		if (!t->text)
			t->text = bson_strdup(mail_template_defaults[k].text);
	}
	return true;
}

void
mail_template_cleanup(void)
{
	int k;

	for (k = 0; k < MAIL__KIND_COUNT; k++) {
		bson_free(mail_template_set[k].subject);
		bson_free(mail_template_set[k].text);
		bson_free(mail_template_set[k].html);
	}
	memset(mail_template_set, 0, sizeof mail_template_set);
}

void
mail_template_render(enum mail_kind kind, const char *const values[MAIL_TEMPLATE__VAR_COUNT],
                     bson_string_t *subject, bson_string_t *text, bson_string_t *html)
{
	const struct mail_template_texts *t = &mail_template_set[kind];

	mail_template_fill(subject, t->subject, values, MAIL_AS_TEXT);
	mail_template_fill(text, t->text, values, MAIL_AS_TEXT);
	if (t->html) {
		mail_template_fill(html, t->html, values, MAIL_AS_HTML);
	} else {
		bson_string_append(
			html, "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>");
		mail_template_escape(html, subject->str, subject->len);
		bson_string_append(
			html, "</title></head>\n<body>\n"
			      "<div style=\"white-space: pre-wrap; font-family: sans-serif\">");
		mail_template_fill(html, t->text, values, MAIL_AS_TEXT_HTML);
		bson_string_append(html, "</div>\n</body>\n</html>\n");
	}
}
