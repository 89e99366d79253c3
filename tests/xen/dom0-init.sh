#!/bin/sh
# dom0-init.sh - /init of the Xen lab's Linux PV dom0 (busybox ash).
#
# Brings up the Xen toolstack, runs one domU described by the overlay that run.sh appends
# to the initramfs, sends the logs back over the console and powers dom0 off:
#   /lab/run.conf   GUEST_NAME, GUEST_TIMEOUT (s), LAB_MODE (run | shell)
#   /lab/xl.cfg     the repo's xl.cfg, kernel path and extra rewritten by run.sh
#   /lab/guest.elf  the guest kernel
#
# Protocol towards run.sh (every marker is a line of its own on hvc0 -> Xen -> COM1):
#   @@PHASE <name> [key=value...]@@      progress; run.sh timestamps them
#   @@BEGIN <file>@@                      a log file follows, each line prefixed "@|"
#   @@END <file> lines=N md5=HEX@@        ... and ends; md5 of the text as sent
#   @@RESULT verdict=V reason=R domid=N@@ the dom0-side verdict
#   @@DONE@@                              all sent; dom0 powers off next
# Verdicts: ran (shut down by itself), crashed (shutdown reason crash/reboot/watchdog),
# timeout (still alive after GUEST_TIMEOUT: destroyed), create-failed, toolstack-failed.

PATH=/usr/lib/xen-4.17/bin:/sbin:/bin:/usr/sbin:/usr/bin
export PATH
CONLOG=/var/log/xen/console     # xenconsoled --log-dir
XLLOG=/var/log/xen              # where the xl daemon logs (xl-<name>.log)

mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -t 1 ] || exec </dev/console >/dev/console 2>&1
mark() { echo "@@PHASE $*@@"; }
mount -t proc proc /proc
mark dom0-init "uptime=$(cut -d' ' -f1 /proc/uptime)"
# Nothing seeds the kernel's RNG here (no RDRAND in qemu64, hardly any interrupts), and
# libuuid in `xl create` retries a non-blocking getrandom() for ~3 s before giving up.
# A blocking read makes the kernel gather jitter entropy now (~1 s under TCG), overlapped
# with the toolstack start.
head -c 1 /dev/random >/dev/null &
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mkdir -p /run/xen /run/xenstored /run/lock $CONLOG
hostname dom0

# send FILE [NAME]: the file between markers, without control characters other than tab
# and newline (CRs included: they would not survive the trip), ending in a newline.
send() {
	name=${2:-$(basename "$1")}
	tmp=/run/send.tmp
	if [ -f "$1" ]; then tr -d '\000-\010\013-\037\177' <"$1" >$tmp; else : >$tmp; fi
	[ -s $tmp ] && [ -n "$(tail -c 1 $tmp)" ] && echo >>$tmp
	echo "@@BEGIN $name@@"
	sed 's/^/@|/' $tmp
	echo "@@END $name lines=$(wc -l <$tmp) md5=$(md5sum <$tmp | cut -d' ' -f1)@@"
}

# finish VERDICT REASON: send everything back and power off.
finish() {
	echo 1 >/proc/sys/kernel/printk      # keep kernel messages out of the transfer
	mark sending "verdict=$1"
	xl dmesg >/run/xl-dmesg.log 2>&1
	send "$CONLOG/guest-$GUEST_NAME.log" guest.log
	send /run/xl-dmesg.log xl-dmesg.log
	send /run/xl-create.log xl-create.log
	send "$XLLOG/xl-$GUEST_NAME.log" xl.log
	send /run/dom0-dmesg.log dom0-dmesg.log
	for f in /run/out/*; do
		case $f in *-xl-create.log|*/main-guest.log|'/run/out/*') continue ;; esac
		send "$f" "out-$(basename "$f")"
	done
	echo "@@RESULT verdict=$1 reason=$2 domid=${DOMID:--}@@"
	echo "@@DONE@@"
	sleep 1
	poweroff -f
}

fail_toolstack() {
	echo "dom0-init: $*"
	dmesg >/run/dom0-dmesg.log
	GUEST_NAME=none
	finish toolstack-failed "$(echo "$*" | tr ' =' '__')"
}

KVER=$(uname -r)
while read -r m; do
	insmod "/lib/modules/$KVER/$m" || fail_toolstack "insmod $m failed"
