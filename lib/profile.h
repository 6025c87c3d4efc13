/*
 * profile.h — the application's records linked to the auth user: the `users`
 * document (keyed by betterAuthUserId) and its `profiles` document. The
 * signed-in user comes only from the verified session cookie, never from a
 * header, body or query field.
 */
#ifndef PROFILE_H
#define PROFILE_H

#include "request.h"
#include "response.h"

#include <bson/bson.h>
#include <stdint.h>

/* POST /api/auth/sync-user: creates or updates the app user from the auth
 * user (email, name) and makes sure the profile exists.
 * 200 {"success":true,"user":{…},"profile":{…}}; 401 without a session. */
void profile_sync_user(struct request *req, struct response *res);

/* GET /api/user/me: {"user","profile"}, creating them first when missing.
 * PATCH /api/user/me: updates bio, avatarUrl, phoneNumber, address only;
 * anything else is a 400 VALIDATION_ERROR naming the field. */
void profile_me(struct request *req, struct response *res);

/* Sign-up's step: creates the app user and profile of a new auth user.
 * Best effort: a failure is logged, and the next sync-user or me repairs it.
 * Returns the db_status. */
int profile_link_new_user(const bson_t *auth_user, int64_t now_ms);

#endif
