#!/bin/sh
# Runs each unit-test binary given and sums their "N passed, N failed" lines.
# Prints the total as the last line; exits non-zero on any failure.
p=0 f=0
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	if [ -z "$line" ] || [ $rc -ne 0 ]; then printf '%s\n' "$out" >&2; fi
	if [ -z "$line" ]; then f=$((f + 1)); echo "unit: $t crashed or printed no result (rc $rc)" >&2; continue; fi
	p=$((p + ${line%% passed*}))
	n=${line#*, }; f=$((f + ${n%% failed}))
	echo "unit: $(basename "$t"): $line"
done
echo "unit: $p passed, $f failed"
[ $f -eq 0 ]
