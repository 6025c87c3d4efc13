/*
 * model.c — see model.h.
 */
#include "model.h"

#include "json_write.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const model_user_keys[] = {
	"name", "email", "emailVerified", "image", "createdAt", "updatedAt", "id", NULL};
const char *const model_session_keys[] = {"expiresAt", "token",     "createdAt",
                                          "updatedAt", "ipAddress", "userAgent",
                                          "userId",    "id",        NULL};
const char *const model_user_cache_keys[] = {
	"id", "createdAt", "updatedAt", "email", "emailVerified", "name", "image", NULL};
const char *const model_session_cache_keys[] = {"id",        "createdAt", "updatedAt",
                                                "userId",    "expiresAt", "token",
                                                "ipAddress", "userAgent", NULL};

const char *const model_app_user_keys[] = {"id",        "betterAuthUserId", "email", "name",
                                           "createdAt", "updatedAt",        NULL};
const char *const model_profile_keys[] = {"id",        "userId",      "bio",
                                          "avatarUrl", "phoneNumber", "address",
                                          "createdAt", "updatedAt",   NULL};

#define MODEL_MAX_KEYS 16

/* A field found in the pass: where it starts, for bson_iter_t (128-byte
 * aligned) cannot be kept in an array. */
struct model_field {
	uint32_t off, key_len;
	bool found;
};

/* One pass over doc, then the values in key order: looking each key up
 * walked the document once per key. The first field of a name wins, as
 * bson_iter_init_find would have it. */
void
model_write(bson_string_t *out, const bson_t *doc, const char *const *keys)
{
	struct model_field at[MODEL_MAX_KEYS] = {{0, 0, false}}, plain_id = {0, 0, false};
	bson_iter_t it;
	bool first = true;
	size_t n = 0, i;

	while (n < MODEL_MAX_KEYS && keys[n])
		n++;
	BSON_ASSERT(!keys[n]);
	if (bson_iter_init(&it, doc))
		while (bson_iter_next(&it)) {
			const char *k = bson_iter_key(&it);
			struct model_field *f = NULL;

			for (i = 0; i < n && !f; i++) {
				if (at[i].found)
					continue;
				if (!strcmp(keys[i], "id")) {
					/* "id" is _id when there is one, else a field "id". */
					if (!strcmp(k, "_id"))
						f = &at[i];
					else if (!plain_id.found && !strcmp(k, "id"))
						f = &plain_id;
				} else if (!strcmp(k, keys[i])) {
					f = &at[i];
				}
			}
			if (f)
				*f = (struct model_field){bson_iter_offset(&it),
				                          bson_iter_key_len(&it), true};
		}
	bson_string_append_c(out, '{');
	for (i = 0; i < n; i++) {
		const struct model_field *f = at[i].found              ? &at[i]
		                              : !strcmp(keys[i], "id") ? &plain_id
		                                                       : NULL;

		if (!f || !f->found ||
		    !bson_iter_init_from_data_at_offset(&it, bson_get_data(doc), doc->len, f->off,
		                                        f->key_len))
			continue;
		json_write_key(out, keys[i], first);
		json_write_value(out, &it);
		first = false;
	}
	bson_string_append_c(out, '}');
}

bool
model_oid(const bson_t *doc, const char *key, bson_oid_t *out)
{
	bson_iter_t it;

	if (!bson_iter_init_find(&it, doc, key))
		return false;
	if (BSON_ITER_HOLDS_OID(&it)) {
		bson_oid_copy(bson_iter_oid(&it), out);
		return true;
	}
	if (BSON_ITER_HOLDS_UTF8(&it)) {
		const char *s = bson_iter_utf8(&it, NULL);

		if (bson_oid_is_valid(s, strlen(s)) && strlen(s) == 24) {
			bson_oid_init_from_string(out, s);
			return true;
		}
	}
	return false;
}

const char *
model_str(const bson_t *doc, const char *key)
{
	bson_iter_t it;

	if (bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_UTF8(&it))
		return bson_iter_utf8(&it, NULL);
	return NULL;
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" (Date.toISOString, as the cookie cache keeps
 * dates) into epoch ms; false for anything else. */
static bool
model_parse_iso(const char *s, int64_t *ms)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, milli, n = 0;

	if (strlen(s) != 24 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &y, &mo, &d, &h, &mi, &sec, &milli, &n) !=
	            7 ||
	    n != 24)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ms = (int64_t)timegm(&tm) * 1000 + milli;
	return true;
}

int64_t
model_date(const bson_t *doc, const char *key, int64_t def)
{
	bson_iter_t it;
	int64_t ms;

	if (!bson_iter_init_find(&it, doc, key))
		return def;
	if (BSON_ITER_HOLDS_DATE_TIME(&it))
		return bson_iter_date_time(&it);
	if (BSON_ITER_HOLDS_UTF8(&it) && model_parse_iso(bson_iter_utf8(&it, NULL), &ms))
		return ms;
	return def;
}

void
model_append_user(bson_string_t *out, const bson_t *user)
{
	bson_string_append(out, ",\"user\":");
	model_write(out, user, model_user_keys);
	bson_string_append_c(out, '}');
}

char *
model_lower(const char *s)
{
	char *out = xstrdup(s), *p;
	for (p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}
