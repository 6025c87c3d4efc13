/*
 * trivial.c — the ceiling of the benchmark: a FastCGI responder that does
 * nothing but answer {"ok":true}, served by lighttpd exactly as the real
 * programs are (bench/lighttpd-trivial.conf). Built by bench/run.sh:
 *   cc -O2 -o trivial bench/trivial.c -lfcgi
 */
#include <fcgiapp.h>

int
main(void)
{
	static const char reply[] = "Status: 200 OK\r\n"
				    "Content-Type: application/json\r\n"
				    "Cache-Control: no-store\r\n"
				    "\r\n"
				    "{\"ok\":true}";
	FCGX_Request req;

	if (FCGX_Init() != 0)
		return 1;
	FCGX_InitRequest(&req, 0, 0);
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(reply, (int)sizeof(reply) - 1, req.out);
		FCGX_Detach(&req); /* the same plain close() as our programs (lib/app.c) */
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return 0;
}
