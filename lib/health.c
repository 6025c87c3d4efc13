/*
 * health.c — see health.h.
 */
#include "health.h"

#include "metrics.h"

#include <stdlib.h>

#define HEALTH_PING_MS 1000

enum response_error
health_get(struct call *c)
{
	bool up = db_ping(HEALTH_PING_MS) == DB_OK;

	response_header(c->res, "Cache-Control", "no-store");
	response_json(c->res, up ? 200 : 503,
	              bson_string_new(up ? "{\"status\":\"ok\",\"store\":\"up\"}"
	                                 : "{\"status\":\"unavailable\",\"store\":\"down\"}"));
	return ERR_OK;
}

enum response_error
health_metrics(struct call *c)
{
	char *text = NULL;
	size_t len = 0;
	bson_string_t *body;

	if (!metrics_render(&text, &len)) {
		free(text);
		return ERR_SERVICE_UNAVAILABLE;
	}
	body = bson_string_new(NULL);
	bson_string_append(body, text);
	free(text);
	response_header(c->res, "Cache-Control", "no-store");
	response_body(c->res, 200, METRICS_CONTENT_TYPE, body);
	return ERR_OK;
}
