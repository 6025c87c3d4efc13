#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: unit tests, then a FerretDB on a
# free loopback port, then the end-to-end and interop suites (node --test, the
# official better-auth client against lighttpd + our programs, and Better Auth
# itself as the oracle). Ends with "N passed, N failed"; non-zero on failure.
# Stops everything it started, by PID.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=tests/out
build=${FCGI_AUTH_BUILD:-build}
export FCGI_AUTH_BIN="$top/$build/cgi-bin"
rm -rf "$out"
mkdir -p "$out"
fdb_pid=""
cleanup() { [ -n "$fdb_pid" ] && kill "$fdb_pid" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT INT TERM

passed=0 failed=0
add() { passed=$((passed + $1)); failed=$((failed + $2)); }

# 1. unit tests
./tests/run-unit.sh "$build"/tests/test_* | tee "$out/unit.log"
line=$(tail -n 1 "$out/unit.log")
u_p=${line#unit: }; u_p=${u_p%% passed*}
u_f=${line##*, }; u_f=${u_f%% failed}
add "$u_p" "$u_f"

# 1b. the fuzz corpus, replayed through the same build (sanitizers included)
for r in "$build"/fuzz/replay_*; do
	[ -x "$r" ] || continue
	t=${r##*/replay_}
	line=$("$r" "fuzz/corpus/$t" 2>&1 | tail -n 1)
	case "$line" in
	*" passed, "*" failed") echo "fuzz-replay: $t: $line"
		add "${line%% passed*}" "$(n=${line##*, }; echo "${n%% failed}")" ;;
	*) echo "fuzz-replay: $t crashed: $line" >&2; add 0 1 ;;
	esac
done

# 2. FerretDB for everything else
port=$(./scripts/free-port.sh)
if ! fdb_pid=$(./scripts/ferretdb.sh "$port" "$out/ferretdb" "$out/ferretdb.log"); then
	echo "FerretDB did not start: see $out/ferretdb.log" >&2
	add 0 1
	echo "$passed passed, $failed failed"
	exit 1
fi
export MONGODB_URI="mongodb://127.0.0.1:$port/"
export BETTER_AUTH_TELEMETRY=0 DO_NOT_TRACK=1
export FCGI_AUTH_TEST_OUT="$top/$out"

# 3. end-to-end, interop, security, server and browser suites (lighttpd), then
#    the core end-to-end files again through Apache mod_fcgid and plain CGI.
node_pass() { # <label> <tap file> <files...>, with FCGI_AUTH_SERVER from the caller
	local label=$1 tap=$2 n_p n_f n_s
	shift 2
	node --test --test-reporter=tap --test-concurrency=2 "$@" >"$tap" 2>&1
	n_p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -n 1)
	n_f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -n 1)
	n_s=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$tap" | tail -n 1)
	if [ -z "$n_p" ]; then n_p=0 n_f=1; echo "$label: node --test printed no summary; see $tap" >&2; fi
	if [ "${n_s:-0}" -gt 0 ]; then
		echo "$label: $n_s test(s) skipped — counted as failures (see $tap)" >&2
		n_f=$((n_f + n_s))
	fi
	echo "$label: $n_p passed, $n_f failed"
	[ "$n_f" -gt 0 ] && grep -B2 -A30 '^not ok' "$tap" | head -200 >&2
	add "$n_p" "$n_f"
}

files=$(ls tests/e2e/*.test.mjs tests/interop/*.test.mjs tests/security/*.test.mjs \
	tests/servers/*.test.mjs tests/browser/*.test.mjs 2>/dev/null)
if [ -n "$files" ]; then
	FCGI_AUTH_SERVER=lighttpd node_pass "node (lighttpd)" "$out/node.tap" $files
else
	echo "no end-to-end tests found" >&2
	add 0 1
fi
core="tests/e2e/flow.test.mjs tests/e2e/validation.test.mjs tests/e2e/cookienames.test.mjs tests/e2e/expiry.test.mjs
	tests/e2e/cookiecache.test.mjs"
for server in apache cgi; do
	FCGI_AUTH_SERVER=$server node_pass "node ($server)" "$out/node-$server.tap" $core
done

# 4. no test password, token or cookie value in any log the programs wrote above
#    (tests/lib/logleak.mjs; the logs and secrets are in $out/logs and $out/secrets)
line=$(node tests/lib/logleak.mjs "$out" 2>&1 | tee "$out/logleak.log" | tail -n 1)
case "$line" in
"log-leak: "*" passed, "*" failed") n=${line#log-leak: }; echo "$line"
	add "${n%% passed*}" "$(n=${n##*, }; echo "${n%% failed}")"
	[ "${line##*, }" = "0 failed" ] || grep -v '^log-leak: [0-9]* passed' "$out/logleak.log" | head -50 >&2 ;;
*) echo "log-leak: the check did not run: $line" >&2; add 0 1 ;;
esac

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
