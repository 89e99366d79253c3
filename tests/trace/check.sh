#!/bin/sh
# tests/trace/check.sh TRACECMP KERNEL RESULTS_FILE WORKDIR — the trace suite.
#
# Runs tracecmp on the recorded fixtures (tests/trace/fixtures/, made by
# make-fixtures.sh), on variants derived from them here (truncated, a record
# lost, a record altered, a newer format version, Xen serial framing, a
# self-check violation, a failed run, a wrong or missing start=), and on
# pairs of fresh native boots of KERNEL with the same options (some with an
# initrd at the top of RAM, so that step 2 starts below it).  Each test appends "PASS trace/<name>" or
# "FAIL trace/<name>: reason" to RESULTS_FILE; outputs stay in WORKDIR.
# Exit status: 0 when every test passed.
set -u
tracecmp=$1 kernel=$2 results=$3 work=$4
fix=$(dirname "$0")/fixtures
mkdir -p "$work" "$(dirname "$results")"
failed=0

pass() { echo "PASS trace/$1" >>"$results"; echo "PASS trace/$1"; }
fail() { echo "FAIL trace/$1: $2" >>"$results"; echo "FAIL trace/$1: $2"; failed=1; }

# expect NAME STATUS PATTERN ARGS...: tracecmp ARGS exits with STATUS and its
# output (stdout and stderr) matches the grep -E PATTERN.
expect() {
	name=$1 want=$2 pattern=$3
	shift 3
	"$tracecmp" "$@" >"$work/$name.out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$name" "tracecmp exited $got, want $want ($work/$name.out: $(grep -m1 -E 'UNEXPECTED|tracecmp:|verdict' "$work/$name.out"))"
	elif ! grep -Eq -- "$pattern" "$work/$name.out"; then
		fail "$name" "exit $got as wanted, but no line matches /$pattern/ ($work/$name.out)"
	else
		pass "$name"
	fi
}

native=$fix/native-128m-4k.log
xen=$fix/xenlike-128m-4k.log
for f in "$native" "$fix/native-128m-4k-again.log" "$fix/native-512m-4k.log" "$xen" \
	 "$fix/xenlike-2g-2m-brk8.log" "$fix/unexpected-tables.log" "$fix/unexpected-split.log" \
	 "$fix/no-trace.log" "$fix/native-1g-initrd-4k.log" "$fix/xenlike-128m-initrd-4k-brk8.log"; do
	[ -f "$f" ] || fail "fixtures" "$f is missing: run tests/trace/make-fixtures.sh"
done

# ---- recorded runs
expect identical 0 'verdict: 0 expected, 0 unexpected' "$native" "$fix/native-128m-4k-again.log"
expect self-native 0 'the run follows the plan in every batch' "$native"
expect self-xenlike 0 'the run follows the plan in every batch' "$xen"
# three batches: the second ends at 16x what batch 0 mapped
expect self-growth 0 'the run follows the plan in every batch' "$fix/native-512m-4k.log"
if [ -f "$work/self-growth.out" ] && ! grep -Eq 'replay +agrees \(window ends: target\)' "$work/self-growth.out"; then
	fail self-growth-target "no batch of native-512m-4k.log ends by the growth rule (target)"
fi
# the Xen hook splits a 2 MiB page holding a table page of batch 1
expect self-xen-split 0 'splits=1 split_tables=1' "$fix/xenlike-2g-2m-brk8.log"
expect native-vs-xen 0 'EXPECTED +batch 1 hook counts: .*ro_entries=[1-9]' "$native" "$xen"
if [ -f "$work/native-vs-xen.out" ] && ! grep -Eq 'EXPECTED +usable RAM' "$work/native-vs-xen.out"; then
	fail native-vs-xen-map "the different memory maps are not reported as EXPECTED"
fi
expect unexpected-tables 1 'UNEXPECTED +batch 1 tables: .*same input' "$native" "$fix/unexpected-tables.log"
expect unexpected-split 1 'UNEXPECTED +batch 0 window: .*same input' "$native" "$fix/unexpected-split.log"
expect unexpected-split-plan 1 'UNEXPECTED +A batch 0: batch id=0: pa=.*\(replay \[mem ' "$fix/unexpected-split.log"

