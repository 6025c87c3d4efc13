#!/usr/bin/env bash
# Starts FerretDB (SQLite backend) on 127.0.0.1:<port> with its data and its
# state file (state.json) in <dir>, in the background; prints its PID. Waits
# until it accepts connections (max 15 s).
# With FERRETDB_POSTGRESQL_URL set, the PostgreSQL backend at that URL instead
# (`make bench STORE=postgresql`); <dir> then holds only the state file.
# Usage: scripts/ferretdb.sh <port> <dir> <logfile> [more ferretdb options]
set -eu
port=$1 dir=$2 log=$3
shift 3
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
backend=(--handler=sqlite "--sqlite-url=file:$dir/")
[ -n "${FERRETDB_POSTGRESQL_URL:-}" ] &&
	backend=(--handler=postgresql "--postgresql-url=$FERRETDB_POSTGRESQL_URL")
# --telemetry=disable: FerretDB must never report to the internet.
"$top/.deps/bin/ferretdb" "${backend[@]}" \
	--state-dir="$dir" --listen-addr="127.0.0.1:$port" --telemetry=disable --debug-addr=- \
	--log-level=warn "$@" >"$log" 2>&1 &
pid=$!
i=0
while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 150 ] || ! kill -0 $pid 2>/dev/null; then
		echo "ferretdb: did not start on port $port; log: $log" >&2
		kill $pid 2>/dev/null || true
		exit 1
	fi
	sleep 0.1
done
echo $pid
