/*
 * profile.h — the application's records linked to the auth user: the `users`
 * document (keyed by betterAuthUserId) and its `profiles` document. The
 * signed-in user comes only from the verified session cookie (the route's
 * APP_USER), never from a header, body or query field. Answers carry
 * Cache-Control: no-store.
 */
#ifndef PROFILE_H
#define PROFILE_H

#include "app.h"

#include <bson/bson.h>
#include <stdint.h>

/* POST /api/auth/sync-user: creates or updates the app user from the auth
 * user (email, name) and makes sure the profile exists.
 * 200 {"success":true,"user":{…},"profile":{…}}. */
enum response_error profile_sync_user(struct call *c);

/* GET /api/user/me: {"user","profile"}, creating them first when missing. */
enum response_error profile_me_get(struct call *c);

/* PATCH /api/user/me: updates bio, avatarUrl, phoneNumber, address only;
 * anything else is a 400 VALIDATION_ERROR naming the field (the route's
 * validation step, before the session is looked at). */
bool profile_me_validate(struct call *c);
enum response_error profile_me_patch(struct call *c);

/* The user-created hook (hooks.h) of sign-up: creates the app user and
 * profile of a new auth user. Best effort: a failure is logged, and the next
 * sync-user or me repairs it. */
void profile_on_user_created(const bson_t *auth_user, int64_t now_ms);

#endif
