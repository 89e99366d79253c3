#!/bin/bash
# run.sh - boot a PVH kernel under Xen 4.17 inside QEMU (TCG) and collect its logs.
#
# Usage:
#   run.sh --mode domu|dom0 [--kernel ELF] [--cfg XLCFG] [--extra "OPTS"] [--out DIR]
#          [--timeout S] [--lab DIR] [--dom0-mem MIB] [--vcpus N] [--shell]
#          [--memory MIB] [--dom0-type pvh|pv] [--inspect "p2m core"] [--wait result] [--trace MASK] [--more TAG=XLCFG ...]
#          [--xen-opts "OPTS"]
#
#   --mode domu   Xen + Linux PV dom0 (build/xenlab); dom0 runs `xl create -p` on a copy of
#                 XLCFG (kernel path rewritten, OPTS appended to extra), unpauses the guest
#                 once xenconsoled logs it, waits for the domain to go (destroying it after
#                 S seconds, default 60) and sends the logs back over the serial line.
#   --mode dom0   Xen boots the kernel itself as a PVH dom0, no Linux. Its command line is
#                 XLCFG's extra plus OPTS; its memory XLCFG's memory (or --dom0-mem).
#                 Output arrives as "(d0) ..." lines (port 0xE9, guest_loglvl=all).
#                 S (default 30) bounds the whole run.
#   --memory      the guest's RAM in MiB instead of XLCFG's memory (domU: its memory line
#                 replaced; dom0: dom0_mem); the machine grows with it
#   --dom0-type   dom0 mode: pvh (default) or pv, Xen 4.17's own default (no dom0=pvh on
#                 its command line); a PV dom0 writes with console_io, whose lines reach
#                 the serial line raw: guest.log is those lines
#   --kernel      default: the kernel named in XLCFG (XLCFG defaults to xl.cfg)
#   --vcpus       the guest's vCPUs (domU: XLCFG's vcpus replaced; dom0: dom0_max_vcpus,
#                 default 1) and QEMU's CPUs, so Xen has as many pCPUs
#   --out         default: build/xen/<mode>; previous results there are replaced
#   --shell       domU mode only: an interactive dom0 shell on this terminal instead of a
#                 run; the kernel (if any) and the rewritten config are in /lab/
#   --inspect     domU: Xen's own view of the guest once it has ended but still exists
#                 (--wait result, else on_poweroff/on_crash become "preserve"): p2m runs
#                 `xen-mfndump dump-p2m` (-> out-main-p2m.log: the pages with a table type),
#                 core `xl dump-core` (-> out-main-dump-core.log, main-core.head: its ELF head)
#   --wait result domU: the guest's end is its "topdown: result:" line (topdown end=wait keeps
#                 it alive for inspection); dom0 destroys it after --inspect
#   --trace MASK  domU: xentrace with this event mask around each guest (from before the
#                 unpause to its end) -> TAG-xentrace.bin (TAG main, or --more's)
#   --xen-opts    more options on Xen's own command line, after the runner's (a later Xen
#                 option wins); e.g. credit2_runqueue=cpu (docs/smp.md: the 4-vCPU PVH dom0)
#   --more TAG=XLCFG  domU: after the main guest, another guest in the same Xen boot (its own
#                 kernel and ramdisk from XLCFG, extra unchanged); its console log comes back
#                 as out-TAG-guest.log.  Repeatable.
#
# Results in OUT/: serial.log (everything from COM1), guest.log (the guest's console:
# domU: the PV console as xenconsoled logged it; dom0: the (d0) lines without prefixes and
# timestamps), status (key=value: verdict, exit, reason, phase times) and, domU mode only,
# xl-dmesg.log, xl-create.log, xl.log, dom0-dmesg.log and guest-e9.log (the guest's port
# 0xE9 lines from the serial log); dom0 mode only, dom0-console.log (what the kernel wrote
# with console_io, which reaches the serial line raw). qemu.cmd repeats the QEMU command.
# Line ends are LF; CRs are stripped.
#
# Exit codes: tests/xen/exitcodes.txt (ran 0, usage 1, ... transfer 7), printed by --help.
# An empty guest.log is not an error here, but is reported loudly and as guest_log=empty.
set -uo pipefail

