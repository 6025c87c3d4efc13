/*
 * check.h — `program --check`: what a user on a host with a shell but no
 * logs runs first. Reads the settings exactly as the program would serve
 * (environment, settings file, its own start-up step), then tries the store,
 * the unique indexes and the mail sender, printing one line per finding on
 * stdout ("settings: …", "store: …", "indexes: …", "mail: …") and last "OK"
 * or "FAILED: <what>, <what>". Secrets (BETTER_AUTH_SECRET, passwords and
 * options in URIs) are never printed; the store's own error messages go to
 * stderr through the log, as when serving.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct config;

/* Runs the checks for program, with init/cleanup its app_program start-up
 * and clean-up steps (either may be NULL). Returns the exit status: 0 when
 * everything answered, 1 otherwise. */
int check_run(const char *program, bool (*init)(const struct config *cfg, char *err, size_t errlen),
              void (*cleanup)(void));

/* "scheme://host[:port][,host…]/" of a MongoDB URI into out: without the user,
 * password, database and options. */
void check_uri_hosts(const char *uri, char *out, size_t len);

#endif
