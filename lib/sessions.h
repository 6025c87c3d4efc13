/*
 * sessions.h — Better Auth's session-management endpoints for the signed-in
 * user: list-sessions, revoke-session, revoke-sessions, revoke-other-sessions
 * and update-session (accounts spec §3.4–§3.8, core §2.5–§2.8). Only ever
 * the caller's own sessions: every delete is filtered by the caller's user id.
 */
#ifndef SESSIONS_H
#define SESSIONS_H

#include "app.h"

/* GET /list-sessions (APP_SESSION | APP_FRESH): the user's live sessions,
 * in storage order, at most 100 (Better Auth's findMany limit). */
enum response_error sessions_list(struct call *c);

/* POST /revoke-session {token} (APP_SESSION_DB): deletes token's session if
 * it is the caller's; the cookies are expired when it is the caller's own
 * current one. Always {"status":true}. */
extern const struct body_field sessions_revoke_schema[];
enum response_error sessions_revoke(struct call *c);

/* POST /revoke-sessions (APP_SESSION_DB): all the user's sessions, cookies
 * expired. */
enum response_error sessions_revoke_all(struct call *c);

/* POST /revoke-other-sessions (APP_SESSION_DB): the user's live sessions but
 * the current one. */
enum response_error sessions_revoke_others(struct call *c);

/* POST /update-session (APP_SESSION): the body must be a record (the
 * validation step, before the session); then, as no session.additionalFields
 * can be configured here, Better Auth's 400 "No fields to update". */
bool sessions_update_validate(struct call *c);
enum response_error sessions_update(struct call *c);

#endif
