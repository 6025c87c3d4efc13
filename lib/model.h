/*
 * model.h — Better Auth's JSON for a user and a session, from a stored
 * document (or a cookie-cache payload): fixed key order, "id" from _id (hex),
 * ObjectIds as hex, dates as ISO strings, absent fields omitted.
 */
#ifndef MODEL_H
#define MODEL_H

#include <bson/bson.h>

/* Key orders (NULL-terminated): the database path, and the cookie cache. */
extern const char *const model_user_keys[];
extern const char *const model_session_keys[];
extern const char *const model_user_cache_keys[];
extern const char *const model_session_cache_keys[];
/* The application's users and profiles documents. */
extern const char *const model_app_user_keys[];
extern const char *const model_profile_keys[];

/* Appends doc as a JSON object with the given key order (at most 16 keys;
 * more aborts). "id" is taken from "_id" when present, else from "id"; of
 * two fields of one name, the first. */
void model_write(bson_string_t *out, const bson_t *doc, const char *const *keys);

/* The user's _id of a user or session document (field "_id" or "userId"). */
bool model_oid(const bson_t *doc, const char *key, bson_oid_t *out);

/* A UTF-8 field's value or NULL; a date field's value (a BSON date, or an
 * ISO string as the cookie cache keeps them) or def. */
const char *model_str(const bson_t *doc, const char *key);
int64_t model_date(const bson_t *doc, const char *key, int64_t def);

/* Ends an answer begun in out with ,"user":{…}} (the user in model_user_keys
 * order). */
void model_append_user(bson_string_t *out, const bson_t *user);

/* An ASCII-lower-cased copy (emails are stored lower-cased); aborts on OOM. */
char *model_lower(const char *s);

#endif
