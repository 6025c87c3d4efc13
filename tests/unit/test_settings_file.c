/*
 * test_settings_file.c — the settings file (FCGI_AUTH_SETTINGS_FILE,
 * lib/settings_file.c, holding the names config_is_setting allows): which files
 * are read and which refused (mode, owner, kind, syntax, names), how values
 * are taken (quotes, blanks, no expansion), and that the environment wins
 * over the file while the file's values go through config_load's checks.
 */
#include "config.h"
#include "settings_file.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/fcgi-auth-test-config-XXXXXX";
static char file[512];

static void
write_file(const char *text, mode_t mode)
{
	FILE *f;

	unlink(file);
	f = fopen(file, "w");
	if (!f) {
		perror(file);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	chmod(file, mode);
}

#define SECRET "s3cret-0123456789abcdefghijklmnopqrstuv"

struct row {
	const char *text;
	mode_t mode;
	int owner_delta;   /* owner passed = getuid() + this */
	const char *error; /* NULL: accepted; else a part of the message */
	const char *name;  /* accepted: a setting to look up ... */
	const char *value; /* ... and its value (NULL: not in the file) */
};

static const struct row rows[] = {
	/* accepted files and how values are read */
	{"MONGODB_DB=site\n", 0600, 0, NULL, "MONGODB_DB", "site"},
	{"MONGODB_DB=site", 0600, 0, NULL, "MONGODB_DB", "site"},     /* no final newline */
	{"MONGODB_DB=site\r\n", 0600, 0, NULL, "MONGODB_DB", "site"}, /* CRLF */
	{"# comment\n\n   \n  # indented comment\nMONGODB_DB=a\n", 0600, 0, NULL, "MONGODB_DB",
         "a"},
	{"MONGODB_DB=  padded  \t\n", 0600, 0, NULL, "MONGODB_DB", "padded"},
	{"MONGODB_DB=\" in quotes \"\n", 0600, 0, NULL, "MONGODB_DB", " in quotes "},
	{"MONGODB_DB='single'\n", 0600, 0, NULL, "MONGODB_DB", "single"},
	{"MONGODB_DB=$HOME/x\n", 0600, 0, NULL, "MONGODB_DB", "$HOME/x"}, /* no expansion */
	{"MONGODB_DB=a#b\n", 0600, 0, NULL, "MONGODB_DB", "a#b"}, /* '#' only starts a line */
	{"MONGODB_DB=a=b\n", 0600, 0, NULL, "MONGODB_DB", "a=b"},
	{"MONGODB_DB=\n", 0600, 0, NULL, "MONGODB_DB", ""}, /* empty: the default */
	{"MONGODB_URI=mongodb://u:p%40ss@h/?tls=true&w=majority\n", 0600, 0, NULL, "MONGODB_URI",
         "mongodb://u:p%40ss@h/?tls=true&w=majority"},
	{"MONGODB_DB=x\n", 0400, 0, NULL, "MONGODB_URI", NULL},
	{"MONGODB_DB=x\n", 0640, 0, NULL, "MONGODB_DB", "x"}, /* group may read */
	{"", 0600, 0, NULL, "MONGODB_DB", NULL},              /* empty file */
	/* refused: who may read or write it */
	{"MONGODB_DB=x\n", 0644, 0, "mode 0644", NULL, NULL},
	{"MONGODB_DB=x\n", 0604, 0, "mode 0604", NULL, NULL},
	{"MONGODB_DB=x\n", 0602, 0, "mode 0602", NULL, NULL},
	{"MONGODB_DB=x\n", 0620, 0, "mode 0620", NULL, NULL},
	{"MONGODB_DB=x\n", 0666, 0, "chmod 600", NULL, NULL},
	{"MONGODB_DB=x\n", 0600, 1, "not to the user the programs run as", NULL, NULL},
	/* refused: syntax and names */
	{"export MONGODB_DB=x\n", 0600, 0, "line 1: expected NAME=value", NULL, NULL},
	{"MONGODB_DB = x\n", 0600, 0, "line 1: expected NAME=value", NULL, NULL},
	{"\nMONGODB_DB\n", 0600, 0, "line 2: expected NAME=value", NULL, NULL},
	{"=x\n", 0600, 0, "line 1: expected NAME=value", NULL, NULL},
	{"mongodb_db=x\n", 0600, 0, "line 1: expected NAME=value", NULL, NULL},
	{"MONGODB_DBX=x\n", 0600, 0, "line 1: unknown setting MONGODB_DBX", NULL, NULL},
	{"PATH=/bin\n", 0600, 0, "unknown setting PATH", NULL, NULL},
	{"FCGI_AUTH_SETTINGS_FILE=/x\n", 0600, 0, "unknown setting FCGI_AUTH_SETTINGS_FILE", NULL,
         NULL},
	{"MONGODB_DB=a\nMONGODB_DB=b\n", 0600, 0, "line 2: MONGODB_DB is set twice", NULL, NULL},
	{"MONGODB_DB=\"open\n", 0600, 0, "line 1: unbalanced quote", NULL, NULL},
	{"MONGODB_DB=\"a\"b\"\n", 0600, 0, "line 1: a quote inside a quoted value", NULL, NULL},
	{"MONGODB_DB=a\x01z\n", 0600, 0, "line 1: a control character", NULL, NULL},
};

/* config_load with the file holding text and env set as given. */
static bool
load_with(const char *text, const char *env_name, const char *env_value, struct config *cfg,
          char *err, size_t errlen)
{
	write_file(text, 0600);
	if (env_name)
		setenv(env_name, env_value, 1);
	setenv("FCGI_AUTH_SETTINGS_FILE", file, 1);
	*err = '\0';
	{
		bool ok = config_load(cfg, err, errlen);

		if (env_name)
			unsetenv(env_name);
		return ok;
	}
}

int
main(void)
{
	char err[512], path[4096];
	struct config cfg;
	size_t i;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(file, sizeof file, "%s/fcgi-auth.env", dir);
	unsetenv("BETTER_AUTH_SECRET");
	unsetenv("MONGODB_DB");
	unsetenv("MONGODB_URI");

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		bool ok;

		write_file(r->text, r->mode);
		*err = '\0';
		ok = settings_file_read(file, getuid() + (uid_t)r->owner_delta, config_is_setting,
		                        err, sizeof err);
		if (!r->error) {
			CHECK(ok, "row %zu: refused: %s", i, err);
			if (ok) {
				const char *got = config_value(r->name);

				if (r->value)
					CHECK(got && !strcmp(got, r->value),
					      "row %zu: %s = \"%s\", want \"%s\"", i, r->name,
					      got ? got : "(null)", r->value);
				else
					CHECK(!got, "row %zu: %s = \"%s\", want unset", i, r->name,
					      got);
				CHECK_STR(settings_file_path(), file);
			}
		} else {
			CHECK(!ok && strstr(err, r->error), "row %zu: want \"%s\", got %s \"%s\"",
			      i, r->error, ok ? "accepted" : "refused", err);
			CHECK(!settings_file_path(), "row %zu: a refused file stays in use", i);
			CHECK(!strchr(err, '\n'), "row %zu: the error is one line", i);
			/* The message names the file and never a value. */
			CHECK(strstr(err, file) != NULL, "row %zu: no path in \"%s\"", i, err);
		}
	}

	/* Not a regular file, missing, relative. */
	CHECK(!settings_file_read(dir, getuid(), config_is_setting, err, sizeof err) &&
	              strstr(err, "not a regular file"),
	      "directory: %s", err);
	CHECK(!settings_file_read("/nonexistent/fcgi-auth.env", getuid(), config_is_setting, err,
	                          sizeof err) &&
	              strstr(err, "No such file"),
	      "missing: %s", err);
	CHECK(!settings_file_read("fcgi-auth.env", getuid(), config_is_setting, err, sizeof err) &&
	              strstr(err, "absolute path"),
	      "relative: %s", err);
	/* A value never appears in an error. */
	write_file("BETTER_AUTH_SECRET=" SECRET "\nNOPE=1\n", 0600);
	CHECK(!settings_file_read(file, getuid(), config_is_setting, err, sizeof err) &&
	              !strstr(err, SECRET),
	      "secret in \"%s\"", err);

	/* Through config_load: the file's values are checked as the environment's. */
	CHECK(load_with("BETTER_AUTH_SECRET=" SECRET "\nMONGODB_DB=fromfile\n", NULL, NULL, &cfg,
	                err, sizeof err),
	      "load: %s", err);
	CHECK_STR(cfg.secret, SECRET);
	CHECK_STR(cfg.mongodb_db, "fromfile");
	CHECK_STR(cfg.mongodb_uri, "mongodb://127.0.0.1:27017"); /* default */
	config_cleanup(&cfg);
	CHECK(!settings_file_path(), "config_cleanup forgets the file");
	/* The environment wins ... */
	CHECK(load_with("BETTER_AUTH_SECRET=" SECRET "\nMONGODB_DB=fromfile\n", "MONGODB_DB",
	                "fromenv", &cfg, err, sizeof err),
	      "load: %s", err);
	CHECK_STR(cfg.mongodb_db, "fromenv");
	config_cleanup(&cfg);
	/* ... unless it is empty (the web server configs pass unset ones as ""). */
	CHECK(load_with("BETTER_AUTH_SECRET=" SECRET "\nMONGODB_DB=fromfile\n", "MONGODB_DB", "",
	                &cfg, err, sizeof err),
	      "load: %s", err);
	CHECK_STR(cfg.mongodb_db, "fromfile");
	config_cleanup(&cfg);
	/* Bad values in the file are refused as they would be in the environment. */
	CHECK(!load_with("BETTER_AUTH_SECRET=short\n", NULL, NULL, &cfg, err, sizeof err) &&
	              strstr(err, "BETTER_AUTH_SECRET is too short"),
	      "short secret: %s", err);
	CHECK(!load_with("BETTER_AUTH_SECRET=" SECRET "\nFCGI_AUTH_MAX_BODY=12x\n", NULL, NULL,
	                 &cfg, err, sizeof err) &&
	              strstr(err, "FCGI_AUTH_MAX_BODY must be an integer"),
	      "bad int: %s", err);
	CHECK(!load_with("BETTER_AUTH_SECRET=" SECRET "\nFCGI_AUTH_COOKIE_CACHE=maybe\n", NULL,
	                 NULL, &cfg, err, sizeof err) &&
	              strstr(err, "FCGI_AUTH_COOKIE_CACHE must be 0 or 1"),
	      "bad bool: %s", err);
	CHECK(load_with("BETTER_AUTH_SECRET=" SECRET "\nFCGI_AUTH_SESSION_EXPIRES_IN=60\n"
	                "BETTER_AUTH_URL=\"https://app.example.com\"\n",
	                NULL, NULL, &cfg, err, sizeof err),
	      "load: %s", err);
	CHECK(cfg.expires_in == 60 && cfg.secure_cookies, "expires_in %lld secure %d",
	      (long long)cfg.expires_in, cfg.secure_cookies);
	config_cleanup(&cfg);
	/* A refused file stops config_load, even with everything in the environment. */
	setenv("BETTER_AUTH_SECRET", SECRET, 1);
	write_file("MONGODB_DB=x\n", 0644);
	CHECK(!config_load(&cfg, err, sizeof err) && strstr(err, "mode 0644"), "unsafe file: %s",
	      err);
	unsetenv("BETTER_AUTH_SECRET");

	/* The default file: two folders above the executable's. */
	CHECK(settings_file_default(path, sizeof path), "no default path");
	{
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		char *s;

		exe[n > 0 ? n : 0] = '\0';
		s = strrchr(exe, '/'); /* .../build/tests/test_config */
		if (s)
			*s = '\0';
		s = strrchr(exe, '/');
		if (s)
			*s = '\0';
		s = strrchr(exe, '/');
		if (s)
			s[1] = '\0';
		strncat(exe, "fcgi-auth.env", sizeof exe - strlen(exe) - 1);
		CHECK_STR(path, exe);
	}

	unlink(file);
	rmdir(dir);
	UNIT_END();
}
