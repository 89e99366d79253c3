#!/bin/sh
# tests/summary.sh RESULTS_DIR SUITE... — total the suites' result lines.
# Prints each failure, a per-suite count, and the closing line
# "N passed, N failed"; exits 1 if anything failed or a suite left no results.
dir=$1; shift
pass=0; fail=0
for s in "$@"; do
	f="$dir/$s.txt"
	if [ ! -s "$f" ]; then
		echo "FAIL $s/results: the suite recorded no results"
		fail=$((fail + 1))
		continue
	fi
	p=$(grep -c '^PASS ' "$f"); x=$(grep -c '^FAIL ' "$f")
	grep '^FAIL ' "$f"
	echo "suite $s: $p passed, $x failed"
	pass=$((pass + p)); fail=$((fail + x))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
