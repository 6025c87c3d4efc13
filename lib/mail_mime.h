/*
 * mail_mime.h — one mail as an RFC 5322 + MIME message: Date, a random
 * Message-ID, From, To (with display names), Subject (RFC 2047
 * encoded-words when not short printable ASCII), MIME-Version,
 * Auto-Submitted, and a multipart/alternative body of a text/plain and a
 * text/html part, both UTF-8 and quoted-printable; CRLF line ends, no line
 * over 76 characters (header lines over 78 only for an address that long).
 * Nothing reaches a header unencoded: addresses must pass
 * mail_mime_is_address, and control characters in names become spaces.
 */
#ifndef MAIL_MIME_H
#define MAIL_MIME_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stdint.h>

/* What a message is made of. Strings are UTF-8; names may be NULL (none);
 * the addresses must pass mail_mime_is_address. */
struct mail_mime_parts {
	const char *from_name, *from_addr;
	const char *to_name, *to_addr;
	const char *id_domain; /* the Message-ID's domain: the From address's */
	const char *subject, *text, *html;
};

/* The message of p dated now_ms (ms since the epoch), with a new random
 * Message-ID and boundary: a new bson_string_t (caller frees with
 * bson_string_free(s, true)). */
bson_string_t *mail_mime_build(const struct mail_mime_parts *p, int64_t now_ms);

/* True when s is an address we send to: local@domain, ASCII, the local part
 * a dot-atom (RFC 5322 atext and inner dots, at most 64), the domain
 * LDH labels separated by dots, at most 254 in all. */
bool mail_mime_is_address(const char *s);

#endif