done </etc/lab/modules
mkdir -p /proc/xen
mount -t xenfs xenfs /proc/xen || fail_toolstack "mount xenfs failed"

xenstored --pid-file /run/xenstored.pid || fail_toolstack "xenstored failed"
i=0
while [ ! -S /run/xenstored/socket ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
xen-init-dom0 >/run/xen-init-dom0.log 2>&1 || {
	cat /run/xen-init-dom0.log
	fail_toolstack "xen-init-dom0 failed"
}
xenconsoled --log=guest --log-dir=$CONLOG --pid-file=/run/xenconsoled.pid ||
	fail_toolstack "xenconsoled failed"
xl info >/run/xl-info.log 2>&1 || { cat /run/xl-info.log; fail_toolstack "xl info failed"; }
mark toolstack-up "uptime=$(cut -d' ' -f1 /proc/uptime)" \
	"free_memory=$(sed -n 's/^free_memory *: *//p' /run/xl-info.log)MiB"
dmesg >/run/dom0-dmesg.log

GUEST_NAME=none
GUEST_TIMEOUT=60
LAB_MODE=shell
[ -f /lab/run.conf ] && . /lab/run.conf
if [ "$LAB_MODE" = shell ]; then
	echo "dom0-init: no run requested; here is a shell (poweroff -f to leave)"
	setsid cttyhack sh
	poweroff -f
fi

# run_guest NAME CFG TAG: one guest from xl create to its end, then what INSPECT asks for.
# Sets DOMID, verdict and reason; the outputs go to /run/out/TAG-*.
run_guest() {
	name=$1 cfg=$2 tag=$3
	timeout 120 xl create -p "$cfg" >"/run/out/$tag-xl-create.log" 2>&1
	rc=$?
	cat "/run/out/$tag-xl-create.log"
	[ "$tag" = main ] && cp "/run/out/$tag-xl-create.log" /run/xl-create.log
	if [ $rc -ne 0 ] || ! DOMID=$(xl domid "$name" 2>/dev/null); then
		mark xl-create-failed "rc=$rc"
		xl destroy "$name" >/dev/null 2>&1
		verdict=create-failed reason=xl_create_rc_$rc
		return 1
	fi
	mark xl-create "domid=$DOMID guest=$tag"

	# xenconsoled opens the guest's log when it notices the domain; unpausing before that
	# could lose the first lines.
	log=$CONLOG/guest-$name.log
	i=0
	while [ ! -e "$log" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$log" ] || echo "dom0-init: xenconsoled did not open a log"
	sleep 0.2
	# Xen's trace of the guest's hypercalls (TRACE_MASK: xentrace's event mask): from
	# before the unpause until the guest has ended; the trace buffers (xentrace -S) are
	# allocated by the first run and kept.
	tpid=
	if [ -n "${TRACE_MASK:-}" ]; then
		xentrace -D -S "${TRACE_PAGES:-2048}" -e "$TRACE_MASK" "/run/out/$tag-xentrace.bin" \
			>"/run/out/$tag-xentrace.log" 2>&1 &
		tpid=$!
		sleep 1
	fi
	xl unpause "$name" || fail_toolstack "xl unpause failed"
	mark unpaused "timeout=$GUEST_TIMEOUT guest=$tag"

	# The guest's end: the domain is gone (on_poweroff/on_crash "destroy"), or shut down but
	# kept (state s or c: "preserve"), or, with GUEST_WAIT=result, it printed its result line
	# and stays alive (topdown's end=wait).
	start=$(cut -d. -f1 /proc/uptime)
	verdict= reason= alive=0
	while state=$(xl list "$name" 2>/dev/null | awk 'NR == 2 { print $5 }') && [ -n "$state" ]; do
		case $state in *s*|*c*) alive=1; break ;; esac
		if [ "${GUEST_WAIT:-end}" = result ] && grep -q '^topdown: result: ' "$log" 2>/dev/null; then
			alive=1 verdict=ran reason=waiting
			break
		fi
		now=$(cut -d. -f1 /proc/uptime)
		if [ $((now - start)) -ge "$GUEST_TIMEOUT" ]; then
			echo "dom0-init: $name still running after ${GUEST_TIMEOUT}s: destroying it"
			xl list
			xl destroy "$name"
			verdict=timeout reason=destroyed alive=0
			break
		fi
		sleep 0.3
	done

	# The xl daemon logs "Domain N has shut down, reason code R" before destroying or
	# preserving it.
	if [ -z "$verdict" ]; then
		i=0
		while ! grep -q "Domain $DOMID has shut down, reason code" "$XLLOG/xl-$name.log" 2>/dev/null &&
			[ $i -lt 20 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		code=$(sed -n "s/.*Domain $DOMID has shut down, reason code \\([0-9]*\\).*/\\1/p" \
			"$XLLOG/xl-$name.log" 2>/dev/null | tail -n 1)
		case $code in
		0) verdict=ran reason=poweroff ;;
		1) verdict=crashed reason=reboot ;;     # PVH: a triple fault ends up here
		2) verdict=crashed reason=suspend ;;   # topdown never suspends
		3) verdict=crashed reason=crash ;;
		4) verdict=crashed reason=watchdog ;;
		5) verdict=crashed reason=soft_reset ;;
		*) verdict=crashed reason=unknown ;;
		esac
	fi
	if [ -n "$tpid" ]; then
		kill -INT "$tpid"
		wait "$tpid"
		echo "xentrace exit=$? domid=$DOMID bytes=$(wc -c <"/run/out/$tag-xentrace.bin")" \
			>>"/run/out/$tag-xentrace.log"
	fi
	mark guest-end "verdict=$verdict reason=$reason guest=$tag"
	if [ $alive = 1 ]; then
		inspect "$DOMID" "$tag"
		xl destroy "$name"
	fi
	sleep 0.3                                  # let xenconsoled write its last read
	cp "$log" "/run/out/$tag-guest.log" 2>/dev/null
	return 0
}

