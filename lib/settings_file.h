/*
 * settings_file.h — the settings file (FCGI_AUTH_SETTINGS_FILE): lines
 * NAME=value, '#' comments and blank lines, no shell expansion, kept 0600
 * outside the document root because it holds the secret. One file is in use
 * per process; config.c says which names it may hold and looks values up.
 *
 * It must be a regular file of the user the programs run as, not writable by
 * its group, and neither readable nor writable by others; anything else is
 * refused (and then no file is in use).
 */
#ifndef SETTINGS_FILE_H
#define SETTINGS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SETTINGS_FILE_MAX 65536            /* bytes of a settings file */
#define SETTINGS_FILE_NAME "fcgi-auth.env" /* the default file's name */

/* Reads path as the file in use, checking it belongs to uid owner with a
 * safe mode; is_setting(name, len) says which names it may set. False with
 * one line in err (the path, the line number; never a value) on an unsafe
 * file, a name is_setting refuses, a repeated name or a malformed line, and
 * then no file is in use. */
bool settings_file_read(const char *path, uid_t owner,
                        bool (*is_setting)(const char *name, size_t len), char *err, size_t errlen);

/* Reads path (the value of FCGI_AUTH_SETTINGS_FILE) when non-empty, else the
 * default file (settings_file_default) when it exists, as the effective user;
 * neither: no file, true. false with one line in err as settings_file_read. */
bool settings_file_load(const char *path, bool (*is_setting)(const char *name, size_t len),
                        char *err, size_t errlen);

/* True once settings_file_read or _load ran (whether or not it succeeded),
 * until settings_file_forget. */
bool settings_file_is_loaded(void);

/* The value the file in use gives name ("" for NAME=), or NULL when it does
 * not set it or no file is in use. Valid until the next read or forget. */
const char *settings_file_value(const char *name);

/* The file in use, or NULL. */
const char *settings_file_path(void);

/* Wipes and forgets the file in use (its text holds the secret). */
void settings_file_forget(void);

/* The default settings file of this executable in path: fcgi-auth.env in the
 * folder two levels above the program's own (the folder holding the document
 * root, for programs in <document root>/fcgi-auth/); false when it has none
 * (a program less than two folders below /). */
bool settings_file_default(char *path, size_t len);

#endif
