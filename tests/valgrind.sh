#!/usr/bin/env bash
# `make valgrind`: the unit tests, then part of the end-to-end suite with every
# FastCGI program lighttpd spawns running under valgrind (memcheck). Passes only
# when every log reports 0 errors and no definitely/indirectly lost bytes.
# Slow (scrypt under valgrind takes seconds a hash): not part of `make test`.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${FCGI_AUTH_BUILD:-build}
case "$build" in /*) ;; *) build=$top/$build ;; esac
export FCGI_AUTH_BUILD=$build
out=tests/out/valgrind
rm -rf "$out"
mkdir -p "$out/logs" "$out/bin/cgi-bin"
VG="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
fail=0 pass=0

for t in "$build"/tests/test_*; do
	if $VG --log-file="$out/logs/unit-$(basename "$t").log" "$t" >/dev/null 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "valgrind: $t failed; see $out/logs/unit-$(basename "$t").log" >&2
	fi
done

# Wrappers: lighttpd spawns these, which exec the real program under valgrind.
for p in "$build"/cgi-bin/*; do
	name=$(basename "$p")
	cat >"$out/bin/cgi-bin/$name" <<EOS
#!/bin/sh
exec $VG --log-file=$top/$out/logs/$name.%p.log $p
EOS
	chmod +x "$out/bin/cgi-bin/$name"
done
ln -sfn "$build/demo" "$out/bin/demo"

port=$(./scripts/free-port.sh)
fdb_pid=$(./scripts/ferretdb.sh "$port" "$out/ferretdb" "$out/ferretdb.log") || exit 1
trap 'kill $fdb_pid 2>/dev/null' EXIT
MONGODB_URI="mongodb://127.0.0.1:$port/" FCGI_AUTH_BIN="$top/$out/bin/cgi-bin" \
	FCGI_AUTH_STOP_GRACE_MS=20000 BETTER_AUTH_TELEMETRY=0 \
	node --test --test-reporter=tap --test-timeout=600000 \
	tests/e2e/flow.test.mjs tests/e2e/validation.test.mjs tests/e2e/appdata.test.mjs \
	>"$out/node.tap" 2>&1
n_p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$out/node.tap" | tail -n 1)
n_f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$out/node.tap" | tail -n 1)
echo "valgrind: end-to-end under valgrind: ${n_p:-0} passed, ${n_f:-?} failed"
[ "${n_f:-1}" -eq 0 ] || fail=$((fail + 1))

logs=$(ls "$out"/logs/*.*.log 2>/dev/null | wc -l)
for l in "$out"/logs/*.*.log; do
	[ -f "$l" ] || continue
	# A log without its summary means the process was killed before valgrind
	# could check it: that counts as a failure too.
	if ! grep -q "ERROR SUMMARY: 0 errors" "$l" ||
		grep -qE "definitely lost: [1-9]|indirectly lost: [1-9]" "$l"; then
		fail=$((fail + 1)); echo "valgrind: errors (or no summary) in $l" >&2; sed -n 1,60p "$l" >&2
	else
		pass=$((pass + 1))
	fi
done
echo "valgrind: $logs program logs checked"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