# inspect DOMID TAG: Xen's own view of a domain that still exists (INSPECT: p2m, core).
#   p2m   xen-mfndump dump-p2m: every pfn's mfn and Xen page type; only the lines of pages
#         with a table type are sent, the rest counted (4 GiB are a million lines)
#   core  xl dump-core through a pipe: its exit code, size and first 64 KiB (ELF headers)
inspect() {
	for what in ${INSPECT:-}; do
		case $what in
		p2m)
			xen-mfndump dump-p2m "$1" >/run/p2m.full 2>&1
			rc=$?
			{
				echo "dump-p2m exit=$rc lines=$(wc -l </run/p2m.full)"
				grep -v -E '^ *pfn=|^ *0x[0-9a-f]+ ' /run/p2m.full | head -n 40
				grep -E 'L[1-4]' /run/p2m.full
			} >"/run/out/$2-p2m.log"
			rm -f /run/p2m.full ;;
		core)
			rm -f /run/core.fifo
			mkfifo /run/core.fifo
			{ dd bs=65536 count=1 iflag=fullblock of="/run/out/$2-core.head" 2>/dev/null
			  wc -c >/run/core.rest; } </run/core.fifo &
			xl dump-core "$1" /run/core.fifo >"/run/out/$2-dump-core.log" 2>&1
			echo "dump-core exit=$?" >>"/run/out/$2-dump-core.log"
			wait
			echo "dump-core bytes=$(($(wc -c <"/run/out/$2-core.head") + $(cat /run/core.rest)))" \
				>>"/run/out/$2-dump-core.log"
			base64 "/run/out/$2-core.head" >"/run/out/$2-core.head.b64"
			rm -f /run/core.fifo "/run/out/$2-core.head" ;;
		esac
	done
}

mkdir -p /run/out
run_guest "$GUEST_NAME" /lab/xl.cfg main || finish "$verdict" "$reason"
mverdict=$verdict mreason=$reason mdomid=$DOMID
# More guests in the same boot (MORE_GUESTS="TAG ...": /lab/TAG/xl.cfg, name from it)
for tag in ${MORE_GUESTS:-}; do
	gname=$(sed -n 's/^name *= *"\(.*\)".*/\1/p' "/lab/$tag/xl.cfg")
	run_guest "$gname" "/lab/$tag/xl.cfg" "$tag"
done
verdict=$mverdict reason=$mreason DOMID=$mdomid
for f in /run/out/*-xentrace.bin; do
	[ -f "$f" ] || continue
	gzip -c "$f" | base64 >"$f.gz.b64"
	rm -f "$f"
done
dmesg >/run/dom0-dmesg.log
finish "$verdict" "$reason"
