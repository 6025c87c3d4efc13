/*
 * mail-send — the test driver of lib/mail.c: reads the configuration from
 * the environment as every program does (config_load, mail_init), then
 * sends one mail, or with --print writes the composed message to stdout.
 *
 *   mail-send [--print] <kind> <to> [<name> [<url> [<email> [<new-email>]]]]
 *
 * <kind> is a template name (reset-password, verify-email,
 * change-email-confirmation, delete-account). Prints the status name
 * (mail_status_name) on stdout. Exit: 0 sent (or printed), 1 the
 * configuration was refused (the reason on stderr), 2 not sent.
 */
#include "config.h"
#include "log.h"
#include "mail.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int
main(int argc, char **argv)
{
	struct config cfg;
	struct mail_message m;
	bson_string_t *msg = NULL;
	enum mail_status st;
	char err[512];
	bool print = argc > 1 && !strcmp(argv[1], "--print");
	int a = print ? 2 : 1;

	if (argc - a < 2 || !mail_kind_parse(argv[a], &m.kind)) {
		fprintf(stderr, "usage: mail-send [--print] <kind> <to> [<name> [<url> [<email> [<new-email>]]]]\n");
		return 1;
	}
	log_init("mail-send");
	if (!config_load(&cfg, err, sizeof err) || !mail_init(&cfg, err, sizeof err)) {
		fprintf(stderr, "mail-send: %s\n", err);
		return 1;
	}
	m.to = argv[a + 1];
	m.name = argc > a + 2 ? argv[a + 2] : NULL;
	m.url = argc > a + 3 ? argv[a + 3] : NULL;
	m.email = argc > a + 4 ? argv[a + 4] : NULL;
	m.new_email = argc > a + 5 ? argv[a + 5] : NULL;
	if (print) {
		st = mail_compose(&m, (int64_t)time(NULL) * 1000, &msg);
		if (msg)
			fwrite(msg->str, 1, msg->len, stdout);
		bson_string_free(msg, true);
	} else {
		st = mail_send(&m);
		printf("%s\n", mail_status_name(st));
	}
	mail_cleanup();
	config_cleanup(&cfg);
	return st == MAIL_OK ? 0 : 2;
}
