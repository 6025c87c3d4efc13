/*
 * unit_tmp.h — a private temporary directory for the unit tests that read
 * files (mail templates): made under /tmp, filled file by file, removed.
 */
#ifndef UNIT_TMP_H
#define UNIT_TMP_H

#include "unit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A new directory /tmp/<prefix>-XXXXXX into dir; false (a failed CHECK) when
 * none could be made. */
static bool
unit_tmp_make(char dir[64], const char *prefix)
{
	snprintf(dir, 64, "/tmp/%.40s-XXXXXX", prefix);
	if (mkdtemp(dir))
		return true;
	CHECK(false, "mkdtemp %s", dir);
	return false;
}

/* Writes content to <dir>/<name>. */
static void
unit_tmp_write(const char *dir, const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f != NULL, "cannot write %s", path);
	if (!f)
		return;
	fputs(content, f);
	fclose(f);
}

/* Removes dir and everything in it. */
static void
unit_tmp_remove(const char *dir)
{
	char cmd[96];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0, "rm %s", dir);
}

#endif
