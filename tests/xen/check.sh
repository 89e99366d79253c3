#!/bin/sh
# tests/xen/check.sh — the Xen suite of make check: three real Xen runs in
# the lab, each judged by verdict.py; result lines go to $RESULTS/xen.txt.
#   domu      xl create xl.cfg (Linux PV dom0 + toolstack), default options
#   pinwrite  the same with selftest=pin-write
#   dom0      Xen boots topdown directly as a PVH dom0 (start_info v0)
#   compare-native-domu  tracecmp: a native boot with xl.cfg's RAM and options
#             against the domU trace: expected differences only
#   panic-*   bad input (unknown option as domU, no usable RAM as dom0): the
#             exact PANIC line, then a crash shutdown
set -u
BUILD=${BUILD:-build}
RESULTS=${RESULTS:-$BUILD/results}
mkdir -p "$RESULTS"
fail=0
run() {         # kind, make target, extra options
	kind=$1 target=$2 extra=$3
	name=$(echo "$kind" | cut -d: -f1-2 | tr : -)
	start=$(date +%s)
	echo "xen-check: $name: make $target XEN_EXTRA=\"$extra\""
	make --no-print-directory "$target" XEN_RUN="check-$name" XEN_EXTRA="$extra" \
		> "$BUILD/xen-check-$name.out" 2>&1
	code=$?
	# make reports a failed recipe as 2; the runner's own code is in status
	st="$BUILD/xen/check-$name/status"
	if [ -f "$st" ]; then
		code=$(sed -n 's/^exit=//p' "$st")
		grep '^phase_' "$st" | tr '\n' ' ' | sed 's/^/xen-check: phases (s): /'; echo
	elif [ $code -ne 0 ]; then
		tail -5 "$BUILD/xen-check-$name.out"
		code=1
	fi
	line=$(tests/xen/verdict.py "$kind" "$BUILD/xen/check-$name" "${code:-1}")
	[ $? -eq 0 ] || fail=1
	echo "$line $(( $(date +%s) - start ))s" | tee -a "$RESULTS/xen.txt"
}
export BUILD
make --no-print-directory xenlab || { echo "FAIL xen/lab: make xenlab failed" | tee -a "$RESULTS/xen.txt"; exit 1; }
# verdict.py checks each trace with tools/tracecmp (completeness and the plan)
make --no-print-directory "$BUILD/tools/tracecmp" >/dev/null ||
	{ echo "FAIL xen/tracecmp: cannot build $BUILD/tools/tracecmp" | tee -a "$RESULTS/xen.txt"; exit 1; }
run domu run-xen ""
run pinwrite run-xen "selftest=pin-write"
run dom0 run-xen-dom0 ""

# Compare the fresh domU trace with a native boot given xl.cfg's RAM and
# options: only expected differences may appear (tools/tracecmp exit 0).
compare() {
	start=$(date +%s)
	mem=$(sed -n 's/^memory *= *\([0-9]*\).*/\1/p' xl.cfg)
	extra=$(sed -n 's/^extra *= *"\(.*\)".*/\1/p' xl.cfg)
	log=$BUILD/xen/check-native.log
	timeout 120 qemu-system-x86_64 -M pc -m "${mem}M" -display none -serial "file:$log" \
		-no-reboot -device isa-debug-exit,iobase=0x501,iosize=2 \
		-kernel "$BUILD/topdown.elf" -append "$extra"
	if "$BUILD/tools/tracecmp" -q "$log" "$BUILD/xen/check-domu/guest.log" \
		> "$BUILD/xen/check-compare.txt" 2>&1; then
		line="PASS xen/compare-native-domu"
	else
		line="FAIL xen/compare-native-domu: tracecmp found unexpected differences or bad input ($BUILD/xen/check-compare.txt)"
		fail=1
	fi
	echo "$line $(( $(date +%s) - start ))s" | tee -a "$RESULTS/xen.txt"
}
compare
# Bad input under Xen: a clean PANIC line and a crash shutdown, both ways in.
run 'panic:badopt-domu:cmdline_parse: unknown option .bogus. \(known: .*\)' run-xen "bogus=1"
run 'panic:nomem-dom0:memmap_normalise: memory map has no usable RAM \(1 entry given\)' run-xen-dom0 "memmap.test=0x100000:0x100000:2"
exit $fail
