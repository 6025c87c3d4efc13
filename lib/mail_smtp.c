/*
 * mail_smtp.c — see mail_smtp.h.
 */
#include "mail_smtp.h"

#include "config.h"
#include "log.h"
#include "urlcode.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
	const struct config *cfg;
	char *url, *user, *password; /* the URL without userinfo or query */
	bool starttls;
	bool curl_ready; /* curl_global_init done */
} mail_smtp;

/* Percent-decodes s[0..n) (decodeURIComponent) into a bson_malloc'd
 * string, or NULL. */
static char *
mail_smtp_decode(const char *s, size_t n)
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
mail_smtp_parse_url(const struct config *cfg, char *err, size_t errlen)
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
		mail_smtp.user = mail_smtp_decode(auth, (size_t)((colon ? colon : at) - auth));
		mail_smtp.password = colon ? mail_smtp_decode(colon + 1, (size_t)(at - colon - 1))
		                           : bson_strdup("");
		if (!mail_smtp.user || !mail_smtp.password) {
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
		mail_smtp.user = bson_strdup(cfg->smtp_user);
		mail_smtp.password = bson_strdup(cfg->smtp_password ? cfg->smtp_password : "");
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
			mail_smtp.starttls = true;
		} else if (!strncmp(q, "starttls=0", 10) && (q[10] == '&' || !q[10])) {
			mail_smtp.starttls = false;
		} else {
			snprintf(err, errlen,
			         "FCGI_AUTH_SMTP_URL: unknown option \"%.*s\" (known: starttls=1)",
			         (int)strcspn(q, "&"), q);
			return false;
		}
	}
	if (smtps && mail_smtp.starttls) {
		snprintf(err, errlen,
		         "FCGI_AUTH_SMTP_URL: smtps:// is TLS already; starttls=1 is for smtp://");
		return false;
	}
	curl_url = bson_string_new(NULL);
	bson_string_append_printf(curl_url, "%.*s%.*s", (int)(auth - url), url,
	                          (int)((q ? q : end + strlen(end)) - host), host);
	mail_smtp.url = bson_string_free(curl_url, false);
	if (mail_smtp.user && !smtps && !mail_smtp.starttls && strncmp(host, "127.0.0.1", 9) &&
	    strncmp(host, "localhost", 9) && strncmp(host, "[::1]", 5))
		log_warn("FCGI_AUTH_SMTP_URL: the SMTP password goes out unencrypted "
		         "(use smtps:// or ?starttls=1)");
	return true;
}

struct mail_smtp_upload {
	const char *p;
	size_t left;
};

static size_t
mail_smtp_upload_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct mail_smtp_upload *u = arg;
	size_t n = size * nitems < u->left ? size * nitems : u->left;

	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* A handle for the configured SMTP server: URL, TLS, CA file, login and the
 * total timeout; errors go to curl_err. The first one initialises libcurl.
 * NULL with the reason in *why when libcurl cannot be initialised or has no
 * handle. */
static CURL *
mail_smtp_handle(char *curl_err, const char **why)
{
	CURL *curl;
	long timeout = mail_smtp.cfg->mail_timeout_ms;

	*why = "libcurl could not be initialised";
	if (!mail_smtp.curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	mail_smtp.curl_ready = true;
	*why = "libcurl: no handle";
	curl = curl_easy_init();
	if (!curl)
		return NULL;
	curl_easy_setopt(curl, CURLOPT_URL, mail_smtp.url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* No proxy from the environment (all_proxy…): settings are read once, at start. */
	curl_easy_setopt(curl, CURLOPT_PROXY, "");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
	if (mail_smtp.starttls)
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (mail_smtp.cfg->smtp_ca_file)
		curl_easy_setopt(curl, CURLOPT_CAINFO, mail_smtp.cfg->smtp_ca_file);
	if (mail_smtp.user) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, mail_smtp.user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, mail_smtp.password);
	}
	return curl;
}

enum mail_status
mail_smtp_send(const bson_string_t *msg, const char *from_addr, const char *to, char *err,
               size_t errlen)
{
	char curl_err[CURL_ERROR_SIZE] = "";
	const char *why;
	CURL *curl = mail_smtp_handle(curl_err, &why);
	struct curl_slist *rcpt = NULL;
	struct mail_smtp_upload up = {msg->str, msg->len};
	char from[300], rcpt_to[300];
	CURLcode rc;

	if (!curl) {
		snprintf(err, errlen, "%s", why);
		return MAIL_FAILED;
	}
	snprintf(from, sizeof from, "<%s>", from_addr);
	snprintf(rcpt_to, sizeof rcpt_to, "<%s>", to);
	rcpt = curl_slist_append(NULL, rcpt_to);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, mail_smtp_upload_read);
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
mail_smtp_probe(char *msg, size_t len)
{
	char curl_err[CURL_ERROR_SIZE] = "";
	const char *why;
	CURL *curl = mail_smtp_handle(curl_err, &why);
	CURLcode rc;

	if (!curl) {
		snprintf(msg, len, "%s", why);
		return false;
	}
	/* The protocol's connect phase only: greeting, EHLO, STARTTLS, login. */
	curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		snprintf(
			msg, len, "SMTP server %s answered (EHLO%s%s), nothing sent", mail_smtp.url,
			mail_smtp.starttls || !strncmp(mail_smtp.url, "smtps://", 8) ? ", TLS" : "",
			mail_smtp.user ? ", login accepted" : "");
	else
		snprintf(msg, len, "SMTP server %s: %s", mail_smtp.url,
		         curl_err[0] ? curl_err : curl_easy_strerror(rc));
	curl_easy_cleanup(curl);
	return rc == CURLE_OK;
}

bool
mail_smtp_init(const struct config *cfg, char *err, size_t errlen)
{
	mail_smtp_cleanup();
	mail_smtp.cfg = cfg;
	return mail_smtp_parse_url(cfg, err, errlen);
}

void
mail_smtp_cleanup(void)
{
	if (mail_smtp.password)
		explicit_bzero(mail_smtp.password, strlen(mail_smtp.password));
	bson_free(mail_smtp.url);
	bson_free(mail_smtp.user);
	bson_free(mail_smtp.password);
	if (mail_smtp.curl_ready)
		curl_global_cleanup();
	memset(&mail_smtp, 0, sizeof mail_smtp);
}
