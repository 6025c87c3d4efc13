/*
 * mail.c — see mail.h. The parts: mail_template.h (the texts),
 * mail_mime.h (the message), mail_smtp.h and mail_sendmail.h (the senders).
 * SIGPIPE is blocked while sending (and restored, pending ones discarded),
 * so a reader that goes away cannot kill the process.
 */
#include "mail.h"

#include "config.h"
#include "log.h"
#include "mail_mime.h"
#include "mail_sendmail.h"
#include "mail_smtp.h"
#include "mail_template.h"
#include "utf8.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum mail_sender { MAIL_NONE, MAIL_SMTP, MAIL_SENDMAIL };

static struct {
	const struct config *cfg;
	enum mail_sender sender;
	char *from_addr, *from_name, *from_domain, *app_name;
} mail;

static const char *const mail_kind_names[MAIL__KIND_COUNT] = {
	[MAIL_RESET_PASSWORD] = "reset-password",
	[MAIL_VERIFY_EMAIL] = "verify-email",
	[MAIL_CHANGE_EMAIL_CONFIRMATION] = "change-email-confirmation",
	[MAIL_DELETE_ACCOUNT] = "delete-account",
};

static int64_t
mail_clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* -------------------------------------------------------------- compose */

enum mail_status
mail_compose(const struct mail_message *m, int64_t now_ms, bson_string_t **out)
{
	const char *values[MAIL_TEMPLATE__VAR_COUNT];
	bson_string_t *subject = NULL, *text = NULL, *html = NULL;
	enum mail_status st = MAIL_NOT_CONFIGURED;
	size_t i;

	*out = NULL;
	if (!mail.from_addr)
		goto done;
	st = MAIL_BAD_INPUT;
	if ((int)m->kind < 0 || m->kind >= MAIL__KIND_COUNT)
		goto done;
	st = MAIL_BAD_ADDRESS;
	if (!m->to || !mail_mime_is_address(m->to))
		goto done;
	values[MAIL_TEMPLATE_URL] = m->url ? m->url : "";
	values[MAIL_TEMPLATE_NAME] = m->name ? m->name : "";
	values[MAIL_TEMPLATE_EMAIL] = m->email ? m->email : m->to;
	values[MAIL_TEMPLATE_NEW_EMAIL] = m->new_email ? m->new_email : "";
	values[MAIL_TEMPLATE_APP_NAME] = mail.app_name;
	st = MAIL_BAD_INPUT;
	for (i = 0; i < MAIL_TEMPLATE__VAR_COUNT; i++)
		if (!utf8_is_valid(values[i], strlen(values[i])))
			goto done;

	subject = bson_string_new(NULL);
	text = bson_string_new(NULL);
	html = bson_string_new(NULL);
	mail_template_render(m->kind, values, subject, text, html);
	*out = mail_mime_build(&(struct mail_mime_parts){.from_name = mail.from_name,
	                                                 .from_addr = mail.from_addr,
	                                                 .to_name = m->name,
	                                                 .to_addr = m->to,
	                                                 .id_domain = mail.from_domain,
	                                                 .subject = subject->str,
	                                                 .text = text->str,
	                                                 .html = html->str},
	                       now_ms);
	st = MAIL_OK;
done:
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
	if (!mail_mime_is_address(mail.from_addr)) {
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

bool
mail_init(const struct config *cfg, char *err, size_t errlen)
{
	const char *host;
	bool ok = false;

	mail_cleanup();
	mail.cfg = cfg;
	if (cfg->app_name) {
		mail.app_name = bson_strdup(cfg->app_name);
	} else if (cfg->base_url && (host = strstr(cfg->base_url, "://"))) {
		host += 3;
		mail.app_name = bson_strndup(host, strcspn(host, ":/?#"));
	}
	if (cfg->app_name && !utf8_is_valid(cfg->app_name, strlen(cfg->app_name))) {
		snprintf(err, errlen, "FCGI_AUTH_APP_NAME is not UTF-8");
		goto done;
	}
	if (!mail_template_load(cfg->mail_templates, err, errlen))
		goto done;
	if (cfg->mail_from && !mail_parse_from(cfg->mail_from, err, errlen))
		goto done;
	if (!mail.app_name || !*mail.app_name) {
		bson_free(mail.app_name);
		mail.app_name = bson_strdup(mail.from_domain ? mail.from_domain : "fcgi-auth");
	}
	if (cfg->smtp_url) {
		/* libcurl itself is initialised by the first mail (mail_smtp.h). */
		if (!mail_smtp_init(cfg, err, errlen))
			goto done;
		mail.sender = MAIL_SMTP;
	} else if (cfg->sendmail) {
		if (!mail_sendmail_init(cfg->sendmail, err, errlen))
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
	mail_template_cleanup();
	mail_smtp_cleanup();
	mail_sendmail_cleanup();
	bson_free(mail.from_addr);
	bson_free(mail.from_name);
	bson_free(mail.from_domain);
	bson_free(mail.app_name);
	memset(&mail, 0, sizeof mail);
}

/* ------------------------------------------------------------------ send */

bool
mail_probe(char *msg, size_t len)
{
	bool ok = false;

	if (mail.sender == MAIL_SMTP) {
		ok = mail_smtp_probe(msg, len);
	} else if (mail.sender == MAIL_SENDMAIL) {
		snprintf(msg, len, "sendmail command %s is executable (nothing run)",
		         mail_sendmail_program());
		ok = true;
	} else {
		snprintf(msg, len, "no sender configured");
	}
	return ok;
}

enum mail_status
mail_send(const struct mail_message *m)
{
	bson_string_t *msg = NULL;
	char err[512] = "";
	const char *domain =
		m->to && mail_mime_is_address(m->to) ? strrchr(m->to, '@') : "(not an address)";
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
	st = mail.sender == MAIL_SMTP
	             ? mail_smtp_send(msg, mail.from_addr, m->to, err, sizeof err)
	             : mail_sendmail_send(msg, mail.cfg->mail_timeout_ms, &old, err, sizeof err);
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
