/*
 * fuzz_cookie_header.c — a Cookie request header of arbitrary bytes (as the
 * NUL-terminated string HTTP_COOKIE is): cookie_get and cookie_has_chunks
 * for the session token's names. Invariants:
 *   - a found cookie is also seen by cookie_has_chunks;
 *   - the value is no longer than the header;
 *   - a value that is UTF-8 survives cookie_encode and a second cookie_get
 *     unchanged (encodeURIComponent / decodeURIComponent round trip).
 */
#include "cookie.h"
#include "fuzz.h"

#include <string.h>

static const char *const names[] = {
	"better-auth.session_token",
	"__Secure-better-auth.session_token",
	"better-auth.session_data",
};

static void
check_name(const char *header, size_t header_len, const char *name)
{
	char *v = cookie_get(header, name);
	bool chunks = cookie_has_chunks(header, name);

	if (!v)
		return;
	FUZZ_CHECK(chunks);
	FUZZ_CHECK(strlen(v) <= header_len);
	if (fuzz_utf8_valid(v, strlen(v))) {
		bson_string_t *h = bson_string_new(name);
		char *again;

		bson_string_append_c(h, '=');
		cookie_encode(h, v);
		again = cookie_get(h->str, name);
		FUZZ_CHECK(again && strcmp(again, v) == 0);
		free(again);
		bson_string_free(h, true);
	}
	free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = fuzz_cstr(data, size);
	size_t len = strlen(header), i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		check_name(header, len, names[i]);
	FUZZ_CHECK(cookie_get(NULL, names[0]) == NULL);
	FUZZ_CHECK(!cookie_has_chunks(NULL, names[0]));
	free(header);
	return 0;
}
