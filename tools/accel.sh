#!/bin/sh
# tools/accel.sh ACCEL [CPU] — QEMU accelerator arguments for ACCEL=auto|kvm|tcg.
#
# Prints the arguments ("-accel kvm -cpu max" ...) on stdout and, on stderr,
# one line saying what was chosen and why — make's run targets show it first.
#   auto  KVM only where the CPU has hardware virtualisation (vmx or svm in
#         /proc/cpuinfo) and QEMU can open /dev/kvm; else TCG, saying why
#   kvm   /dev/kvm whatever is behind it, or an error; a warning when the CPU
#         has neither vmx nor svm (a software hypervisor behind /dev/kvm)
#   tcg   QEMU's emulator (deterministic; what -icount and the tests need)
# Why not /dev/kvm alone: a /dev/kvm can be PVM (module kvm_pvm), a software
# hypervisor that runs guest code at CPL 3 and kernel code only in PML4 slots
# 256-509; topdown lives at -2 GiB (slot 511), so ring 3 and firmware boots
# fail there and table-heavy boots run ~100x slower (docs/hardware.md, "KVM").
# A CPU under PVM shows neither vmx nor svm.
# Under KVM without vmx/svm "max"/"host" become EPYC (PVM aborts QEMU on them:
# MSR 0x10a) unless KVM_CPU says otherwise, and features the KVM lacks are
# turned off explicitly.
set -eu
accel=${1:-auto} cpu=${2:-qemu64}
QEMU=${QEMU:-qemu-system-x86_64}
CPUINFO=${CPUINFO:-/proc/cpuinfo}      # another file only to test this script

hw_virt() {     # prints vmx or svm when the CPU has it
	grep -m1 -ow 'vmx\|svm' "$CPUINFO" 2>/dev/null || true
}
kvm_opens() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	echo quit | "$QEMU" -accel kvm -machine none -nodefaults -display none -monitor stdio \
		>/dev/null 2>&1
}

hw=$(hw_virt)
case "$accel" in
auto)
	if [ -z "$hw" ]; then
		accel=tcg why="auto: this CPU has neither vmx nor svm, so /dev/kvm, if any, is no hardware KVM"
	elif kvm_opens; then
		accel=kvm why="auto: $hw and a working /dev/kvm"
	else
		accel=tcg why="auto: $hw, but no usable /dev/kvm"
	fi ;;
kvm)
	kvm_opens || { echo "accel: ACCEL=kvm but KVM does not work here (/dev/kvm missing or not usable)" >&2; exit 1; }
	if [ -n "$hw" ]; then
		why="asked for; $hw"
	else
		why="asked for; WARNING: this CPU has neither vmx nor svm: /dev/kvm is a software hypervisor (PVM?), no evidence for hardware"
	fi ;;
tcg)	why="asked for" ;;
*)	echo "accel: ACCEL=$accel: want auto, kvm or tcg" >&2; exit 1 ;;
esac
if [ "$accel" = kvm ]; then
	if [ -z "$hw" ]; then
		case "$cpu" in
		max|host) cpu=${KVM_CPU:-EPYC} ;;
		esac
	fi
	# Leave out what this KVM does not offer (QEMU filters it anyway, with a
	# warning per feature): the guest sees the same CPU, stderr stays clean
	# for the tests.  PVM lacks even SSE3 ("pni").
	missing=$(echo quit | "$QEMU" -accel kvm -cpu "$cpu" -M pc -nodefaults -display none -S \
		-monitor stdio 2>&1 >/dev/null |
		sed -n 's/.*host doesn.t support requested feature: CPUID\.[^.]*\.\([^ ]*\) \[bit.*/\1/p')
	for f in $missing; do
		cpu="$cpu,-$f"
	done
fi
echo "accel: $accel ($why), cpu $cpu" >&2
echo "-accel $accel -cpu $cpu"
