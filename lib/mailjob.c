/*
 * mailjob.c — see mailjob.h.
 */
#include "mailjob.h"

#include "config.h"
#include "log.h"
#include "model.h"
#include "origin.h"
#include "urlcode.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* A copy of a message that outlives the request. */
struct mailjob {
	struct mail_message m;
	char *to, *name, *url, *email, *new_email;
};

static bool mailjob_enabled;

bool
mailjob_init(const struct config *cfg, char *err, size_t errlen)
{
	if (!mail_init(cfg, err, errlen))
		return false;
	mailjob_enabled = mail_is_configured();
	if (mailjob_enabled && !cfg->base_url) {
		snprintf(err, errlen,
		         "BETTER_AUTH_URL is required with a mail sender: the mailed links "
		         "start with it");
		return false;
	}
	if (!mailjob_enabled)
		log_info("no mail sender (FCGI_AUTH_SMTP_URL, FCGI_AUTH_SENDMAIL): "
		         "request-password-reset "
		         "answers RESET_PASSWORD_DISABLED, send-verification-email "
		         "VERIFICATION_EMAIL_NOT_ENABLED, and sign-up, sign-in and change-email "
		         "send no "
		         "verification mail, as Better Auth without its callbacks");
	return true;
}

bool
mailjob_is_enabled(void)
{
	return mailjob_enabled;
}

static char *
mailjob_dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
mailjob_run(void *arg)
{
	struct mailjob *j = arg;

	mail_send(&j->m); /* logs its outcome */
	free(j->to);
	free(j->name);
	if (j->url)
		explicit_bzero(j->url, strlen(j->url)); /* carries a token */
	free(j->url);
	free(j->email);
	free(j->new_email);
	free(j);
}

void
mailjob_defer(struct call *c, const struct mail_message *m)
{
	struct mailjob *j = xcalloc(1, sizeof(*j));
	j->m.kind = m->kind;
	j->m.to = j->to = mailjob_dup(m->to);
	j->m.name = j->name = mailjob_dup(m->name);
	j->m.url = j->url = mailjob_dup(m->url);
	j->m.email = j->email = mailjob_dup(m->email);
	j->m.new_email = j->new_email = mailjob_dup(m->new_email);
	app_defer(c, mailjob_run, j);
}

char *
mailjob_link(const struct config *cfg, const char *path, const char *token, const char *param,
             const char *value)
{
	const char *base = cfg->base_url ? cfg->base_url : "";
	size_t n = strlen(base);
	bson_string_t *out = bson_string_new(NULL);

	while (n && base[n - 1] == '/')
		n--;
	bson_string_append_printf(out, "%.*s/api/auth%s%s%s", (int)n, base, path, token, param);
	urlcode_encode(out, value, strlen(value), URLCODE_COMPONENT);
	return bson_string_free(out, false);
}

char *
mailjob_verify_link(const struct config *cfg, const char *jwt, const char *callback)
{
	return mailjob_link(cfg, "/verify-email?token=", jwt,
	                    "&callbackURL=", callback && *callback ? callback : "/");
}

void
mailjob_user_id(const bson_t *user, char hex[25])
{
	bson_oid_t oid;

	hex[0] = '\0';
	if (model_oid(user, "_id", &oid))
		bson_oid_to_string(&oid, hex);
}

char *
mailjob_query(const struct request *req, const char *name, bool *repeated)
{
	const char *p = req->query, *v = NULL;
	size_t n = strlen(name), vlen = 0, count = 0;

	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t seg = amp ? (size_t)(amp - p) : strlen(p);

		if (seg >= n && !strncmp(p, name, n) && (seg == n || p[n] == '=')) {
			if (!count++) {
				v = seg == n ? p + n : p + n + 1;
				vlen = seg - (size_t)(v - p);
			}
		}
		p = amp ? amp + 1 : NULL;
	}
	*repeated = count > 1;
	return v ? urlcode_decode(v, vlen, URLCODE_FORM, NULL) : NULL;
}

bool
mailjob_query_string(const struct request *req, const char *name, bool required, char **out,
                     bson_string_t *issues)
{
	bool repeated;
	char *v = mailjob_query(req, name, &repeated);
	const char *got = repeated ? "array" : (!v && required) ? "undefined" : NULL;

	*out = NULL;
	if (got) {
		if (issues->len)
			bson_string_append(issues, "; ");
		bson_string_append_printf(issues,
		                          "[query.%s] Invalid input: expected string, received %s",
		                          name, got);
		free(v);
		return false;
	}
	*out = v;
	return true;
}

bool
mailjob_query_done(struct call *c, bson_string_t *issues, const char *callback)
{
	bool ok = true;

	if (issues->len) {
		response_error_message(c->res, 400, issues->str, "VALIDATION_ERROR");
		ok = false;
	} else if (callback && *callback &&
	           !origin_callback_ok(c->req, callback, strlen(callback))) {
		log_error("Invalid callbackURL (query)");
		response_error(c->res, ERR_INVALID_CALLBACK_URL);
		ok = false;
	}
	bson_string_free(issues, true);
	return ok;
}
