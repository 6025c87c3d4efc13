/*
 * whoami — the demo protected backend (GET /demo/whoami). It trusts only what
 * the web server passes after the fcgi-auth authorizer said yes: AUTH_USER_ID
 * and AUTH_USER_EMAIL. It also reports the raw value of any X-User-Id header
 * that reached it, which must always be null: the server strips it.
 * This is the example to copy for a backend behind the authorizer.
 */
#include "json_write.h"

#include <fcgiapp.h>
#include <stdio.h>
#include <string.h>

extern char **environ;

static void
whoami_field(bson_string_t *out, const char *key, const char *value, bool first)
{
	json_write_key(out, key, first);
	if (value)
		json_write_string(out, value, strlen(value));
	else
		bson_string_append(out, "null");
}

static void
whoami_answer(char **envp, bson_string_t *out)
{
	bson_string_t *body = bson_string_new("{");

	whoami_field(body, "userId", FCGX_GetParam("AUTH_USER_ID", envp), true);
	whoami_field(body, "email", FCGX_GetParam("AUTH_USER_EMAIL", envp), false);
	whoami_field(body, "xUserIdHeader", FCGX_GetParam("HTTP_X_USER_ID", envp), false);
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
	FCGX_Request req;
	bson_string_t *out = bson_string_new(NULL);

	if (FCGX_Init() != 0)
		return 1;
	if (FCGX_IsCGI()) {
		whoami_answer(environ, out);
		fwrite(out->str, 1, out->len, stdout);
	} else {
		FCGX_InitRequest(&req, 0, 0);
		while (FCGX_Accept_r(&req) >= 0) {
			bson_string_truncate(out, 0);
			whoami_answer(req.envp, out);
			FCGX_PutStr(out->str, (int)out->len, req.out);
			FCGX_Finish_r(&req);
		}
	}
	bson_string_free(out, true);
	return 0;
}
