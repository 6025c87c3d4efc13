/*
 * signout.h — POST /sign-out (spec §2.4): the session deleted, its cookies
 * expired; {"success":true} whether or not there was one.
 */
#ifndef SIGNOUT_H
#define SIGNOUT_H

#include "app.h"

enum response_error signout_handle(struct call *c);

#endif