MODE=
KERNEL=
CFG=xl.cfg
EXTRA=
OUT=
TIMEOUT=
LAB=build/xenlab
DOM0_MEM=
VCPUS=
SHELL_MODE=0
INSPECT=
WAIT=
TRACE=
MORE=()
DOM0_TYPE=pvh
MEMORY=
XEN_OPTS=

HERE=$(dirname "$0")
declare -A CODES=()     # verdict -> exit code, from the one table
while read -r code verdict _; do CODES[$verdict]=$code; done < <(grep -v '^#' "$HERE/exitcodes.txt")
usage() { sed -n '2,/^set -uo/p' "$0" | sed 's/^# \{0,1\}//;$d'; grep -v '^#' "$HERE/exitcodes.txt"; exit "${CODES[usage]}"; }
die() { echo "xen-run: error: $*" >&2; exit "${CODES[usage]}"; }

while [ $# -gt 0 ]; do
	case $1 in
	--mode) MODE=$2; shift ;;
	--kernel) KERNEL=$2; shift ;;
	--cfg) CFG=$2; shift ;;
	--extra) EXTRA=$2; shift ;;
	--out) OUT=$2; shift ;;
	--timeout) TIMEOUT=$2; shift ;;
	--lab) LAB=$2; shift ;;
	--dom0-mem) DOM0_MEM=$2; shift ;;
	--vcpus) VCPUS=$2; shift ;;
	--shell) SHELL_MODE=1 ;;
	--inspect) INSPECT=$2; shift ;;
	--wait) WAIT=$2; shift ;;
	--trace) TRACE=$2; shift ;;
	--more) MORE+=("$2"); shift ;;
	--dom0-type) DOM0_TYPE=$2; shift ;;
	--memory) MEMORY=$2; shift ;;
	--xen-opts) XEN_OPTS=$2; shift ;;
	-h|--help) usage ;;
	*) echo "xen-run: unknown argument: $1" >&2; usage ;;
	esac
	shift || usage
done

case $MODE in
domu) TIMEOUT=${TIMEOUT:-60} ;;
dom0) TIMEOUT=${TIMEOUT:-30} ;;
*) echo "xen-run: --mode domu|dom0 is required" >&2; usage ;;
esac
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout wants seconds"
[[ $DOM0_TYPE =~ ^(pvh|pv)$ ]] || die "--dom0-type wants pvh or pv"
[[ ${VCPUS:-1} =~ ^[1-9][0-9]*$ ]] || die "--vcpus wants a number"
OUT=${OUT:-build/xen/$MODE}

# --- xl.cfg -------------------------------------------------------------------------------
# Only simple one-line `key = value` settings are understood (which is all xl.cfg uses).
[ -f "$CFG" ] || die "no xl config $CFG"
cfg_get() { # key -> value without quotes
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "${CFG:?}" | tail -n 1 |
		sed 's/[[:space:]]*#.*$//; s/^"\(.*\)"$/\1/'
}
CFG_NAME=$(cfg_get name)
CFG_MEMORY=$(cfg_get memory)
CFG_KERNEL=$(cfg_get kernel)
CFG_EXTRA=$(sed -n 's/^[[:space:]]*extra[[:space:]]*=[[:space:]]*"\(.*\)".*/\1/p' "$CFG" | tail -n 1)
[ -n "$CFG_NAME" ] || die "$CFG has no name"
[[ $CFG_MEMORY =~ ^[0-9]+$ ]] || die "$CFG has no numeric memory (MiB)"
if [ -n "$MEMORY" ]; then
	[[ $MEMORY =~ ^[1-9][0-9]*$ ]] || die "--memory wants MiB"
	CFG_MEMORY=$MEMORY
fi
KERNEL=${KERNEL:-$CFG_KERNEL}
if [ $SHELL_MODE = 0 ]; then
	[ -n "$KERNEL" ] || die "no kernel: give --kernel or set kernel in $CFG"
	[ -f "$KERNEL" ] || die "no kernel $KERNEL (build it first)"