# ---- an initrd at the top of RAM: step 2 starts below it (begin start=), the
# RAM above is mapped last by "above" batches, the first ended by the growth rule
initrd=$fix/native-1g-initrd-4k.log
expect self-initrd 0 'the run follows the plan in every batch' "$initrd"
if [ -f "$work/self-initrd.out" ]; then
	grep -Eq '^ +start +0x[0-9a-f]+, below the top' "$work/self-initrd.out" ||
		fail self-initrd-start "native-1g-initrd-4k.log does not start step 2 below the top of RAM"
	[ "$(grep -c 'step 5 from ram, above start' "$work/self-initrd.out")" -ge 2 ] ||
		fail self-initrd-above "native-1g-initrd-4k.log has fewer than two batches above start"
	grep -A8 'step 5 from ram, above start' "$work/self-initrd.out" |
		grep -Eq 'replay +agrees \(window ends: target\)' ||
		fail self-initrd-target "no batch above start of native-1g-initrd-4k.log ends by the growth rule"
fi
# the Xen hook on batches that map the RAM above start
expect self-initrd-xenlike 0 'the run follows the plan in every batch' "$fix/xenlike-128m-initrd-4k-brk8.log"
# start= not the plan's (2 MiB-aligned instead of rounded up to the 4 KiB leaf)
sed 's/^\(trace: begin .* start=\)0x[0-9a-f]*/\10x1800000/' "$initrd" >"$work/start-wrong-unsealed.log"
"$tracecmp" --reseal "$work/start-wrong-unsealed.log" "$work/start-wrong.log"
expect start-wrong 1 'UNEXPECTED +A begin: start=0x1800000 \(replay 0x' "$work/start-wrong.log"
# an older trace has no start=: the field is not compared, the rest still is
sed 's/^\(trace: begin .*\) start=0x[0-9a-f]*/\1/' "$initrd" >"$work/no-start-unsealed.log"
"$tracecmp" --reseal "$work/no-start-unsealed.log" "$work/no-start.log"
expect no-start 0 'INFO +A trace: fields an older trace does not state, not compared: begin start' "$work/no-start.log"
# a decision the replay of mm_init does not make: batch 1's budget one page more
sed 's/^\(trace: batch id=1 .* budget=\)\([0-9]*\)/\1\21/' "$initrd" >"$work/budget-unsealed.log"
"$tracecmp" --reseal "$work/budget-unsealed.log" "$work/budget.log"
expect budget 1 'UNEXPECTED +A batch 1: batch id=1: budget=[0-9]+1 \(replay [0-9]+\)' "$work/budget.log"
# the mem records are memmap_normalise() of the given map (console lines: no reseal)
sed 's/^memmap: given \[mem 0x0000100000-0x0007fdffff\] usable/memmap: given [mem 0x0000100000-0x0007fcffff] usable/' \
	"$native" >"$work/given-map.log"
expect given-map 1 'UNEXPECTED +A mem: the mem records are not memmap_normalise\(\) of the given map' "$work/given-map.log"

# ---- input errors (exit 2), derived from the native fixture
sed '/^trace: link id=1 /,$d' "$native" >"$work/truncated.log"
expect truncated 2 'truncated trace: no end record' "$work/truncated.log" "$native"
sed '/^trace: cr3 /d' "$native" >"$work/lost-record.log"
expect lost-record 2 'end record says records=[0-9]+, the log holds' "$work/lost-record.log"
sed 's/^\(trace: batch id=1 .* ram=[0-9]*\)[0-9]/\19/' "$native" >"$work/bad-checksum.log"
if cmp -s "$native" "$work/bad-checksum.log"; then
	fail bad-checksum "could not alter the batch 1 record of $native"
else
	expect bad-checksum 2 'bad checksum' "$native" "$work/bad-checksum.log"
fi
sed 's/^trace: begin v=1 /trace: begin v=2 /' "$native" >"$work/v2-unsealed.log"
"$tracecmp" --reseal "$work/v2-unsealed.log" "$work/version.log"
expect version 2 'version mismatch|format v=2' "$work/version.log"
expect no-trace 2 'no trace' "$fix/no-trace.log"
expect unreadable 2 'cannot read' "$work/does-not-exist.log"

