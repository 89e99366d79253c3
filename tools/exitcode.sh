#!/bin/sh
# tools/exitcode.sh STATUS [ASM_OFFSETS_INC] — QEMU's exit status after isa-debug-exit as the
# run's verdict (exit 0 PASS, 1 FAIL, 2 PANIC, 3 none).  The kernel writes DEBUG_EXIT_PASS/
# FAIL/PANIC of include/arch/boot.h, found in build/gen/asm-offsets.inc; QEMU exits (v << 1) | 1.
inc=${2:-build/gen/asm-offsets.inc}
n=0
for kind in PASS FAIL PANIC; do
	v=$(sed -n "s/^%define DEBUG_EXIT_$kind //p" "$inc" 2>/dev/null)
	[ -n "$v" ] && [ "$1" -eq $((v << 1 | 1)) ] && { echo "qemu: exit $1: $kind"; exit $n; }
	n=$((n + 1))
done
echo "qemu: exit $1: no verdict (crash, reset or QEMU error)"
exit 3