fi
CMDLINE=$(echo "$CFG_EXTRA $EXTRA" | sed 's/^ *//; s/ *$//; s/  */ /g')
case $CMDLINE in *'"'*|*\\*) die "kernel options must not contain quotes or backslashes" ;; esac

for f in xen dom0-kernel dom0.cpio.gz; do
	[ -f "$LAB/$f" ] || die "no $LAB/$f: run 'make xenlab' first"
done
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not installed"

mkdir -p "$OUT"
rm -rf "$OUT"/{serial.log,guest.log,guest-e9.log,xl-dmesg.log,xl-create.log,xl.log,dom0-dmesg.log,dom0-console.log,status,qemu.cmd,work}
rm -rf "$OUT"/out-* "$OUT"/*-xentrace.bin "$OUT"/*-core.head
WORK=$OUT/work
mkdir -p "$WORK"
SERIAL=$OUT/serial.log
: >"$SERIAL"

# QEMU's -initrd splits modules at commas (",," is a literal one); Xen splits a module
# string at the first space into file name and command line.
case "$KERNEL$LAB$WORK" in *' '*) die "no spaces in the kernel, lab or output paths" ;; esac
qesc() { echo "${1//,/,,}"; }

# Xen's serial transmit buffer drops characters when full and its console ring (xl dmesg)
# keeps only its tail: make both large enough for a chatty guest.
XEN_CMD="console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all noreboot"
XEN_CMD="$XEN_CMD console_timestamps=boot serial_tx_buffer=1M conring_size=1M"
QEMU_MEM=2048
if [ "$MODE" = domu ]; then
	XEN_CMD="$XEN_CMD dom0_mem=512M,max:512M dom0_max_vcpus=1"
	# dom0 512 MiB + Xen's own: grow the machine for big guests (the biggest one: the
	# guests of one run never live at the same time)
	big=$CFG_MEMORY
	for m in "${MORE[@]}"; do
		mm=$(CFG=${m#*=} cfg_get memory)
		[[ $mm =~ ^[0-9]+$ ]] || die "${m#*=} has no numeric memory"
		[ "$mm" -gt "$big" ] && big=$mm
	done
	[ "$big" -gt 1280 ] && QEMU_MEM=$((big + 768))
else
	DOM0_MEM=${DOM0_MEM:-$CFG_MEMORY}
	[ "$DOM0_TYPE" = pvh ] && XEN_CMD="$XEN_CMD dom0=pvh"
	XEN_CMD="$XEN_CMD dom0-iommu=none dom0_mem=${DOM0_MEM}M,max:${DOM0_MEM}M dom0_max_vcpus=${VCPUS:-1}"
	[ "$DOM0_MEM" -gt 1536 ] && QEMU_MEM=$((DOM0_MEM + 512))
fi
case $XEN_OPTS in *'"'*|*\\*) die "--xen-opts: no quotes or backslashes" ;; esac
XEN_CMD="$XEN_CMD${XEN_OPTS:+ $XEN_OPTS}"

# --- the domU overlay ---------------------------------------------------------------------
if [ "$MODE" = domu ]; then
	mkdir -p "$WORK/overlay/lab"
	[ -f "$KERNEL" ] && cp "$KERNEL" "$WORK/overlay/lab/guest.elf"
	{
		keep=
		# --inspect: the guest must still exist at its end (unless it waits)
		[ -n "$INSPECT" ] && [ "$WAIT" != result ] && keep='\|on_poweroff\|on_crash'
		sed "/^[[:space:]]*\(kernel\|extra\|cmdline${VCPUS:+\\|vcpus}${MEMORY:+\\|memory}$keep\)[[:space:]]*=/d" "$CFG"
		echo "# set by tests/xen/run.sh"
		[ -z "$keep" ] || printf '%s\n' 'on_poweroff = "preserve"' 'on_crash = "preserve"'
		echo "kernel = \"/lab/guest.elf\""
		echo "extra = \"$CMDLINE\""
		[ -z "$VCPUS" ] || echo "vcpus = $VCPUS"
		[ -z "$MEMORY" ] || echo "memory = $MEMORY"
	} >"$WORK/overlay/lab/xl.cfg"
	{
		echo "GUEST_NAME='$CFG_NAME'"
		echo "GUEST_TIMEOUT=$TIMEOUT"
		[ $SHELL_MODE = 1 ] && echo "LAB_MODE=shell" || echo "LAB_MODE=run"
		echo "INSPECT='$INSPECT'"
		echo "GUEST_WAIT='${WAIT:-end}'"
		echo "TRACE_MASK='$TRACE'"
		echo "MORE_GUESTS='${MORE[*]%%=*}'"
	} >"$WORK/overlay/lab/run.conf"
	# the other guests: kernel and ramdisk copied in, their paths rewritten
	for m in "${MORE[@]}"; do
		tag=${m%%=*} mcfg=${m#*=}
		[[ $tag =~ ^[a-z0-9-]+$ ]] && [ "$tag" != main ] || die "--more: bad tag $tag"
		[ -f "$mcfg" ] || die "--more: no xl config $mcfg"
		mkdir -p "$WORK/overlay/lab/$tag"
		k=$(CFG=$mcfg cfg_get kernel) r=$(CFG=$mcfg cfg_get ramdisk)
		[ -f "$k" ] || die "--more: no kernel $k (from $mcfg)"
		cp "$k" "$WORK/overlay/lab/$tag/kernel"
		[ -z "$r" ] || cp "$r" "$WORK/overlay/lab/$tag/ramdisk" || die "--more: no ramdisk $r"
		{
			sed "/^[[:space:]]*\(kernel\|ramdisk\)[[:space:]]*=/d" "$mcfg"
			echo "# set by tests/xen/run.sh"
			echo "kernel = \"/lab/$tag/kernel\""
			[ -z "$r" ] || echo "ramdisk = \"/lab/$tag/ramdisk\""
		} >"$WORK/overlay/lab/$tag/xl.cfg"
	done
	(cd "$WORK/overlay" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -n -1 >"$WORK/overlay.cpio.gz"
	cat "$LAB/dom0.cpio.gz" "$WORK/overlay.cpio.gz" >"$WORK/initrd.cpio.gz"
	QEMU_APPEND=$XEN_CMD
	QEMU_INITRD="$(qesc "$LAB/dom0-kernel") console=hvc0 earlyprintk=xen loglevel=5"
	QEMU_INITRD="$QEMU_INITRD,$(qesc "$WORK/initrd.cpio.gz")"
else
	QEMU_APPEND=$XEN_CMD
	QEMU_INITRD="$(qesc "$KERNEL")${CMDLINE:+ $(qesc "$CMDLINE")}"
fi

# shellcheck disable=SC2054 # commas inside -cpu
# TCG always (-accel tcg): Xen needs SVM with nested paging, which QEMU emulates;
# the /dev/kvm of the build machines is PVM (kvm_pvm, a software hypervisor running
# guest code at CPL 3), which offers no SVM, and Xen under it prints nothing.
QEMU=(qemu-system-x86_64 -accel tcg -M pc -cpu qemu64,+svm,+npt -m "$QEMU_MEM" -smp "${VCPUS:-1}" -nodefaults
	-display none -no-reboot -kernel "$LAB/xen" -append "$QEMU_APPEND" -initrd "$QEMU_INITRD")

if [ $SHELL_MODE = 1 ]; then
	[ "$MODE" = domu ] || die "--shell is for --mode domu"
	echo "xen-run: interactive dom0; quit QEMU with Ctrl-a x"
	exec "${QEMU[@]}" -serial mon:stdio
fi

echo "xen-run: mode=$MODE kernel=$KERNEL memory=${CFG_MEMORY}M timeout=${TIMEOUT}s out=$OUT"
echo "xen-run: accel tcg (forced: Xen needs emulated SVM+NPT, which KVM here does not offer)"
echo "xen-run: kernel options: ${CMDLINE:-(none)}"
printf '%q ' "${QEMU[@]}" -serial "file:$SERIAL" >"$OUT/qemu.cmd"
echo >>"$OUT/qemu.cmd"

# --- the watch loop -----------------------------------------------------------------------
T0=${EPOCHREALTIME/./}
now_us() { echo $((${EPOCHREALTIME/./} - T0)); }
secs() { printf '%d.%d' $(($1 / 1000000)) $(($1 % 1000000 / 100000)); }

"${QEMU[@]}" -serial "file:$SERIAL" </dev/null >"$WORK/qemu.out" 2>&1 &
QPID=$!
cleanup() { kill "$QPID" 2>/dev/null; wait "$QPID" 2>/dev/null; }
trap cleanup EXIT
trap 'echo "xen-run: interrupted"; exit 130' INT TERM

# Xen's own lines: "(XEN) [    1.234567] text"; markers are anchored so that a guest
# printing them through port 0xE9 (as "(dN) ...") cannot fake them.
XEN_PFX='\(XEN\) (\[[ 0-9.a-f]+\] )?'
XEN_PANIC_RE="^${XEN_PFX}Panic on CPU"
LINUX_PANIC_RE='^(\[ *[0-9.]+\] )?Kernel panic - not syncing'
RESULT_RE='^\(d0\) (\[ *[0-9.]+\] )?.*topdown: result: (PASS|FAIL|PANIC)'
# a PV dom0 writes with console_io: Xen passes its lines to the serial line as they are
[ "$DOM0_TYPE" = pv ] && RESULT_RE='^topdown: result: (PASS|FAIL|PANIC)'
END_RE="^$XEN_PFX(Hardware Dom0 (halted|crashed|shutdown)|Panic on CPU)"

# The phases each mode watches for on the serial line: name, pattern (grep -E), label, and
# for the chain of expected steps a deadline in seconds from the step before it (the first
# from QEMU's start), with the verdict and reason when it passes or QEMU dies first.
if [ "$MODE" = domu ]; then
	WATCH=(
	xen_banner    'Xen version [0-9]'         "Xen banner"                    30  no-xen  "no banner"
	dom0_init     '^@@PHASE dom0-init'        "dom0 init started"             120 no-dom0 "dom0 init never started"
	toolstack     '^@@PHASE toolstack-up'     "dom0 toolstack up"             90  no-dom0 "toolstack never came up"
	xl_create     '^@@PHASE xl-create '       "xl create done (guest paused)" -   -       -
	create_failed '^@@PHASE xl-create-failed' "xl create FAILED"              -   -       -
	unpaused      '^@@PHASE unpaused'         "guest unpaused"                150 create-failed "xl create never finished"
	guest_end     '^@@PHASE guest-end'        "guest end"       $((TIMEOUT + 60)) timeout "dom0 never reported the guest's end"
	sending       '^@@PHASE sending'          "dom0 sending logs"             $((90 + ${#MORE[@]} * (TIMEOUT + 90) + (${#INSPECT} ? 240 : 0))) transfer "logs never started"
	logs_sent     '^@@DONE@@'                 "logs sent"                     $((60 + (${#TRACE} ? 600 : 0))) transfer "logs never finished")
else
	WATCH=(
	xen_banner    'Xen version [0-9]'         "Xen banner"                    30  no-xen  "no banner"
	dom0_build    '\*\*\* Building a PVH? Dom0' "Xen building dom0" -   -       -
	guest_start   "$([ "$DOM0_TYPE" = pv ] && echo '^topdown: ' || echo '^\(d0\) ')" "guest's first line" -   -       -
	result        "$RESULT_RE"                "guest result line"             -   -       -
	guest_end     "$END_RE"                   "guest end"                     -   -       -)
fi

declare -A SEEN=()      # phase -> microseconds since QEMU start
PHASES=()
# seen PHASE PATTERN LABEL: true once PATTERN (grep -E) is in the serial log.
seen() {
	[ -n "${SEEN[$1]:-}" ] && return 0
	grep -a -q -E -m1 -e "$2" "$SERIAL" || return 1
	SEEN[$1]=$(now_us)
	PHASES+=("$1")
	printf 'xen-run: [%6ss] %s\n' "$(secs "${SEEN[$1]}")" "$3"
}
since() { echo $(($(now_us) - ${SEEN[$1]})); }   # microseconds since a phase
S=1000000
VERDICT=
REASON=
finish_with() { VERDICT=$1; REASON=$2; }

# The step after the last one seen is due: fail the run if its deadline passed or QEMU died.
chain_deadline() {
	local i from=0 due=
	for ((i = 0; i < ${#WATCH[@]}; i += 6)); do
		[ "${WATCH[i + 3]}" = - ] && continue
		if [ -n "${SEEN[${WATCH[i]}]:-}" ]; then from=${SEEN[${WATCH[i]}]} due=
		elif [ -z "$due" ]; then due=$i; fi
	done
	[ -n "$due" ] || return 0
	if [ "$alive" = 0 ] || [ $(($(now_us) - from)) -gt $((WATCH[due + 3] * S)) ]; then
		finish_with "${WATCH[due + 4]}" "${WATCH[due + 5]}"
	fi
}

decide_domu() {
	if [ -n "${SEEN[logs_sent]:-}" ]; then sleep 0.2; finish_with from-dom0 ""; return; fi
	if grep -a -q -E "$XEN_PANIC_RE|$LINUX_PANIC_RE" "$SERIAL"; then
		sleep 1
		if [ -z "${SEEN[xen_banner]:-}" ]; then finish_with no-xen "panic"
		elif [ -z "${SEEN[toolstack]:-}" ]; then finish_with no-dom0 "panic"
		elif [ -z "${SEEN[guest_end]:-}" ]; then finish_with crashed "xen-or-dom0-panic"
		else finish_with transfer "panic"; fi
		return
	fi
	chain_deadline
}

decide_dom0() {
	if [ -z "${SEEN[xen_banner]:-}" ]; then chain_deadline; return; fi
	if [ -n "${SEEN[guest_end]:-}" ]; then
		# read the end line only now that it is known to be complete
		end=$(grep -a -E -m1 "$END_RE" "$SERIAL" | grep -o -E 'Hardware Dom0 [a-z]+|Panic on CPU')
		echo "xen-run: Xen: $end"
		sleep 0.5
		case $end in
		*halted) finish_with ran poweroff ;;
		*crashed) finish_with crashed crash ;;
		*shutdown)	# reboot (or another reason); a PVH triple fault ends so
			if grep -a -q -E "^${XEN_PFX}d0v[0-9]+ Triple fault" "$SERIAL"; then
				finish_with crashed triple-fault
			else
				finish_with crashed reboot-or-other
			fi ;;
		*)	# Xen's reason is on the line after "Panic on CPU n:"
			why=$(grep -a -A1 -E "$XEN_PANIC_RE" "$SERIAL" | tail -n 1 |
				sed -E "s/^$XEN_PFX//; s/\r//; s/ /_/g")
			if [ -n "${SEEN[guest_start]:-}" ]; then finish_with crashed "xen-panic:$why"
			else finish_with no-dom0 "xen-panic:$why"; fi ;;
		esac
	elif [ "$alive" = 0 ]; then
		finish_with crashed "machine reset"
	elif [ -n "${SEEN[result]:-}" ] && [ "$(since result)" -gt $((10 * S)) ]; then
		finish_with timeout "no shutdown after the result line"
	elif [ "$(since xen_banner)" -gt $((TIMEOUT * S)) ]; then
		if [ -z "${SEEN[guest_start]:-}" ] && [ -z "${SEEN[dom0_build]:-}" ]; then
			finish_with no-dom0 "dom0 never built"
		else
			finish_with timeout "killed after ${TIMEOUT}s"
		fi
	fi
}

# The one polling loop: note new phases, then let the mode decide whether the run is over.
while [ -z "$VERDICT" ]; do
	sleep 0.2
	alive=1
	kill -0 "$QPID" 2>/dev/null || alive=0
	for ((i = 0; i < ${#WATCH[@]}; i += 6)); do seen "${WATCH[i]}" "${WATCH[i + 1]}" "${WATCH[i + 2]}"; done
	decide_$MODE
done
WALL=$(now_us)
cleanup
trap - EXIT
sed -i '/terminating on signal 15/d' "$WORK/qemu.out"
if [ -s "$WORK/qemu.out" ]; then
	echo "xen-run: QEMU said:"
	sed 's/^/xen-run:   /' "$WORK/qemu.out"
fi

# --- results ------------------------------------------------------------------------------
tr -d '\r' <"$SERIAL" >"$WORK/serial.txt"
STATUS=()

if [ "$MODE" = domu ]; then
	# Files between @@BEGIN name@@ and @@END name lines=N md5=X@@, payload lines "@|..."
	awk -v dir="$OUT" '
		/^@@BEGIN [^ ]+@@$/ { name = substr($2, 1, length($2) - 2); f = dir "/" name
			printf "" > f; inside = 1; next }
		/^@@END / { if (inside) { close(f); print name, $3, $4 } inside = 0; next }
		inside && substr($0, 1, 2) == "@|" { print substr($0, 3) > f }' \
		"$WORK/serial.txt" | sed 's/lines=//; s/md5=//; s/@@$//' >"$WORK/sections"
	bad=
	for f in guest.log xl-dmesg.log $(awk '$1 ~ /^out-/ { print $1 }' "$WORK/sections"); do
		line=$(grep "^$f " "$WORK/sections")
		if [ -z "$line" ]; then
			bad="$bad $f:missing"
			continue
		fi
		set -- $line
		if [ "$(md5sum <"$OUT/$f" | cut -d' ' -f1)" != "$3" ] || [ "$(wc -l <"$OUT/$f")" != "$2" ]; then
			bad="$bad $f:corrupt"
		fi
	done
	# binary files came as base64 (xentrace's gzip'd): out-TAG-NAME.b64 -> TAG-NAME
	for f in "$OUT"/out-*.b64; do
		[ -f "$f" ] || continue
		b=$(basename "$f" .b64)
		b=${b#out-}
		case $b in
		*.gz) base64 -d "$f" | gzip -dc >"$OUT/${b%.gz}" || bad="$bad $b:undecodable" ;;
		*) base64 -d "$f" >"$OUT/$b" || bad="$bad $b:undecodable" ;;
		esac
		rm -f "$f"
	done
	result=$(grep -a -o -m1 '^@@RESULT [^@]*@@' "$WORK/serial.txt")
	dom0_verdict=$(echo "$result" | sed -n 's/.*verdict=\([^ @]*\).*/\1/p')
	dom0_reason=$(echo "$result" | sed -n 's/.*reason=\([^ @]*\).*/\1/p')
	domid=$(echo "$result" | sed -n 's/.*domid=\([0-9]*\).*/\1/p')
	if [ "$VERDICT" = from-dom0 ] || [ -n "$dom0_verdict" ]; then
		case $dom0_verdict in
		ran|crashed|timeout|create-failed) finish_with "$dom0_verdict" "$dom0_reason" ;;
		toolstack-failed) finish_with no-dom0 "$dom0_reason" ;;
		*) finish_with transfer "no @@RESULT@@ line" ;;
		esac
		if [ -n "$bad" ] && [ "$VERDICT" != create-failed ] && [ "$VERDICT" != no-dom0 ]; then
			echo "xen-run: logs did not come back intact:$bad"
			REASON="$REASON;$VERDICT;${bad# }"
			VERDICT=transfer
		fi
	fi
	# A PVH triple fault is a "reboot"; Xen logs it with the vCPU state.
	if [ "$REASON" = reboot ] && [ -n "$domid" ] &&
		grep -q -E "d${domid}v[0-9]+ Triple fault" "$OUT/xl-dmesg.log" 2>/dev/null; then
		REASON=triple-fault
	fi
	if [ -n "$domid" ]; then
		sed -n "s/^(d$domid) \\(\\[ *[0-9a-f.]*\\] \\)\\{0,1\\}//p" "$WORK/serial.txt" >"$OUT/guest-e9.log"
	fi
	STATUS+=("domid=${domid:-}" "transfer_problems=${bad# }")
