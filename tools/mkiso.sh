#!/bin/sh
# tools/mkiso.sh ELF ISO [CMDLINE] — a BIOS-bootable GRUB ISO that boots ELF
# with multiboot2 at once (no menu), passing CMDLINE.
# Needs grub-pc-bin, grub-common, xorriso and mtools.
set -eu
elf=$1 iso=$2 cmdline=${3-}
for t in grub-mkrescue xorriso mformat; do
	command -v "$t" >/dev/null || { echo "mkiso: $t missing: apt-get install grub-pc-bin grub-common xorriso mtools" >&2; exit 1; }
done
[ -d /usr/lib/grub/i386-pc ] || { echo "mkiso: /usr/lib/grub/i386-pc missing: apt-get install grub-pc-bin" >&2; exit 1; }
dir=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$dir" "$log"' EXIT
mkdir -p "$dir/boot/grub"
cp "$elf" "$dir/boot/topdown.elf"
cat > "$dir/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry "topdown" {
	multiboot2 /boot/topdown.elf $cmdline
	boot
}
CFG
grub-mkrescue -o "$iso" "$dir" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
