/*
 * app.h — a program's life: configuration, secret and database client once,
 * then the accept loop (FastCGI; or exactly one request when started as plain
 * CGI), with per-request set-up and clean-up and one write of the response.
 * An endpoint's main() is one call to app_run.
 */
#ifndef APP_H
#define APP_H

#include "request.h"
#include "response.h"

#include <stdbool.h>

/* Handles one request: fills res. Never writes output itself. */
typedef void (*app_handler)(struct request *req, struct response *res);

/* Runs the program: exits 1 with one line on stderr when the configuration is
 * missing or unsafe; otherwise serves until the web server stops it.
 * Returns the process exit status. */
int app_run(const char *program, app_handler handler);

/* True when req is `method path` exactly (query ignored). Otherwise, when
 * the path matches but the method does not, or nothing matches, the caller
 * answers 404 as Better Auth's router does. */
bool app_route(const struct request *req, const char *method, const char *path);

#endif
