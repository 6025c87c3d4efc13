/*
 * deleteuser.h — Better Auth's user.deleteUser (accounts spec §3.16–§3.17):
 * POST /delete-user (password, token, freshness, or a mailed link with
 * FCGI_AUTH_DELETE_USER_VERIFICATION) and GET /delete-user/callback, the
 * link's target. Off unless FCGI_AUTH_DELETE_USER. Handlers for the `account`
 * program's route table; the app documents follow through hooks.h.
 */
#ifndef DELETEUSER_H
#define DELETEUSER_H

#include "app.h"

/* POST /delete-user: off unless FCGI_AUTH_DELETE_USER (an empty 404); the
 * password, token, mail and freshness rules of §3.16. The route needs
 * APP_SESSION_DB. */
extern const struct body_field deleteuser_schema[];
enum response_error deleteuser_post(struct call *c);

/* GET /delete-user/callback?token=&callbackURL= (§3.17): the query's
 * validation and callbackURL check, then the deletion by a signed-in user. */
bool deleteuser_callback_validate(struct call *c);
enum response_error deleteuser_callback(struct call *c);

#endif