else
	# (d0) [   1.234567] text  ->  text.  Xen prints port-0xE9 output in pieces
	# of at most 199 characters (a 200-byte line buffer): a piece of exactly
	# 199 continues on the next (d0) line, so join it back.
	sed -n 's/^(d0) \(\[ *[0-9a-f.]*\] \)\{0,1\}//p' "$WORK/serial.txt" |
		awk '{ buf = buf $0; if (length($0) == 199) next; print buf; buf = "" }
		     END { if (buf != "") print buf }' >"$OUT/guest.log"
	# lines the dom0 wrote through console_io reach the serial line raw
	grep -a -v -E '^\((XEN|d[0-9]+)\) |^$' "$WORK/serial.txt" | grep -v 'Hardware Dom0' \
		>"$OUT/dom0-console.log" || rm -f "$OUT/dom0-console.log"
	# a PV dom0 has no port 0xE9: its console is the console_io lines
	[ "$DOM0_TYPE" = pv ] && cp "$OUT/dom0-console.log" "$OUT/guest.log" 2>/dev/null
fi

[ -f "$OUT/guest.log" ] || : >"$OUT/guest.log"
GUEST_LINES=$(wc -l <"$OUT/guest.log")
CODE=${CODES[$VERDICT]:-${CODES[transfer]}}
{
	printf '%s\n' "mode=$MODE" "verdict=$VERDICT" "exit=$CODE" "reason=$REASON" "kernel=$KERNEL" \
		"cmdline=$CMDLINE" "memory=$CFG_MEMORY" "dom0_type=$DOM0_TYPE" "xen_opts=$XEN_OPTS"
	if [ "$MODE" = domu ]; then echo "vcpus=${VCPUS:-$(cfg_get vcpus)}"; else echo "vcpus=${VCPUS:-1}"; fi
	echo "xen=$(sed -n 's/^xen-hypervisor-[^=]*=//p' "$LAB/versions.txt" 2>/dev/null)"
	[ "$MODE" = domu ] && echo "dom0_kernel=$(sed -n 's/^kernel-package=//p' "$LAB/versions.txt" 2>/dev/null)"
	echo "guest_log_lines=$GUEST_LINES"
	[ "$GUEST_LINES" -eq 0 ] && echo "guest_log=empty" || echo "guest_log=ok"
	for s in "${STATUS[@]}"; do echo "$s"; done
	for p in "${PHASES[@]}"; do echo "phase_$p=$(secs "${SEEN[$p]}")"; done
	echo "wall=$(secs "$WALL")"
} >"$OUT/status"

