/*
 * settings_file.c — see settings_file.h.
 */
#include "settings_file.h"

#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One NAME=value line: both point into the file's text, split in place. */
struct settings_file_pair {
	const char *name, *value;
};

/* The settings file in use. Its text is wiped when replaced. */
static struct {
	bool loaded;         /* settings_file_read ran (successfully or not) */
	char path[PATH_MAX]; /* "" when there is no file */
	char *text;
	size_t text_len;
	struct settings_file_pair *pairs; /* one per line at most */
	size_t n_pairs;
} settings;

void
settings_file_forget(void)
{
	if (settings.text) {
		explicit_bzero(settings.text, settings.text_len);
		free(settings.text);
	}
	free(settings.pairs);
	memset(&settings, 0, sizeof settings);
}

const char *
settings_file_value(const char *name)
{
	size_t i;

	for (i = 0; i < settings.n_pairs; i++)
		if (!strcmp(settings.pairs[i].name, name))
			return settings.pairs[i].value;
	return NULL;
}

/* Splits the file's text in place: NAME=value lines, '#' comments, blank
 * lines, CRLF tolerated; a value in one pair of matching quotes is taken
 * without them, an unquoted one without surrounding blanks; no expansion. */
static bool
settings_file_parse(const char *path, char *text, bool (*is_setting)(const char *, size_t),
                    char *err, size_t errlen)
{
	char *line = text, *next;
	unsigned lineno = 0;
	size_t lines = 1;

	for (next = text; (next = strchr(next, '\n')) != NULL; next++)
		lines++;
	settings.pairs = xcalloc(lines, sizeof settings.pairs[0]);

	for (; line; line = next) {
		char *eq, *v, *end, *p;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		end = line + strlen(line);
		if (end > line && end[-1] == '\r')
			*--end = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		for (p = line; p < end; p++)
			if ((unsigned char)*p < 0x20 && *p != '\t') {
				snprintf(err, errlen, "%s line %u: a control character", path,
				         lineno);
				return false;
			}
		eq = strchr(line, '=');
		for (p = line; eq && p < eq; p++)
			if (!(isupper((unsigned char)*p) || *p == '_' ||
			      (p > line && isdigit((unsigned char)*p))))
				break;
		if (!eq || eq == line || p != eq) {
			snprintf(err, errlen,
			         "%s line %u: expected NAME=value (no spaces, no \"export\")", path,
			         lineno);
			return false;
		}
		if (!is_setting(line, (size_t)(eq - line))) {
			snprintf(err, errlen, "%s line %u: unknown setting %.*s", path, lineno,
			         (int)(eq - line > 64 ? 64 : eq - line), line);
			return false;
		}
		*eq = '\0';
		if (settings_file_value(line)) {
			snprintf(err, errlen, "%s line %u: %s is set twice", path, lineno, line);
			return false;
		}
		v = eq + 1;
		if (end - v >= 2 && (*v == '"' || *v == '\'') && end[-1] == *v) {
			char quote = *v++;

			*--end = '\0';
			if (strchr(v, quote)) {
				snprintf(err, errlen, "%s line %u: a quote inside a quoted value",
				         path, lineno);
				return false;
			}
		} else {
			while (*v == ' ' || *v == '\t')
				v++;
			while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
				*--end = '\0';
			if (*v == '"' || *v == '\'' ||
			    (end > v && (end[-1] == '"' || end[-1] == '\''))) {
				snprintf(err, errlen, "%s line %u: unbalanced quote", path, lineno);
				return false;
			}
		}
		settings.pairs[settings.n_pairs].name = line;
		settings.pairs[settings.n_pairs++].value = v;
	}
	return true;
}

bool
settings_file_read(const char *path, uid_t owner, bool (*is_setting)(const char *, size_t),
                   char *err, size_t errlen)
{
	struct stat st;
	int fd = -1;
	ssize_t got;
	bool ok = false;

	settings_file_forget();
	settings.loaded = true;
	if (strlen(path) >= sizeof settings.path || path[0] != '/') {
		snprintf(err, errlen, "FCGI_AUTH_SETTINGS_FILE must be an absolute path");
		goto done;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "settings file %s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "settings file %s is not a regular file", path);
		goto done;
	}
	if (st.st_uid != owner) {
		snprintf(err, errlen,
		         "settings file %s belongs to uid %ld, not to the user the programs run as "
		         "(uid %ld): it holds the secret",
		         path, (long)st.st_uid, (long)owner);
		goto done;
	}
	if (st.st_mode & (S_IRWXO | S_IWGRP)) {
		snprintf(err, errlen,
		         "settings file %s has mode %04o: it holds the secret, so nobody but its "
		         "owner may write it and other users may not read it (chmod 600)",
		         path, (unsigned)(st.st_mode & 07777));
		goto done;
	}
	if (st.st_size > SETTINGS_FILE_MAX) {
		snprintf(err, errlen, "settings file %s is larger than %d bytes", path,
		         SETTINGS_FILE_MAX);
		goto done;
	}
	settings.text_len = (size_t)st.st_size + 1;
	settings.text = xcalloc(1, settings.text_len);
	got = read(fd, settings.text, settings.text_len - 1);
	if (got != st.st_size) {
		snprintf(err, errlen, "settings file %s: cannot read it", path);
		goto done;
	}
	if (memchr(settings.text, '\0', (size_t)got)) {
		snprintf(err, errlen, "settings file %s holds a NUL byte", path);
		goto done;
	}
	snprintf(settings.path, sizeof settings.path, "%s", path);
	ok = settings_file_parse(path, settings.text, is_setting, err, errlen);
done:
	if (fd >= 0)
		close(fd);
	if (!ok) {
		settings_file_forget();
		settings.loaded = true;
	}
	return ok;
}

bool
settings_file_default(char *path, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;
	int i;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	for (i = 0; i < 2; i++) {
		slash = strrchr(exe, '/');
		if (!slash || slash == exe)
			return false;
		*slash = '\0';
	}
	slash = strrchr(exe, '/');
	if (!slash)
		return false;
	slash[1] = '\0';
	return (size_t)snprintf(path, len, "%s%s", exe, SETTINGS_FILE_NAME) < len;
}

bool
settings_file_load(const char *path, bool (*is_setting)(const char *, size_t), char *err,
                   size_t errlen)
{
	char def[PATH_MAX];
	struct stat st;

	if (path && *path)
		return settings_file_read(path, geteuid(), is_setting, err, errlen);
	if (settings_file_default(def, sizeof def) && lstat(def, &st) == 0)
		return settings_file_read(def, geteuid(), is_setting, err, errlen);
	settings_file_forget();
	settings.loaded = true;
	return true;
}

bool
settings_file_is_loaded(void)
{
	return settings.loaded;
}

const char *
settings_file_path(void)
{
	return settings.path[0] ? settings.path : NULL;
}
