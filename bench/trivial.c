/*
 * trivial.c — the ceiling of the benchmark: a FastCGI responder that does
 * nothing but answer {"ok":true}, with the programs' own FastCGI layer
 * (lib/fcgi.c), served by lighttpd exactly as the programs are: bench/run.sh
 * installs it under every program's name and starts lighttpd-conf/lighttpd.conf
 * on that directory. Built by bench/run.sh (make build/bench/trivial).
 */
#include "fcgi.h"

#include <signal.h>
#include <unistd.h>

int
main(void)
{
	static const char reply[] = "Status: 200 OK\r\n"
				    "Content-Type: application/json\r\n"
				    "Cache-Control: no-store\r\n"
				    "\r\n"
				    "{\"ok\":true}";
	static struct fcgi_request req;

	signal(SIGPIPE, SIG_IGN);
	fcgi_init(&req, STDIN_FILENO);
	while (fcgi_accept(&req))
		fcgi_finish(&req, reply, sizeof(reply) - 1);
	fcgi_cleanup(&req);
	return 0;
}
