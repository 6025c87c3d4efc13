#!/bin/sh
# fcgi-pool.sh N PROGRAM [ARG...]: N processes of a FastCGI program sharing
# the listening socket it is given on fd 0 (as spawn-fcgi -F N starts them,
# or systemd socket units, README "mod_proxy_fcgi"), each started again when
# it exits. spawn-fcgi opens the socket:
#
#   spawn-fcgi -n -a 127.0.0.1 -p 9002 -- scripts/fcgi-pool.sh 4 build/cgi-bin/signin
#
# A process serves one request at a time, so N processes are N requests in
# hand at once; the others wait in the socket's queue. SIGTERM or SIGINT
# stops them all. Used by scripts/run.sh and tests/lib/stack.mjs.
set -u
n=$1
shift
exec 3<&0 # background jobs would get /dev/null on fd 0
pids=""
stop() {
	trap - TERM INT
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait
	exit 0
}
trap stop TERM INT
i=0
while [ "$i" -lt "$n" ]; do
	(
		child=""
		# Wait for it too: a process this shell leaves unreaped would linger
		# as a zombie until whatever adopts it reaps it.
		trap '[ -n "$child" ] && kill "$child" 2>/dev/null && wait "$child"; exit 0' TERM INT
		while :; do
			"$@" 0<&3 3<&- &
			child=$!
			wait "$child"
			sleep 0.2
		done
	) &
	pids="$pids $!"
	i=$((i + 1))
done
exec 0</dev/null 3<&-
wait