# ---- run verdicts (exit 1)
sed 's/^trace: selfcheck violations=0 /trace: selfcheck violations=1 /' "$native" >"$work/violation-unsealed.log"
"$tracecmp" --reseal "$work/violation-unsealed.log" "$work/violation.log"
expect selfcheck-violation 1 'UNEXPECTED .*selfcheck found 1 violation' "$native" "$work/violation.log"
sed 's/^topdown: result: PASS$/topdown: result: FAIL: made up/' "$native" >"$work/failed-run.log"
expect failed-run 1 'UNEXPECTED +B run: result: FAIL' "$native" "$work/failed-run.log"

# ---- Xen PV: a recorded real run (make run-xen-pv: the console log of xl create
# xl-pv.cfg; make-fixtures.sh cannot make it, it needs the Xen lab), alone, in a
# three-way comparison with native and Xen-PVH-like runs, and with one pin missing.
xenpv=$fix/xenpv-256m-4k.log
expect self-xenpv 0 'the run follows the plan in every batch' "$xenpv"
expect three-way 0 '=== pair B vs C: .*EXPECTED +frames: .*machine frames|verdict: [0-9]+ expected, 0 unexpected' \
	"$native" "$xen" "$xenpv"
if [ -f "$work/three-way.out" ] && ! grep -Eq 'EXPECTED +xen-pv validation: A - \| B tables=[0-9]+ pins=' "$work/three-way.out"; then
	fail three-way-pv "the PV run's pins and flips are not shown as an expected difference"
fi
sed 's/^\(trace: xenpv summary tables=\([0-9]*\)\) pins=[0-9]* /\1 pins=1 /' "$xenpv" >"$work/xenpv-pins-unsealed.log"
"$tracecmp" --reseal "$work/xenpv-pins-unsealed.log" "$work/xenpv-pins.log"
expect xenpv-pins 1 'UNEXPECTED +A: Xen PV: [0-9]+ table pages .*, 1 pins' "$work/xenpv-pins.log"
if "$tracecmp" -q --svg "$work/three.svg" "$native" "$xen" "$xenpv" >"$work/three-svg.out" 2>&1 &&
   grep -q "^<svg .* width='2280' " "$work/three.svg" && grep -q 'backend xen-pv<' "$work/three.svg" &&
   grep -q '</svg>' "$work/three.svg"; then
	pass three-way-svg
else
	fail three-way-svg "no three-panel picture ($work/three-svg.out)"
fi

# ---- Xen framing: a dom0's serial line ("(d0) [time] "), lines cut in pieces
# (Xen cuts at 199 characters; the fixture's records are shorter, so the test
# cuts at 120 and says so with --xen-split), Xen's own lines in between, CRLF,
# and a Linux "ftrace: " line that is no record.
awk '{
	line = $0
	do {
		printf "(d0) [%12.6f] %s\r\n", NR / 1000.0, substr(line, 1, 120)
		if (NR % 7 == 0) printf "(XEN) [%12.6f] d0v0 some hypervisor noise\r\n", NR / 1000.0
		line = substr(line, 121)
	} while (length(line) > 0)
}
/^trace: cr3 / { printf "[    1.467298] ftrace: allocating 40521 entries in 159 pages\r\n" }' "$xen" >"$work/xen-serial.log"
expect xen-serial 0 'verdict: 0 expected, 0 unexpected' --xen-split 120 "$xen" "$work/xen-serial.log"
if [ -f "$work/xen-serial.out" ] && ! grep -Eq 'joined lines +0 +[1-9]' "$work/xen-serial.out"; then
	fail xen-serial-joined "no record was re-joined from 199-character pieces"
fi

# ---- the picture
if "$tracecmp" -q --svg "$work/compare.svg" "$native" "$xen" >"$work/svg.out" 2>&1 &&
   grep -q '</svg>' "$work/compare.svg"; then
	if command -v python3 >/dev/null 2>&1 &&
	   ! python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$work/compare.svg" 2>"$work/svg.err"; then
		fail svg "$work/compare.svg is not well-formed XML: $(head -c 200 "$work/svg.err")"
	else
		pass svg
	fi
