/*
 * url.c — see url.h.
 */
#include "url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
url_origin(const char *url, size_t n)
{
	const char *p, *end = url + n, *host, *host_end, *port = NULL;
	char *out, scheme[6];
	size_t slen, i;
	long portnum = -1;

	p = memchr(url, ':', n);
	if (!p || p == url || (size_t)(p - url) >= sizeof(scheme))
		return NULL;
	slen = (size_t)(p - url);
	for (i = 0; i < slen; i++)
		scheme[i] = (char)tolower((unsigned char)url[i]);
	scheme[slen] = '\0';
	if (strcmp(scheme, "http") && strcmp(scheme, "https"))
		return NULL;
	if (end - p < 3 || p[1] != '/' || p[2] != '/')
		return NULL;
	host = p + 3;
	for (host_end = host; host_end < end && !strchr("/?#\\", *host_end); host_end++)
		;
	/* userinfo@ is not part of the origin */
	for (p = host_end; p > host; p--)
		if (p[-1] == '@') {
			host = p;
			break;
		}
	if (host < host_end && *host == '[') {
		p = memchr(host, ']', (size_t)(host_end - host));
		if (!p)
			return NULL;
		if (p + 1 < host_end) {
			if (p[1] != ':')
				return NULL;
			port = p + 2;
		}
		p++;
	} else {
		p = memchr(host, ':', (size_t)(host_end - host));
		if (p)
			port = p + 1;
		else
			p = host_end;
	}
	if (p == host)
		return NULL;
	for (i = 0; host + i < p; i++) {
		unsigned char c = (unsigned char)host[i];

		if (c <= 0x20 || c >= 0x7f || strchr("<>^|%\"'`{}", c))
			return NULL;
	}
	if (port && port < host_end) {
		const char *q;

		portnum = 0;
		for (q = port; q < host_end; q++) {
			if (!isdigit((unsigned char)*q) || portnum > 65535)
				return NULL;
			portnum = portnum * 10 + (*q - '0');
		}
		if (portnum > 65535)
			return NULL;
		if ((!strcmp(scheme, "http") && portnum == 80) ||
		    (!strcmp(scheme, "https") && portnum == 443))
			portnum = -1;
	}
	if (portnum >= 0) {
		if (asprintf(&out, "%s://%.*s:%ld", scheme, (int)(p - host), host, portnum) < 0)
			abort();
	} else if (asprintf(&out, "%s://%.*s", scheme, (int)(p - host), host) < 0) {
		abort();
	}
	for (i = slen + 3; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return out;
}
