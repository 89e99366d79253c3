#!/bin/sh
# tools/deps.sh JOB... — install the Debian packages a job needs, if missing.
#
# Jobs: build run iso unit fuzz xen demo check bench (demo, check and bench
# include what they run).  Installs with apt-get (as root, or through sudo)
# only when something is missing; prints what it does.
set -eu

pkgs_for() {
	case "$1" in
	build) echo make gcc libc6-dev nasm libxen-dev binutils console-data ;;
	run)   echo qemu-system-x86 ovmf ;;
	iso)   echo grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools ;;
	unit)  echo libcmocka-dev ;;
	fuzz)  echo clang libclang-rt-14-dev ;;
	test)  echo python3 ovmf tesseract-ocr ;;
	xen)   echo cpio kmod gzip ca-certificates ;;
	demo)  echo "$(pkgs_for build) $(pkgs_for run) $(pkgs_for iso) $(pkgs_for xen) $(pkgs_for test)" ;;
	check) echo "$(pkgs_for demo) $(pkgs_for unit) $(pkgs_for fuzz)" ;;
	# bench: gcc (build) compiles the QEMU plugin tests/bench/icount-range.c, which
	# needs no glib (its own API header); objdump/nm (binutils) find the addresses;
	# apt-get and dpkg-deb (always on Debian) fetch and open the Linux package.
	bench) echo "$(pkgs_for build) $(pkgs_for run) $(pkgs_for test)" ;;
	*) echo "deps.sh: unknown job '$1' (build run iso unit fuzz test xen demo check bench)" >&2; exit 2 ;;
	esac
}

[ $# -ge 1 ] || set -- check
want=""
for job in "$@"; do
	want="$want $(pkgs_for "$job")"
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -n "$missing" ] || exit 0

echo "deps.sh: installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps.sh: not root and no sudo: run as root: apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
