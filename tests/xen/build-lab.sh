#!/bin/bash
# build-lab.sh - build the cached Xen test lab under build/xenlab/.
#
# The lab is what QEMU boots before topdown gets a turn:
#   xen            Xen 4.17 hypervisor (gunzipped: a 32-bit multiboot ELF for QEMU -kernel)
#   dom0-kernel    Debian's current amd64 kernel, used as a Linux PV dom0 (the ELF vmlinux
#                  unpacked from the bzImage, which Xen loads much faster under TCG)
#   linux-guest.cpio.gz  initramfs of the Linux PV domU the bench measures beside topdown
#                  (tests/xen/xl-linux-pv.cfg): busybox and an /init that powers off at once
#   dom0.cpio.gz   dom0 initramfs: busybox-static, the Xen toolstack (xl, xenstored,
#                  xenconsoled, xen-init-dom0, ...) with its shared libraries, the Xen
#                  kernel modules and tests/xen/dom0-init.sh as /init
#   versions.txt   the resolved Debian package versions (the lab's identity)
#   stamp          written last; make compares it against the inputs
#
# Nothing is installed on the host: packages are fetched with `apt-get download` into
# build/xenlab/debs/ (kept as a cache) and unpacked with `dpkg-deb -x` into a staging dir.
#
# Usage:
#   build-lab.sh --resolve DIR   write DIR/versions.txt, touching it only when it changes
#                                (make uses its mtime to decide whether to rebuild)
#   build-lab.sh --build DIR     (re)build the lab in DIR from DIR/versions.txt
#   build-lab.sh DIR             both
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XENVER=4.17
XENBIN=/usr/lib/xen-$XENVER/bin

# Everything but the kernel, whose name changes with each Debian kernel ABI bump.
PACKAGES="xen-hypervisor-$XENVER-amd64 xen-utils-$XENVER xen-utils-common xenstore-utils
libxenmisc$XENVER libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenstore4
libxentoollog1 libxenhypfs1 libxendevicemodel1 libxentoolcore1 libyajl2 busybox-static"

# Toolstack binaries copied into the initramfs (from $XENBIN in the staging tree).
XEN_TOOLS="xl xenstored xenconsoled xen-init-dom0 xenconsole xenctx xen-hvmctx lsevtchn
xen-mfndump xentrace xentrace_setsize"

# Kernel modules dom0 needs for the toolstack; dependencies come from modules.dep.
MODULES="xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc"

trap 'echo "xenlab: error: line $LINENO: $BASH_COMMAND failed" >&2' ERR
log() { echo "xenlab: $*"; }
die() { echo "xenlab: error: $*" >&2; exit 1; }

# --- resolving versions -----------------------------------------------------------------

kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '!found && $1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; found = 1 }'
}

# Print "package=version" for each candidate version apt knows, in argument order.
candidates() {
	apt-cache policy "$@" 2>/dev/null | awk '
		/^[^ ].*:$/ { pkg = substr($0, 1, length($0) - 1) }
		$1 == "Candidate:" && $2 != "(none)" { print pkg "=" $2 }'
}

resolve() {
	local dir=$1 kpkg lines n new
	mkdir -p "$dir"
	new=$dir/versions.txt.new.$$    # its own name: parallel check-xen cases resolve at once
	kpkg=$(kernel_package)
	if [ -z "$kpkg" ] && [ "$(id -u)" = 0 ]; then
		log "apt-cache knows no linux-image-amd64; running apt-get update"
		apt-get update -qq >/dev/null || true
		kpkg=$(kernel_package)
	fi
	[ -n "$kpkg" ] || die "cannot resolve linux-image-amd64 (run apt-get update)"
	# shellcheck disable=SC2086
	lines=$(candidates $PACKAGES "$kpkg")
	n=$(echo "$lines" | grep -c . || true)
	[ "$n" -eq "$(echo $PACKAGES "$kpkg" | wc -w)" ] ||
		die "apt has no candidate for some packages: got only
$lines"
	{
		echo "kernel-package=$kpkg"
		echo "$lines"
	} >"$new"
	if cmp -s "$new" "$dir/versions.txt"; then
		rm -f "$new"
		log "$n package versions unchanged ($kpkg)"
	else
		mv "$new" "$dir/versions.txt"
		log "resolved $n packages ($kpkg); the lab needs a rebuild"
	fi
}

# --- building ---------------------------------------------------------------------------

