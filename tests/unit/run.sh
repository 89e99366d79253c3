#!/bin/sh
# tests/unit/run.sh BINARY SUITE GROUP RESULTS — run one cmocka test binary
# and append one line per test to RESULTS:
#     PASS SUITE/NAME [detail]
#     FAIL SUITE/NAME: reason
# NAME is the cmocka test name; a name without '/' (a plain test function,
# test_foo_bar) becomes GROUP/foo-bar.  Lines "detail: NAME text" that a test
# prints become the PASS line's detail.  A binary that dies before reporting
# every test of its plan gets a FAIL line of its own: silence is not a pass.
# Exits 1 if anything failed.
bin=$1 suite=$2 group=$3 results=$4
log=$bin.$suite.log

CMOCKA_MESSAGE_OUTPUT=TAP "$bin" > "$log" 2>&1
rc=$?

awk -v suite="$suite" -v group="$group" -v rc="$rc" -v logf="$log" -v bin="$bin" '
function name_of(s) {
	if (index(s, "/") == 0) {
		sub(/^test_/, "", s)
		gsub(/_/, "-", s)
		s = group "/" s
	}
	return s
}
/^detail: / {
	n = $2; d = $0; sub(/^detail: [^ ]+ /, "", d)
	detail[n] = d
	next
}
/^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; next }
/^ok [0-9]+ - / {
	n = $0; sub(/^ok [0-9]+ - /, "", n)
	line = "PASS " suite "/" name_of(n)
	if (n in detail) line = line " " detail[n]
	print line
	seen++; buf = ""; err = ""
	next
}
/^not ok [0-9]+ - / {
	n = $0; sub(/^not ok [0-9]+ - /, "", n)
	reason = err != "" ? err : buf
	if (reason == "") reason = "failed (see " logf ")"
	gsub(/[\r\n]+/, " ", reason)
	if (length(reason) > 400) reason = substr(reason, 1, 400) "..."
	print "FAIL " suite "/" name_of(n) ": " reason
	seen++; failed++; buf = ""; err = ""
	next
}
/^# / { next }
{
	if (err == "" && $0 ~ /^ERROR: /) { err = $0; sub(/^ERROR: /, "", err) }
	if ($0 != "") buf = $0
}
END {
	if (plan == 0 || seen < plan || (rc != 0 && failed == 0))
		print "FAIL " suite "/" group ": " bin " exited " rc " after " seen+0 " of " plan+0 " tests (see " logf ")"
}' "$log" >> "$results.tmp.$$"

[ -s "$results.tmp.$$" ] || echo "FAIL $suite/$group: no results parsed from $log" > "$results.tmp.$$"
cat "$results.tmp.$$" >> "$results"
grep -q '^FAIL ' "$results.tmp.$$"; failed=$?
rm -f "$results.tmp.$$"
[ $failed -ne 0 ]