if [ "$MODE" = domu ] && [ -f "$OUT/xl-dmesg.log" ]; then
	echo "xen-run: ---- xl-dmesg.log ($(wc -l <"$OUT/xl-dmesg.log") lines) ----"
	cat "$OUT/xl-dmesg.log"
fi
if [ "$VERDICT" = create-failed ] && [ -f "$OUT/xl-create.log" ]; then
	echo "xen-run: ---- xl-create.log ----"
	cat "$OUT/xl-create.log"
fi
if [ "$VERDICT" = no-dom0 ] && [ "$MODE" = domu ]; then
	echo "xen-run: ---- the end of serial.log ----"
	tail -n 30 "$WORK/serial.txt"
fi
echo "xen-run: ---- guest.log ($GUEST_LINES lines) ----"
cat "$OUT/guest.log"
echo "xen-run: ----"
if [ "$GUEST_LINES" -eq 0 ]; then
	echo "xen-run: WARNING: guest.log is EMPTY (the guest wrote nothing to its console)"
fi
mv "$WORK/serial.txt" "$SERIAL"
rm -rf "$WORK"
echo "xen-run: verdict=$VERDICT${REASON:+ ($REASON)} exit=$CODE wall=$(secs "$WALL")s results in $OUT/"
exit "$CODE"