fetch() {
	local debs=$1 versions=$2 pkg ver want=()
	mkdir -p "$debs"
	while IFS='=' read -r pkg ver; do
		[ "$pkg" = kernel-package ] && continue
		# apt spells an epoch "1:" as "1%3a" in file names
		if ! compgen -G "$debs/${pkg}_${ver//:/%3a}_*.deb" >/dev/null; then
			want+=("$pkg=$ver")
		fi
	done <"$versions"
	if [ ${#want[@]} -eq 0 ]; then
		log "all $(grep -vc '^kernel-package=' "$versions") packages cached in $debs"
		return
	fi
	log "downloading ${#want[@]} packages: $(printf '%s\n' "${want[@]}" | sed 's/=.*//' | tr '\n' ' ')"
	# As root apt drops to the _apt user, which may not reach the build tree.
	(cd "$debs" && apt-get -q -o APT::Sandbox::User=root download "${want[@]}" >/dev/null) ||
		die "apt-get download failed"
}

unpack() {
	local debs=$1 versions=$2 staging=$3 pkg ver f
	rm -rf "$staging"
	mkdir -p "$staging"
	while IFS='=' read -r pkg ver; do
		[ "$pkg" = kernel-package ] && continue
		f=$(compgen -G "$debs/${pkg}_${ver//:/%3a}_*.deb" | head -n1)
		dpkg-deb -x "$f" "$staging"
	done <"$versions"
}

# Copy the shared libraries of the ELF files given, as ldd resolves them with the
# staging libraries first. Staging paths lose their prefix; host paths are kept.
copy_libs() {
	local staging=$1 root=$2 bin lib dest
	shift 2
	local ldpath="$staging/usr/lib/x86_64-linux-gnu:$staging/lib/x86_64-linux-gnu"
	ldpath="$ldpath:$staging/usr/lib/xen-$XENVER/lib/x86_64-linux-gnu"
	for bin in "$@"; do
		if LD_LIBRARY_PATH=$ldpath ldd "$bin" | grep -q 'not found'; then
			LD_LIBRARY_PATH=$ldpath ldd "$bin" >&2
			die "unresolved libraries for $bin"
		fi
		LD_LIBRARY_PATH=$ldpath ldd "$bin" |
			awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
	done | sort -u | while read -r lib; do
		dest=${lib#"$staging"}
		mkdir -p "$root$(dirname "$dest")"
		cp -L "$lib" "$root$dest"
	done
}

# Xen takes ~3 s of TCG time to decompress a bzImage for dom0, but loads the ELF
# vmlinux inside it at once: write that ELF to OUT when a known compression is found,
# else the bzImage itself.
unpack_kernel() {
	local bz=$1 out=$2 magic tool off
	for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08\x00'; do
		tool=${magic%%:*}
		command -v "$tool" >/dev/null || continue
		for off in $(LC_ALL=C grep -obUaP "${magic#*:}" "$bz" | cut -d: -f1 | head -n 4); do
			# trailing data after the stream makes the tool complain: ignore its status
			tail -c +$((off + 1)) "$bz" | "$tool" -dc 2>/dev/null >"$out.new" || true
			if [ "$(head -c 4 "$out.new" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				mv "$out.new" "$out"
				log "dom0 kernel: the $tool-compressed vmlinux ELF from the bzImage"
				return
			fi
		done
	done
	rm -f "$out.new"
	log "dom0 kernel: no vmlinux found inside the bzImage; using it as is"
	cp "$bz" "$out"
}

# Print the modules (paths relative to /lib/modules/KVER) in load order.
module_order() {
	local moddir=$1 m
	shift
	declare -A done_=()
	visit() {
		local path=$1 dep
		[ -n "${done_[$path]:-}" ] && return
		done_[$path]=1
		for dep in $(awk -v p="$path:" '$1 == p { $1 = ""; print }' "$moddir/modules.dep"); do
			visit "$dep"
		done
		echo "$path"
	}
	for m in "$@"; do
		local path
		path=$(awk -F: -v m="$m" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\..*)?$/, "", n);
			gsub(/_/, "-", n); mm = m; gsub(/_/, "-", mm) } n == mm { print $1; exit }' \
			"$moddir/modules.dep")
		if [ -z "$path" ]; then
			if grep -q "/${m}.ko\$" "$moddir/modules.builtin" 2>/dev/null; then
				log "module $m is built in" >&2
				continue
			fi
			die "module $m not found in $moddir/modules.dep"
		fi
		visit "$path"
	done
}

build() {
	local dir=$1 versions staging root kpkg kver applet m
	versions=$dir/versions.txt
	[ -f "$versions" ] || resolve "$dir"
	staging=$dir/staging
	root=$dir/rootfs
	kpkg=$(sed -n 's/^kernel-package=//p' "$versions")
	kver=${kpkg#linux-image-}
	rm -f "$dir/stamp"

	fetch "$dir/debs" "$versions"
	log "unpacking $(grep -vc '^kernel-package=' "$versions") packages into $staging"
	unpack "$dir/debs" "$versions" "$staging"

	log "hypervisor and dom0 kernel ($kpkg)"
	gzip -dc "$(compgen -G "$staging/boot/xen-$XENVER-*.gz" | head -n1)" >"$dir/xen.new"
	mv "$dir/xen.new" "$dir/xen"
	unpack_kernel "$staging/boot/vmlinuz-$kver" "$dir/dom0-kernel"

	log "assembling the dom0 root in $root"
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/lab,proc,sys,dev,run,tmp,root,lab}
	mkdir -p "$root"/var/{lib/xen,lib/xenstored,log/xen} "$root$XENBIN"
	ln -s /run "$root/var/run"     # xenstored's socket lives in /var/run/xenstored
	ln -s /run/lock "$root/var/lock"
	chmod 1777 "$root/tmp"
	if [ "$(id -u)" = 0 ]; then    # else dom0-init.sh reopens the console itself
		mknod -m 600 "$root/dev/console" c 5 1
		mknod -m 666 "$root/dev/null" c 1 3
	fi

	cp "$staging/bin/busybox" "$root/bin/busybox"
	for applet in $("$root/bin/busybox" --list-full); do
		[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
	done

	local bins=()
	for m in $XEN_TOOLS; do
		cp "$staging$XENBIN/$m" "$root$XENBIN/$m"
		bins+=("$staging$XENBIN/$m")
	done
	cp "$staging/usr/bin/xenstore" "$root/usr/bin/xenstore"
	bins+=("$staging/usr/bin/xenstore")
	for m in ls read write list rm exists watch chmod; do
		ln -sf xenstore "$root/usr/bin/xenstore-$m"
	done
	log "shared libraries of: $XEN_TOOLS xenstore"
	copy_libs "$staging" "$root" "${bins[@]}"
	# glibc dlopen()s libgcc_s for pthread_cancel, which xl uses: ldd cannot see it
	local gcc_s
	# (awk reads to the end: an early exit would SIGPIPE ldconfig, fatal under pipefail)
	gcc_s=$(ldconfig -p | awk '!found && $1 == "libgcc_s.so.1" && /x86-64/ { print $NF; found = 1 }')
	[ -n "$gcc_s" ] || die "libgcc_s.so.1 not found on the host"
	mkdir -p "$root$(dirname "$gcc_s")"
	cp -L "$gcc_s" "$root$gcc_s"
	mkdir -p "$root/etc/xen"
	: >"$root/etc/xen/xl.conf"     # xl complains when it has none

	local moddir="$staging/lib/modules/$kver"
	log "kernel modules for $kver: $MODULES"
	depmod -b "$staging" "$kver"
	module_order "$moddir" $MODULES >"$root/etc/lab/modules"
	while read -r m; do
		mkdir -p "$root/lib/modules/$kver/$(dirname "$m")"
		case $m in
		*.ko) cp "$moddir/$m" "$root/lib/modules/$kver/$m" ;;
		*) die "compressed module $m: teach build-lab.sh to decompress it" ;;
		esac
	done <"$root/etc/lab/modules"
	sed 's/^/xenlab:   insmod /' "$root/etc/lab/modules"

	install -m 755 "$HERE/dom0-init.sh" "$root/init"
	cp "$versions" "$root/etc/lab/versions.txt"

	log "packing $dir/linux-guest.cpio.gz"
	local lg=$dir/linux-guest-root
	rm -rf "$lg"
	mkdir -p "$lg"/{bin,dev,proc}
	cp "$staging/bin/busybox" "$lg/bin/busybox"
	[ "$(id -u)" = 0 ] && mknod -m 600 "$lg/dev/console" c 5 1
	printf '%s\n' '#!/bin/busybox sh' 'echo "linux-guest: init reached; powering off"' \
		'/bin/busybox poweroff -f' >"$lg/init"
	chmod 755 "$lg/init"
	(cd "$lg" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -n -6 >"$dir/linux-guest.cpio.gz.new"
	mv "$dir/linux-guest.cpio.gz.new" "$dir/linux-guest.cpio.gz"
	rm -rf "$lg"

	log "packing $dir/dom0.cpio.gz"
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -n -6 >"$dir/dom0.cpio.gz.new"
	mv "$dir/dom0.cpio.gz.new" "$dir/dom0.cpio.gz"
	rm -rf "$staging"

	{
		cat "$versions"
		(cd "$HERE" && sha256sum build-lab.sh dom0-init.sh)
	} >"$dir/stamp"
	log "done: $(du -h "$dir/xen" | cut -f1) xen, $(du -h --apparent-size "$dir/dom0-kernel" | cut -f1) dom0-kernel," \
		"$(du -h "$dir/dom0.cpio.gz" | cut -f1) dom0.cpio.gz"
}

absdir() { mkdir -p "$1" && (cd "$1" && pwd); }

case ${1:-} in
--resolve) resolve "$(absdir "${2:?usage: build-lab.sh --resolve DIR}")" ;;
--build) build "$(absdir "${2:?usage: build-lab.sh --build DIR}")" ;;
-*|"") sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 2 ;;
*) resolve "$(absdir "$1")"; build "$(absdir "$1")" ;;
esac
