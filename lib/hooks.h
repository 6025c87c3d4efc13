/*
 * hooks.h — what a program adds to Better Auth's flows without the flows
 * knowing it, as Better Auth's databaseHooks do: sign-up calls the
 * user-created hook, user deletion the user-deleted hook. A program sets
 * the hooks it wants before app_run (signup links the app's users/profiles
 * documents). One hook of each kind; NULL for none.
 */
#ifndef HOOKS_H
#define HOOKS_H

#include <bson/bson.h>
#include <stdint.h>

/* Called with the new (or deleted) user document; must not fail the flow
 * (log instead). */
typedef void (*hooks_user_fn)(const bson_t *user, int64_t now_ms);

void hooks_set_user_created(hooks_user_fn fn);
void hooks_set_user_deleted(hooks_user_fn fn);

/* Run the hook when one is set. */
void hooks_user_created(const bson_t *user, int64_t now_ms);
void hooks_user_deleted(const bson_t *user, int64_t now_ms);

#endif
