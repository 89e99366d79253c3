#!/bin/sh
# tools/accel.sh ACCEL [CPU] — QEMU accelerator arguments for ACCEL=auto|kvm|tcg.
#
# Prints the arguments ("-accel kvm -cpu EPYC" ...) on stdout and, on stderr,
# one line saying what was chosen and why — make's run targets show it first.
#   auto  KVM if QEMU can open it here (/dev/kvm usable), else TCG
#   kvm   KVM or an error
#   tcg   QEMU's emulator (deterministic; what -icount and the tests need)
# Under KVM the CPU model is the host's subset: qemu64 stays qemu64; "max"
# becomes EPYC (a nested /dev/kvm without nested paging aborts QEMU on
# -cpu host/max: MSR 0x10a), unless KVM_CPU says otherwise.
set -eu
accel=${1:-auto} cpu=${2:-qemu64}
QEMU=${QEMU:-qemu-system-x86_64}

kvm_works() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	echo quit | "$QEMU" -accel kvm -machine none -nodefaults -display none -monitor stdio \
		>/dev/null 2>&1
}

case "$accel" in
auto)
	if kvm_works; then
		accel=kvm why="auto: /dev/kvm works"
	else
		accel=tcg why="auto: no usable /dev/kvm"
	fi ;;
kvm)
	kvm_works || { echo "accel: ACCEL=kvm but KVM does not work here (/dev/kvm missing or not usable)" >&2; exit 1; }
	why="asked for" ;;
tcg)	why="asked for" ;;
*)	echo "accel: ACCEL=$accel: want auto, kvm or tcg" >&2; exit 1 ;;
esac
if [ "$accel" = kvm ]; then
	case "$cpu" in
	max|host) cpu=${KVM_CPU:-EPYC} ;;
	esac
fi
echo "accel: $accel ($why), cpu $cpu" >&2
echo "-accel $accel -cpu $cpu"
