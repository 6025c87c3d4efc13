/*
 * changeemail.h — POST /change-email (accounts spec §3.15), off unless
 * FCGI_AUTH_CHANGE_EMAIL=1. Better Auth's four flows, chosen by its options:
 * an unverified address changed at once (FCGI_AUTH_UPDATE_EMAIL_WITHOUT_
 * VERIFICATION), a confirmation to the old address first (FCGI_AUTH_CHANGE_
 * EMAIL_CONFIRMATION, verified users), or a verification link to the new
 * address; an address owned by someone else gets the same answer and no mail.
 */
#ifndef CHANGEEMAIL_H
#define CHANGEEMAIL_H

#include "app.h"

extern const struct body_field changeemail_schema[];

/* The route needs APP_SESSION_DB ("sensitive"). */
enum response_error changeemail_request(struct call *c);

#endif