else
	fail svg "tracecmp --svg failed ($work/svg.out)"
fi

# ---- fresh traces of the current kernel: the same boot twice compares clean
bootcpu=qemu64
boot() {        # name, machine, memory, cmdline [, initrd]   (-cpu $bootcpu)
	timeout 120 qemu-system-x86_64 -M "$2" -cpu "$bootcpu" -m "$3" -display none -serial stdio \
		-no-reboot -device isa-debug-exit,iobase=0x501,iosize=2 -kernel "$kernel" \
		-append "$4" ${5:+-initrd "$5"} >"$work/$1.log" 2>&1 </dev/null
	echo $?
}
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	fail fresh "qemu-system-x86_64 not found (sh tools/deps.sh run)"
else
	# a 2 MiB initrd: QEMU puts it at the top of RAM
	head -c 2097152 /dev/zero >"$work/initrd-2m"
	for spec in "pc 512M pt.maxpage=4k" "q35 256M pt.maxpage=2m" \
		    "pc 128M pt.maxpage=4k initrd-2m" "pc 128M pt.maxpage=2m initrd-2m"; do
		set -- $spec
		name=fresh-$1-$2-${3#pt.maxpage=}${4:+-$4}
		r1=$(boot "$name-1" "$1" "$2" "$3" ${4:+"$work/$4"})
		r2=$(boot "$name-2" "$1" "$2" "$3" ${4:+"$work/$4"})
		if [ "$r1" != 33 ] || [ "$r2" != 33 ]; then
			fail "$name" "the boots exited $r1 and $r2, want 33 (PASS) ($work/$name-1.log)"
			continue
		fi
		expect "$name" 0 'verdict: 0 expected, 0 unexpected' "$work/$name-1.log" "$work/$name-2.log"
		if [ -n "${4:-}" ] && [ -f "$work/$name.out" ] &&
		   ! grep -q 'step 5 from ram, above start' "$work/$name.out"; then
			fail "$name-above" "no batch maps the RAM above start: the initrd did not move step 2's start ($work/$name.out)"
		fi
	done
fi
# ---- one machine at both paging depths (-cpu max has LA57): every difference
# explained by the depth, the totals by level equal but for the L5 root; a
# planted extra L1 in the 5-level summary (re-hashed) is not
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
	bootcpu=max
	r1=$(boot depth-4 pc 1G "pt.levels=4 pt.maxpage=4k")
	r2=$(boot depth-5 pc 1G "pt.levels=5 pt.maxpage=4k")
	bootcpu=qemu64
	if [ "$r1" != 33 ] || [ "$r2" != 33 ]; then
		fail depth-4-vs-5 "the boots exited $r1 and $r2, want 33 (PASS) ($work/depth-5.log)"
	else
		expect depth-4-vs-5 0 'EXPECTED +totals: mapped, tables: .*adds its L5 root' \
			"$work/depth-4.log" "$work/depth-5.log"
		python3 - "$work/depth-5.log" "$work/depth-5-planted.log" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
out, h, n = [], 0x811c9dc5, 0
for l in lines:
    l = l.rstrip("\r")
    if l.startswith("trace: summary "):
        l = re.sub(r" tables=(\d+)", lambda m: " tables=%d" % (int(m.group(1)) + 1), l, count=1)
        l = re.sub(r" l1=(\d+)", lambda m: " l1=%d" % (int(m.group(1)) + 1), l, count=1)
    if l.startswith("trace: begin "):
        h, n = 0x811c9dc5, 0
    if l.startswith("trace: end "):
        l = "trace: end records=%d fnv1a=0x%08x" % (n, h)
    elif l.startswith("trace: "):
        for c in (l + "\n").encode():
            h = ((h ^ c) * 0x01000193) & 0xffffffff
        n += 1
    out.append(l)
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
		expect depth-4-vs-5-planted 1 'UNEXPECTED +totals: mapped, tables: .*only the paging depth differs' \
			"$work/depth-4.log" "$work/depth-5-planted.log"
	fi
fi
exit $failed
