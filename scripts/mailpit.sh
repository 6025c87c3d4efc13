#!/usr/bin/env bash
# Starts Mailpit (an SMTP server that keeps what it receives, with an HTTP API
# and web inbox) on 127.0.0.1:<smtp-port> and 127.0.0.1:<http-port>, in the
# background; prints its PID. Waits until both ports accept connections (max 15 s).
# Usage: scripts/mailpit.sh <smtp-port> <http-port> <logfile> [mailpit flags…]
# (e.g. --smtp-auth-accept-any --smtp-auth-allow-insecure to take any login).
#
# Kept local: loopback only, no version check (never run `mailpit version`: it
# asks GitHub), no reverse DNS of SMTP clients; the messages live in a temporary
# SQLite file in $TMPDIR that Mailpit deletes on SIGTERM/SIGINT. Mail is never
# relayed or forwarded (no --smtp-relay-* / --smtp-forward-* / webhook flags).
#
# Sendmail mode, for FCGI_AUTH_SENDMAIL:
#   .deps/bin/mailpit sendmail -S 127.0.0.1:<smtp-port> -t -i
# reads one message on stdin (-t -i are accepted and ignored: it always takes
# the recipients from To/Cc/Bcc) and submits it to that SMTP port.
set -eu
smtp=$1 http=$2 log=$3
shift 3
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/.deps/bin/mailpit" --smtp="127.0.0.1:$smtp" --listen="127.0.0.1:$http" \
	--disable-version-check --smtp-disable-rdns --block-remote-css-and-fonts \
	--log-file="$log" "$@" >>"$log" 2>&1 </dev/null &
pid=$!
i=0
for port in "$smtp" "$http"; do
	while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 150 ] || ! kill -0 $pid 2>/dev/null; then
			echo "mailpit: did not start on ports $smtp/$http; log: $log" >&2
			kill $pid 2>/dev/null || true
			exit 1
		fi
		sleep 0.1
	done
done
echo $pid
