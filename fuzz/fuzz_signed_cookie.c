/*
 * fuzz_signed_cookie.c — arbitrary input as a signed cookie value and as a
 * session_data (cookie cache) value, under the test vectors' secret:
 *   - cookie_verify(input): an accepted value is the input's text before its
 *     last '.', and re-signing it verifies again;
 *   - session_cache_decode(input, token, now): an accepted cache carries the
 *     token, and leaves valid BSON; a refused one leaves both outputs empty.
 * The input is also read as a Cookie header, so URL-encoded, quoted and
 * double-encoded values reach the same checks the way the endpoints see them.
 */
#include "cookie.h"
#include "crypto.h"
#include "fuzz.h"
#include "session_cache.h"

#include <string.h>

#define SECRET "test-secret-0123456789abcdefghijklmnop"
#define TOKEN "abcdefghijklmnopqrstuvwxyz012345"
/* One minute after the test vector's issue time (2025-01-01T00:00:00Z). */
#define NOW_MS INT64_C(1735689660000)

static void
check_verify(const char *value)
{
	char *u = cookie_verify(value), *again, *resigned;
	size_t n;

	if (!u)
		return;
	n = strlen(u);
	FUZZ_CHECK(n > 0 && strncmp(value, u, n) == 0 && value[n] == '.');
	FUZZ_CHECK(strchr(value + n + 1, '.') == NULL);
	FUZZ_CHECK(strlen(value + n + 1) == 44);
	resigned = cookie_sign(u);
	again = cookie_verify(resigned);
	FUZZ_CHECK(again && strcmp(again, u) == 0);
	free(again);
	free(resigned);
	free(u);
}

static void
check_cache(const char *value)
{
	bson_t session = BSON_INITIALIZER, user = BSON_INITIALIZER;
	bson_iter_t it;
	size_t off;

	if (session_cache_decode(value, TOKEN, NOW_MS, &session, &user)) {
		FUZZ_CHECK(bson_iter_init_find(&it, &session, "token") &&
		           BSON_ITER_HOLDS_UTF8(&it));
		FUZZ_CHECK(strcmp(bson_iter_utf8(&it, NULL), TOKEN) == 0);
		FUZZ_CHECK(bson_validate(&session, BSON_VALIDATE_UTF8, &off));
		FUZZ_CHECK(bson_validate(&user, BSON_VALIDATE_UTF8, &off));
	} else {
		FUZZ_CHECK(bson_empty(&session) && bson_empty(&user));
	}
	bson_destroy(&session);
	bson_destroy(&user);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	char *input = fuzz_cstr(data, size), *v;

	if (!ready) {
		if (!crypto_init(SECRET, strlen(SECRET)))
			abort();
		ready = true;
	}
	check_verify(input);
	check_cache(input);
	if ((v = cookie_get(input, "better-auth.session_token"))) {
		check_verify(v);
		free(v);
	}
	if ((v = cookie_get(input, "better-auth.session_data"))) {
		check_cache(v);
		free(v);
	}
	free(input);
	return 0;
}
