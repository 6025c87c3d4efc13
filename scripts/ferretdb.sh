#!/usr/bin/env bash
# Starts FerretDB (SQLite backend) on 127.0.0.1:<port> with its data and its
# state file (state.json) in <dir>, in the background; prints its PID. Waits
# until it accepts connections (max 15 s).
# With FERRETDB_POSTGRESQL_URL set, the PostgreSQL backend at that URL instead
# (`make bench STORE=postgresql`); <dir> then holds only the state file.
# With --listen-unix=PATH among the more options it also listens on that Unix
# socket and the wait covers it too; <port> "-": the Unix socket only, no TCP
# listener (`BENCH_STORE_ADDR=unix ./bench/run.sh`).
# Usage: scripts/ferretdb.sh <port|-> <dir> <logfile> [more ferretdb options]
set -eu
port=$1 dir=$2 log=$3
shift 3
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
backend=(--handler=sqlite "--sqlite-url=file:$dir/")
[ -n "${FERRETDB_POSTGRESQL_URL:-}" ] &&
	backend=(--handler=postgresql "--postgresql-url=$FERRETDB_POSTGRESQL_URL")
unix=""
for o in "$@"; do
	case $o in --listen-unix=?*) unix=${o#--listen-unix=} ;; esac
done
listen="--listen-addr=127.0.0.1:$port"
if [ "$port" = - ]; then
	[ -n "$unix" ] || { echo "ferretdb: port - needs --listen-unix=PATH" >&2; exit 1; }
	listen="--listen-addr="
fi
# A socket left by an earlier run would make FerretDB fail and pass the wait below.
[ -n "$unix" ] && [ -S "$unix" ] && rm -f "$unix"
# --telemetry=disable: FerretDB must never report to the internet.
"$top/.deps/bin/ferretdb" "${backend[@]}" \
	--state-dir="$dir" "$listen" --telemetry=disable --debug-addr=- \
	--log-level=warn "$@" >"$log" 2>&1 &
pid=$!
# Listening: the TCP port accepts a connection; the Unix socket exists (FerretDB
# creates it when it binds, right before it listens; clients retry within their
# server-selection timeout).
up() {
	{ [ "$port" = - ] || (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; } && { [ -z "$unix" ] || [ -S "$unix" ]; }
}
i=0
while ! up; do
	i=$((i + 1))
	if [ $i -gt 150 ] || ! kill -0 $pid 2>/dev/null; then
		echo "ferretdb: did not start on ${unix:-port $port}; log: $log" >&2
		kill $pid 2>/dev/null || true
		exit 1
	fi
	sleep 0.1
done
echo $pid
