/*
 * whoami — the demo protected backend (GET /demo/whoami). It trusts only what
 * the web server passes after the fcgi-auth authorizer said yes: AUTH_USER_ID
 * and AUTH_USER_EMAIL. It also reports the raw value of any X-User-Id header
 * that reached it, which must always be null: the server strips it.
 * This is the example to copy for a backend behind the authorizer.
 *
 * GET /demo/whoami?env adds what the tests check the web server hands a
 * backend: REMOTE_USER, the names (never the values) of every variable of
 * the request and of the process environment, and the value of every
 * request header (HTTP_*) except Cookie and Authorization.
 */
#include "fcgi.h"
#include "json_write.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* The value of NAME in vars ("NAME=value" strings), or NULL. */
static const char *
whoami_param(const char *name, char **vars)
{
	size_t n = strlen(name);

	for (char **v = vars; v && *v; v++)
		if (!strncmp(*v, name, n) && (*v)[n] == '=')
			return *v + n + 1;
	return NULL;
}

static void
whoami_field(bson_string_t *out, const char *key, const char *value, bool first)
{
	json_write_key(out, key, first);
	if (value)
		json_write_string(out, value, strlen(value));
	else
		bson_string_append(out, "null");
}

/* "key":["NAME",...]: the names of the NAME=value strings of vars. */
static void
whoami_names(bson_string_t *out, const char *key, char **vars)
{
	json_write_key(out, key, false);
	bson_string_append_c(out, '[');
	for (char **v = vars; v && *v; v++) {
		const char *eq = strchr(*v, '=');

		if (v != vars)
			bson_string_append_c(out, ',');
		json_write_string(out, *v, eq ? (size_t)(eq - *v) : strlen(*v));
	}
	bson_string_append_c(out, ']');
}

/* "headers":{"HTTP_X":"value",...}, without the credentials. */
static void
whoami_headers(bson_string_t *out, char **vars)
{
	bool first = true;

	json_write_key(out, "headers", false);
	bson_string_append_c(out, '{');
	for (char **v = vars; v && *v; v++) {
		const char *eq = strchr(*v, '=');

		if (!eq || strncmp(*v, "HTTP_", 5) || !strncmp(*v, "HTTP_COOKIE=", 12) ||
		    !strncmp(*v, "HTTP_AUTHORIZATION=", 19))
			continue;
		if (!first)
			bson_string_append_c(out, ',');
		first = false;
		json_write_string(out, *v, (size_t)(eq - *v));
		bson_string_append_c(out, ':');
		json_write_string(out, eq + 1, strlen(eq + 1));
	}
	bson_string_append_c(out, '}');
}

static void
whoami_answer(char **envp, bson_string_t *out)
{
	bson_string_t *body = bson_string_new("{");
	const char *query = whoami_param("QUERY_STRING", envp);

	whoami_field(body, "userId", whoami_param("AUTH_USER_ID", envp), true);
	whoami_field(body, "email", whoami_param("AUTH_USER_EMAIL", envp), false);
	whoami_field(body, "xUserIdHeader", whoami_param("HTTP_X_USER_ID", envp), false);
	if (whoami_param("AUTH_USER_ROLE", envp))
		whoami_field(body, "role", whoami_param("AUTH_USER_ROLE", envp), false);
	if (query && !strcmp(query, "env")) {
		whoami_field(body, "remoteUser", whoami_param("REMOTE_USER", envp), false);
		whoami_names(body, "params", envp);
		whoami_names(body, "processEnv", environ);
		whoami_headers(body, envp);
	}
	bson_string_append_c(body, '}');
	bson_string_append_printf(out,
	                          "Status: 200 OK\r\nContent-Type: application/json\r\n"
	                          "Cache-Control: no-store\r\nContent-Length: %u\r\n\r\n%s",
	                          body->len, body->str);
	bson_string_free(body, true);
}

int
main(void)
{
	static struct fcgi_request req;
	bson_string_t *out = bson_string_new(NULL);

	if (!fcgi_is_listener(STDIN_FILENO)) {
		whoami_answer(environ, out);
		fwrite(out->str, 1, out->len, stdout);
	} else {
		signal(SIGPIPE, SIG_IGN);
		fcgi_init(&req, STDIN_FILENO);
		while (fcgi_accept(&req)) {
			bson_string_truncate(out, 0);
			whoami_answer(req.envp, out);
			fcgi_finish(&req, out->str, out->len);
		}
		fcgi_cleanup(&req);
	}
	bson_string_free(out, true);
	return 0;
}
