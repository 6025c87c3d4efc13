/*
 * test_ratelimit.c — the client address of a bucket: REMOTE_ADDR unless the
 * peer is a trusted proxy, then the right-most X-Forwarded-For hop that is
 * not one; IPv6 per /64, IPv4-mapped as IPv4; garbage, or an X-Forwarded-For
 * that arrived twice (lighttpd folds X.Forwarded.For, X_Forwarded_For … to the
 * same name), falls back to the peer.
 */
#include "config.h"
#include "ratelimit.h"
#include "request.h"
#include "unit.h"

#include <string.h>

static const struct {
	const char *remote, *xff;
	bool repeated;
	const char *want;
} cases[] = {
	{"192.0.2.1", NULL, false, "192.0.2.1"},
	{"192.0.2.1", "5.6.7.8", false, "192.0.2.1"},           /* untrusted peer: XFF ignored */
	{"127.0.0.1", "5.6.7.8", false, "5.6.7.8"},             /* trusted proxy */
	{"127.0.0.1", "203.0.113.250", false, "203.0.113.250"}, /* every octet width */
	{"127.0.0.1", "100.64.9.0", false, "100.64.9.0"},
	{"127.0.0.1", "9.9.9.9, 5.6.7.8", false, "5.6.7.8"}, /* the left-most hop is the client's */
	{"127.0.0.1", "5.6.7.8, 10.0.0.2", false, "5.6.7.8"}, /* our second proxy skipped */
	{"127.0.0.1", " 5.6.7.8 ", false, "5.6.7.8"},
	{"127.0.0.1", "::ffff:5.6.7.8", false, "5.6.7.8"},
	{"127.0.0.1", "2001:db8:1:2:3:4:5:6", false, "2001:db8:1:2::"},
	{"127.0.0.1", "not-an-ip", false, "127.0.0.1"},
	{"127.0.0.1", "5.6.7.8, junk", false, "127.0.0.1"},
	{"127.0.0.1", "5.6.7.8", true, "127.0.0.1"},   /* two headers: neither */
	{"127.0.0.1", "10.0.0.2", false, "127.0.0.1"}, /* only proxies: the peer */
	{"127.0.0.1", "1.1.1.1,5.6.7.8,10.0.0.2,10.0.0.2", false, "5.6.7.8"}, /* two proxy hops */
	{"127.0.0.1", "5.6.7.8,", false, "127.0.0.1"},     /* an empty right-most hop */
	{"127.0.0.1", "5.6.7.8:4711", false, "127.0.0.1"}, /* a port is not an address */
	{"127.0.0.1", "[2001:db8::1]", false, "127.0.0.1"},
	{"127.0.0.1", "2001:db8:1:2:ffff::1, ::1", false, "2001:db8:1:2::"}, /* IPv6 proxy */
	{"::1", "5.6.7.8", false, "5.6.7.8"},                                /* IPv6 trusted peer */
	/* a mapped peer is not the configured "127.0.0.1": XFF ignored */
	{"::ffff:127.0.0.1", "5.6.7.8", false, "127.0.0.1"},
	{"2001:db8:1:2:a:b:c:d", NULL, false, "2001:db8:1:2::"}, /* peer per /64 too */
	{"::ffff:192.0.2.9", NULL, false, "192.0.2.9"},
	{"127.0.0.1", "5.6.7.8", true, "127.0.0.1"}, /* repeated: the peer */
	{NULL, NULL, false, "no-trusted-ip"},
	{"garbage", NULL, false, "no-trusted-ip"},
};

int
main(void)
{
	struct config cfg;
	char p1[] = "127.0.0.1", p2[] = "10.0.0.2", p3[] = "::1", ip[64];
	size_t i;

	memset(&cfg, 0, sizeof cfg);
	cfg.proxies[0] = p1;
	cfg.proxies[1] = p2;
	cfg.proxies[2] = p3;
	cfg.n_proxies = 3;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct request req;

		memset(&req, 0, sizeof req);
		req.cfg = &cfg;
		req.remote_addr = cases[i].remote;
		req.forwarded_for = cases[i].xff;
		req.forwarded_for_repeated = cases[i].repeated;
		ratelimit_client_ip(&req, ip, sizeof ip);
		CHECK(!strcmp(ip, cases[i].want), "case %zu (%s, %s%s): got %s want %s", i,
		      cases[i].remote ? cases[i].remote : "-", cases[i].xff ? cases[i].xff : "-",
		      cases[i].repeated ? " twice" : "", ip, cases[i].want);
	}
	UNIT_END();
}
