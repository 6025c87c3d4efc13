#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: unit tests, then a FerretDB on a
# free loopback port, then the end-to-end and interop suites (node --test, the
# official better-auth client against lighttpd + our programs, and Better Auth
# itself as the oracle), and the end-to-end files written for both
# implementations once more against Better Auth itself (TARGET=reference), so
# the expectations of tests/lib/expect.mjs are checked against the real thing.
# Reports unit checks, fuzz inputs and node tests separately, then ends with
# one "N passed, N failed" (their sum); non-zero on failure.
# FCGI_AUTH_BUILD: the build under test (default build; make passes its own).
# Stops everything it started, by PID.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=tests/out
build=${FCGI_AUTH_BUILD:-build}
case "$build" in /*) ;; *) build=$top/$build ;; esac
export FCGI_AUTH_BUILD=$build FCGI_AUTH_BIN=$build/cgi-bin
rm -rf "$out"
mkdir -p "$out"
fdb_pid=""
cleanup() { [ -n "$fdb_pid" ] && kill "$fdb_pid" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT INT TERM

# Totals per kind (unit checks, fuzz inputs, node tests: different things),
# summed in the closing line.
passed=0 failed=0
declare -A kind_p=() kind_f=()
add() { # <kind> <passed> <failed>
	kind_p[$1]=$((${kind_p[$1]:-0} + $2)); kind_f[$1]=$((${kind_f[$1]:-0} + $3))
	passed=$((passed + $2)); failed=$((failed + $3))
}
summary() {
	local k
	for k in "unit:unit checks" "fuzz:fuzz corpus inputs" "node:node tests" "logleak:log-leak checks"; do
		[ -n "${kind_p[${k%%:*}]:-}" ] || continue
		echo "${k#*:}: ${kind_p[${k%%:*}]} passed, ${kind_f[${k%%:*}]} failed"
	done
	echo "$passed passed, $failed failed"
}

# 1. unit tests
./tests/run-unit.sh "$build"/tests/test_* | tee "$out/unit.log"
line=$(tail -n 1 "$out/unit.log")
case "$line" in
"unit: "*" passed, "*" failed")
	u_p=${line#unit: }; u_p=${u_p%% passed*}
	u_f=${line##*, }; u_f=${u_f%% failed}
	add unit "$u_p" "$u_f" ;;
*) echo "unit: no summary line" >&2; add unit 0 1 ;;
esac

# 1b. the fuzz corpus, replayed through the same build (sanitizers included)
for r in "$build"/fuzz/replay_*; do
	[ -x "$r" ] || continue
	t=${r##*/replay_}
	line=$("$r" "fuzz/corpus/$t" 2>&1 | tail -n 1)
	case "$line" in
	*" passed, "*" failed") echo "fuzz-replay: $t: $line"
		add fuzz "${line%% passed*}" "$(n=${line##*, }; echo "${n%% failed}")" ;;
	*) echo "fuzz-replay: $t crashed: $line" >&2; add fuzz 0 1 ;;
	esac
done

# 2. FerretDB for everything else
port=$(./scripts/free-port.sh)
if ! fdb_pid=$(./scripts/ferretdb.sh "$port" "$out/ferretdb" "$out/ferretdb.log"); then
	echo "FerretDB did not start: see $out/ferretdb.log" >&2
	add node 0 1
	summary
	exit 1
fi
export MONGODB_URI="mongodb://127.0.0.1:$port/"
export BETTER_AUTH_TELEMETRY=0 DO_NOT_TRACK=1
export FCGI_AUTH_TEST_OUT="$top/$out"

# 3. end-to-end, interop, security, server and browser suites (lighttpd), then
#    the core end-to-end files again through Apache mod_fcgid and plain CGI,
#    then the end-to-end files that drive either implementation (startTarget,
#    createStack) against Better Auth itself.
node_pass() { # <label> <tap file> <files...>, with FCGI_AUTH_SERVER / TARGET from the caller
	local label=$1 tap=$2 n_p n_f n_s
	shift 2
	# --test-force-exit: a test file whose hook failed half-way may leave a
	# child process (its pipes) holding the event loop; the file then exits
	# anyway and tests/lib/stack.mjs's exit handler kills what it started,
	# instead of the suite waiting forever.
	node --test --test-reporter=tap --test-concurrency=2 --test-force-exit "$@" >"$tap" 2>&1
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
	add node "$n_p" "$n_f"
}

files=$(ls tests/e2e/*.test.mjs tests/interop/*.test.mjs tests/security/*.test.mjs \
	tests/servers/*.test.mjs tests/browser/*.test.mjs 2>/dev/null)
if [ -n "$files" ]; then
	FCGI_AUTH_SERVER=lighttpd node_pass "node (lighttpd)" "$out/node.tap" $files
else
	echo "no end-to-end tests found" >&2
	add node 0 1
fi
# The core files, and the mail flows (programs mail and account): their
# settings and URL mapping differ per set-up, and under plain CGI the mail
# goes out from a process of its own after the answer (maildefer).
core="tests/e2e/flow.test.mjs tests/e2e/validation.test.mjs tests/e2e/cookienames.test.mjs tests/e2e/expiry.test.mjs
	tests/e2e/cookiecache.test.mjs tests/e2e/reset.test.mjs tests/e2e/verify.test.mjs tests/e2e/changeemail.test.mjs
	tests/e2e/deleteuser.test.mjs tests/e2e/maildefer.test.mjs"
for server in apache cgi; do
	FCGI_AUTH_SERVER=$server node_pass "node ($server)" "$out/node-$server.tap" $core
done
# (a file that uses createStack for our programs only says "fcgi-only" in a comment)
both=$(grep -l -E '\b(startTarget|createStack)\(' tests/e2e/*.test.mjs | xargs grep -L 'fcgi-only')
if [ -n "$both" ]; then
	TARGET=reference node_pass "node (reference)" "$out/node-reference.tap" $both
else
	echo "no end-to-end files for both implementations found" >&2
	add node 0 1
fi

# 4. no test password, token or cookie value in any log the programs wrote above
#    (tests/lib/logleak.mjs; the logs and secrets are in $out/logs and $out/secrets)
line=$(node tests/lib/logleak.mjs "$out" 2>&1 | tee "$out/logleak.log" | tail -n 1)
case "$line" in
"log-leak: "*" passed, "*" failed") n=${line#log-leak: }; echo "$line"
	add logleak "${n%% passed*}" "$(n=${n##*, }; echo "${n%% failed}")"
	[ "${line##*, }" = "0 failed" ] || grep -v '^log-leak: [0-9]* passed' "$out/logleak.log" | head -50 >&2 ;;
*) echo "log-leak: the check did not run: $line" >&2; add logleak 0 1 ;;
esac

summary
[ "$failed" -eq 0 ]
