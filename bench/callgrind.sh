#!/usr/bin/env bash
# Instructions per get-session in the `session` program, counted by callgrind:
# deterministic where req/s is not. One `session` process runs under
# valgrind --tool=callgrind on its own socket (FCGI_AUTH_LISTEN) behind a
# private lighttpd (bench/lighttpd-callgrind.conf, the shipped settings:
# a new FastCGI connection per request). After BENCH_CG_WARMUP requests (the
# first connects to the store and checks the indexes) the counters are
# zeroed, BENCH_CG_REQUESTS more are sent one after another, and the counters
# are dumped: every instruction the process ran for those requests (accept,
# parameters, the handler, the answer, the close), divided by their number.
#
# Usage: bench/callgrind.sh <dir> <cookie header> <expected body text> [VAR=value ...]
#   VAR=value: the program's environment (secret, MONGODB_URI, MONGODB_DB,
#   FCGI_AUTH_COOKIE_CACHE, BETTER_AUTH_RATE_LIMIT, ...), passed through env -i.
# Prints one line: CALLGRIND <instructions per request> <requests>
# Every response must be 200 and contain the expected text, or it fails.
# Knobs: FCGI_AUTH_BUILD=build BENCH_CG_REQUESTS=100 BENCH_CG_WARMUP=10
# Everything it starts is stopped by PID on exit; each wait is bounded.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$1 cookie=$2 expect=$3
shift 3
BUILD=${FCGI_AUTH_BUILD:-build}
N=${BENCH_CG_REQUESTS:-100}
W=${BENCH_CG_WARMUP:-10}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac

die() { printf 'callgrind: error: %s\n' "$*" >&2; exit 1; }
command -v valgrind >/dev/null && command -v callgrind_control >/dev/null || die "valgrind is not installed"

mkdir -p "$dir"
sock=$dir/session.sock
rm -f "$sock" "$dir"/cg.out*
pids=()
stop() {
	local p i
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || continue
		for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
}
trap stop EXIT

env -i "PATH=$PATH" "$@" "FCGI_AUTH_LISTEN=$sock" \
	valgrind --tool=callgrind --compress-strings=no --compress-pos=no --callgrind-out-file="$dir/cg.out" "$BUILD/cgi-bin/session" \
	>"$dir/session.log" 2>&1 &
vg=$!
pids+=("$vg")
for i in $(seq 300); do
	[ -S "$sock" ] && break
	kill -0 "$vg" 2>/dev/null || die "session under valgrind exited: $(tail -3 "$dir/session.log")"
	sleep 0.1
done
[ -S "$sock" ] || die "session did not open $sock within 30 s"

port=$("$top/scripts/free-port.sh")
env -i "PATH=$PATH" "FCGI_AUTH_PORT=$port" "FCGI_AUTH_STATE=$dir" "BENCH_CG_SOCKET=$sock" \
	lighttpd -D -f "$top/bench/lighttpd-callgrind.conf" >"$dir/lighttpd.log" 2>&1 &
pids+=("$!")
url=http://127.0.0.1:$port/api/auth/get-session
for i in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.1
done

# n requests, one after another (curl reuses its connection to lighttpd;
# lighttpd opens a new one to the program for each); each must be 200 with
# the expected text.
send() { # n
	local i
	for ((i = 0; i < $1; i++)); do
		printf 'url = "%s"\noutput = "%s"\n' "$url" "$dir/body.$((i % 2))"
	done >"$dir/curl.cfg"
	curl -s --max-time 300 -H "Cookie: $cookie" -K "$dir/curl.cfg" -w '%{http_code}\n' >"$dir/codes" ||
		die "curl failed"
	[ "$(grep -c '^200$' "$dir/codes")" = "$1" ] || die "not every answer was 200: $(sort "$dir/codes" | uniq -c | tr '\n' ' ')"
	grep -qF -- "$expect" "$dir/body.0" || die "the answer does not contain $expect: $(head -c 300 "$dir/body.0")"
}
send "$W"
callgrind_control -z "$vg" >/dev/null 2>&1
send "$N"
callgrind_control -d "$vg" >/dev/null 2>&1
out=$(ls -t "$dir"/cg.out.* 2>/dev/null | head -1)
[ -n "$out" ] || die "callgrind wrote no dump"
total=$(awk '/^(summary|totals):/ { print $2; exit }' "$out")
[ -n "$total" ] || die "no total in $out"
echo "CALLGRIND $((total / N)) $N"
