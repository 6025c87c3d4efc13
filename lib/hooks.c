/*
 * hooks.c — see hooks.h.
 */
#include "hooks.h"

#include <stddef.h>

static hooks_user_fn hooks_created, hooks_deleted;

void
hooks_set_user_created(hooks_user_fn fn)
{
	hooks_created = fn;
}

void
hooks_set_user_deleted(hooks_user_fn fn)
{
	hooks_deleted = fn;
}

void
hooks_user_created(const bson_t *user, int64_t now_ms)
{
	if (hooks_created)
		hooks_created(user, now_ms);
}

void
hooks_user_deleted(const bson_t *user, int64_t now_ms)
{
	if (hooks_deleted)
		hooks_deleted(user, now_ms);
}
