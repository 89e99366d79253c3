#!/bin/sh
# tools/accel.sh ACCEL [CPU] — QEMU accelerator arguments for ACCEL=auto|kvm|tcg.
#
# Prints the arguments ("-accel kvm -cpu EPYC" ...) on stdout and, on stderr,
# one line saying what was chosen and why — make's run targets show it first.
#   auto  KVM if QEMU can open it here (/dev/kvm usable), else TCG
#   kvm   KVM or an error
#   tcg   QEMU's emulator (deterministic; what -icount and the tests need)
# Under KVM "max" becomes EPYC (a nested /dev/kvm without nested paging
# aborts QEMU on -cpu host/max: MSR 0x10a), unless KVM_CPU says otherwise,
# and features the host's KVM lacks are turned off explicitly.
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
	# Leave out what this host's KVM does not offer (QEMU filters it anyway,
	# with a warning per feature): the guest sees the same CPU, stderr stays
	# clean for the tests.  A nested /dev/kvm may lack even SSE3 ("pni").
	missing=$(echo quit | "$QEMU" -accel kvm -cpu "$cpu" -M pc -nodefaults -display none -S \
		-monitor stdio 2>&1 >/dev/null |
		sed -n 's/.*host doesn.t support requested feature: CPUID\.[^.]*\.\([^ ]*\) \[bit.*/\1/p')
	for f in $missing; do
		cpu="$cpu,-$f"
	done
fi
echo "accel: $accel ($why), cpu $cpu" >&2
echo "-accel $accel -cpu $cpu"
