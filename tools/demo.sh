#!/bin/sh
# tools/demo.sh — the main job (make demo):
#   1. boot build/topdown.elf natively in QEMU by direct PVH boot and from the
#      GRUB ISO, with the RAM size, vCPUs and command line of xl.cfg, and the
#      ISO under UEFI, reading the result line off the screen (OCR);
#   2. boot it under Xen with `xl create xl.cfg` in the lab (make run-xen), and
#      as a Xen PV domU with `xl create xl-pv.cfg` (make run-xen-pv);
#   3. compare the native PVH trace with each Xen trace (tools/tracecmp), write
#      the side-by-side pictures, and end with a one-line verdict on all four.
# Run through make (it builds what it needs first).
set -u
BUILD=${BUILD:-build}
out=$BUILD/demo
mkdir -p "$out"

cfg_get() {     # the value of a one-line `key = value` setting in xl.cfg
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"#]*\)\"\{0,1\}.*/\1/p" xl.cfg | head -n 1 | sed 's/[[:space:]]*$//'
}
mem=$(cfg_get memory)
extra=$(cfg_get extra)
vcpus=$(cfg_get vcpus)
vcpus=${vcpus:-1}
[ -n "$mem" ] || { echo "demo: FAIL: no memory= in xl.cfg"; exit 1; }

step() { printf '\n=== demo: %s\n' "$*"; }
fail=0
native() {      # name, qemu boot args...
	name=$1; shift
	log=$out/$name.log
	timeout 300 qemu-system-x86_64 -M pc -cpu qemu64 -m "${mem}M" -smp "$vcpus" -display none \
		-serial "file:$log" -no-reboot -device isa-debug-exit,iobase=0x501,iosize=2 "$@"
	rc=$?
	if [ $rc -eq 33 ] && grep -q '^topdown: result: PASS' "$log"; then
		echo "demo: $name: PASS, $(grep -m1 '^smp: cpus=' "$log" | cut -d' ' -f2-3) ($log)"
	else
		echo "demo: $name: exit $rc, $(grep '^topdown: result:' "$log" || echo 'no result line') ($log)"
		fail=1
	fi
}

step "native boot, QEMU direct PVH boot, -m ${mem}M -smp $vcpus, cmdline \"$extra\""
native native-pvh -kernel "$BUILD/topdown.elf" -append "$extra"
step "native boot, GRUB multiboot2 ISO, -m ${mem}M -smp $vcpus"
tools/mkiso.sh "$BUILD/topdown.elf" "$out/topdown.iso" "$extra" && native native-grub -cdrom "$out/topdown.iso"

step "the screen: GRUB ISO under UEFI (OVMF), screendump read back by OCR"
if python3 tests/screen/run.py --build "$BUILD" --only uefi-q35 > "$out/screen.txt" 2>&1; then
	echo "demo: screen: PASS, the result line is on the screen: $BUILD/tests/screen/uefi-q35.png"
else
	sed 's/^/demo: /' "$out/screen.txt"
	fail=1
fi

step "Xen 4.17 in QEMU, Linux dom0, xl create xl.cfg"
if make --no-print-directory run-xen; then
	xenlog=$BUILD/xen/domu/guest.log
	echo "demo: xen domU console log: $xenlog ($(grep -m1 '^smp: cpus=' "$xenlog" | cut -d' ' -f2-3))"
else
	echo "demo: the Xen run failed (see above)"
	xenlog=""
	fail=1
fi

step "Xen 4.17 in QEMU, Linux dom0, xl create xl-pv.cfg (Xen PV: real pins)"
if make --no-print-directory run-xen-pv; then
	pvlog=$BUILD/xen/pv/guest.log
	echo "demo: xen PV domU console log: $pvlog ($(grep -m1 '^smp: cpus=' "$pvlog" | cut -d' ' -f2-3); ring 3: $(grep -m1 '^user: ping: exited' "$pvlog" | cut -d' ' -f2-))"
	grep '^xen-pv: summary\|^xen-pv: status flips' "$pvlog" | sed 's/^/demo: /'
	grep -q '^topdown: result: PASS' "$pvlog" || fail=1
else
	echo "demo: the Xen PV run failed (see above)"
	pvlog=""
	fail=1
fi

step "compare native (direct PVH boot) with Xen PVH domU"
if [ -n "$xenlog" ] && [ -s "$xenlog" ]; then
	"$BUILD/tools/tracecmp" --svg "$out/compare.svg" "$out/native-pvh.log" "$xenlog"
	rc=$?
	echo "demo: picture: $out/compare.svg"
	[ $rc -eq 0 ] || fail=1
else
	echo "demo: no Xen trace to compare"
	fail=1
fi

pvmem=$(sed -n 's/^memory *= *\([0-9]*\).*/\1/p' xl-pv.cfg)
pvextra=$(sed -n 's/^extra *= *"\(.*\)".*/\1/p' xl-pv.cfg)
step "compare native (direct PVH boot, -m ${pvmem}M, \"$pvextra\") with Xen PV domU"
if [ -n "$pvlog" ] && [ -s "$pvlog" ]; then
	if [ "$pvmem" = "$mem" ] && [ "$pvextra" = "$extra" ]; then
		natpv=$out/native-pvh.log
	else
		natpv=$out/native-pvh-pv.log
		timeout 300 qemu-system-x86_64 -M pc -cpu qemu64 -m "${pvmem}M" -display none \
			-serial "file:$natpv" -no-reboot -device isa-debug-exit,iobase=0x501,iosize=2 \
			-kernel "$BUILD/topdown.elf" -append "$pvextra"
	fi
	"$BUILD/tools/tracecmp" --svg "$out/compare-pv.svg" "$natpv" "$pvlog"
	rc=$?
	echo "demo: picture: $out/compare-pv.svg"
	[ $rc -eq 0 ] || fail=1
else
	echo "demo: no Xen PV trace to compare"
	fail=1
fi

step "all three side by side: native, Xen PVH, Xen PV"
if [ -n "$xenlog" ] && [ -n "$pvlog" ] && [ -s "$xenlog" ] && [ -s "$pvlog" ]; then
	"$BUILD/tools/tracecmp" -q --svg "$out/compare-all.svg" "$natpv" "$xenlog" "$pvlog" \
		>"$out/compare-all.txt"
	rc=$?
	tail -n 1 "$out/compare-all.txt" | sed 's/^/demo: three-way /'
	[ $rc -eq 0 ] || fail=1
	echo "demo: picture: $out/compare-all.svg"
fi

echo
if [ $fail -eq 0 ]; then
	echo "demo: PASS: native (PVH, GRUB), Xen PVH domU and Xen PV domU booted and passed; traces differ only as expected ($out/compare.svg, $out/compare-pv.svg, $out/compare-all.svg)"
else
	echo "demo: FAIL: see the messages above"
fi
exit $fail
