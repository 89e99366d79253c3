#!/bin/sh
# tests/summary.sh RESULTS_DIR SUITE... — total the suites' result lines.
# tests/summary.sh --settings           — only the settings line(s) (see below)
#
# Every suite writes one line per test to RESULTS_DIR/<suite>.txt:
#     PASS <suite>/<name> [detail]
#     FAIL <suite>/<name>: <reason>
#     SKIP <suite>/<name>: <reason>     (not run: the host cannot, or a filter left it out)
# Prints each failure, each skip with its reason (skips of one suite with the
# same reason on one line, every name listed), a line per suite, the settings
# that change what runs (the case filters BOOT_ONLY, WALK_ONLY, SCREEN_ONLY, XEN_ONLY, MUTANTS_ONLY and
# the like, when set), and last the closing line, alone:
#     N passed, N failed, N skipped
# Exits 1 if anything failed or a suite left no results (silence is never a pass).

# The variables that shrink or change what `make check` runs; make exports
# them to this script when they are set on its command line or in the
# environment.
settings() {
	s=""
	for v in BOOT_ONLY WALK_ONLY SCREEN_ONLY XEN_ONLY MUTANTS_ONLY; do
		eval "val=\${$v-}"
		[ -n "$val" ] && s="$s $v='$val'"
	done
	[ -n "$s" ] && echo "check: case filters set:$s (every case they leave out is counted as skipped)"
	s=""
	[ -n "${ACCEL-}" ] && [ "$ACCEL" != tcg ] && s="$s ACCEL=$ACCEL (the boot suite's accelerator)"
	for v in FUZZ_SMOKE_RUNS_memmap FUZZ_SMOKE_RUNS_build; do
		eval "val=\${$v-}"
		[ -n "$val" ] && s="$s $v=$val"
	done
	[ -n "$s" ] && echo "check: settings changed:$s"
	return 0
}

if [ "${1-}" = --settings ]; then
	settings
	exit 0
fi

dir=$1; shift
pass=0; fail=0; skip=0
for s in "$@"; do
	f="$dir/$s.txt"
	if [ ! -s "$f" ]; then
		echo "FAIL $s/results: the suite recorded no results"
		fail=$((fail + 1))
		continue
	fi
	p=$(grep -c '^PASS ' "$f"); x=$(grep -c '^FAIL ' "$f"); k=$(grep -c '^SKIP ' "$f")
	grep '^FAIL ' "$f"
	# skips: one line per reason, naming every case
	grep '^SKIP ' "$f" | awk '
		{ name = $2; sub(/:$/, "", name); reason = $0; sub(/^SKIP [^ ]* /, "", reason)
		  if (!(reason in n)) order[++m] = reason
		  n[reason]++; names[reason] = names[reason] (n[reason] > 1 ? ", " : "") name }
		END { for (i = 1; i <= m; i++) { r = order[i]
			if (n[r] == 1) print "SKIP " names[r] ": " r
			else print "SKIP " n[r] " cases: " r ": " names[r] } }'
	note=""
	if [ "$s" = unit ]; then
		plain=$(grep -c '^[A-Z]* unit/' "$f"); asan=$(grep -c '^[A-Z]* unit-asan/' "$f")
		[ "$asan" -gt 0 ] &&
			note=" ($plain tests plain and $asan of them again under ASan+UBSan: each run counted)"
	fi
	echo "suite $s: $p passed, $x failed, $k skipped$note"
	pass=$((pass + p)); fail=$((fail + x)); skip=$((skip + k))
done
settings
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
