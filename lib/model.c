/*
 * model.c — see model.h.
 */
#include "model.h"

#include "json_write.h"

#include <string.h>

const char *const model_user_keys[] = {"name", "email", "emailVerified", "image",
                                       "createdAt", "updatedAt", "id", NULL};
const char *const model_session_keys[] = {"expiresAt", "token", "createdAt", "updatedAt",
                                          "ipAddress", "userAgent", "userId", "id", NULL};
const char *const model_user_cache_keys[] = {"id", "createdAt", "updatedAt", "email",
                                             "emailVerified", "name", "image", NULL};
const char *const model_session_cache_keys[] = {"id", "createdAt", "updatedAt", "userId",
                                                "expiresAt", "token", "ipAddress", "userAgent",
                                                NULL};

const char *const model_app_user_keys[] = {"id", "betterAuthUserId", "email", "name",
                                           "createdAt", "updatedAt", NULL};
const char *const model_profile_keys[] = {"id", "userId", "bio", "avatarUrl", "phoneNumber",
                                          "address", "createdAt", "updatedAt", NULL};

void
model_write(bson_string_t *out, const bson_t *doc, const char *const *keys)
{
	bson_iter_t it;
	bool first = true;

	bson_string_append_c(out, '{');
	for (; *keys; keys++) {
		if (!strcmp(*keys, "id")) {
			if (!bson_iter_init_find(&it, doc, "_id") && !bson_iter_init_find(&it, doc, "id"))
				continue;
		} else if (!bson_iter_init_find(&it, doc, *keys)) {
			continue;
		}
		json_write_key(out, *keys, first);
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

int64_t
model_date(const bson_t *doc, const char *key, int64_t def)
{
	bson_iter_t it;

	if (bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_DATE_TIME(&it))
		return bson_iter_date_time(&it);
	return def;
}
