/*
 * jwt.h — Better Auth's e-mail verification token (spec accounts §4.1): a
 * compact JWS, HS256 keyed with the secret's bytes (crypto_hmac, so
 * crypto_init must have run), payload {email, updateTo?, requestType?,
 * userId?, iat, exp} in that order. Verification follows jose 6's
 * jwtVerify(token, secret, {algorithms: ["HS256"]}) rule for rule, then Better
 * Auth's zod check of the payload, so a token verifies here exactly when it
 * verifies on a Better Auth server with the same secret.
 */
#ifndef JWT_H
#define JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longer tokens are JWT_INVALID before anything is decoded. Better Auth's
 * are ~300 characters. */
#define JWT_MAX_LEN 4096

enum jwt_status {
	JWT_OK = 0,
	JWT_INVALID,    /* not 3 segments, bad base64url or JSON, alg not HS256, crit,
	                    b64:false, bad signature, iat/nbf/exp not numbers, nbf in
	                    the future: verify-email's INVALID_TOKEN */
	JWT_EXPIRED,    /* exp <= floor(now_ms / 1000): TOKEN_EXPIRED */
	JWT_BAD_PAYLOAD /* correctly signed, but email is not a zod email or
	                    updateTo/requestType/userId is not a string: Better
	                    Auth's 500 with an empty body */
};

/* The payload's fields. Strings are malloc'd, NULL when absent. */
struct jwt_claims {
	char *email;
	char *update_to;    /* change-email tokens. Better Auth tests it for
	                        truthiness: "" means a plain token */
	char *request_type; /* "change-email-verification" | "change-email-confirmation" */
	char *user_id;
	bool has_exp;    /* a token without exp never expires */
	double iat, exp; /* seconds; 0 when absent */
};

/* The token Better Auth's createEmailVerificationToken makes at now_ms:
 * email and update_to lower-cased (ASCII: both are zod emails), iat =
 * floor(now_ms / 1000), exp = iat + expires_in. update_to, request_type and
 * user_id may be NULL (left out). Returns a malloc'd NUL-terminated token;
 * the caller frees it. */
char *jwt_format(const char *email, const char *update_to, const char *request_type,
                 const char *user_id, int64_t now_ms, int64_t expires_in);

/* Verifies token[0..len) at now_ms. *out is always initialised (zeroed);
 * it is filled only on JWT_OK, and then freed with jwt_claims_cleanup. */
enum jwt_status jwt_verify(const char *token, size_t len, int64_t now_ms, struct jwt_claims *out);

void jwt_claims_cleanup(struct jwt_claims *c);

#endif
