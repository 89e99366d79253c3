#!/bin/sh
# tools/mkiso.sh ELF ISO [CMDLINE [GFXPAYLOAD]] — a GRUB ISO that boots ELF with
# multiboot2 at once (no menu), passing CMDLINE, on BIOS and on UEFI machines
# (grub-mkrescue's hybrid image: El Torito BIOS + an EFI system partition,
# also bootable from a USB stick written with dd).
#
# The screen: under BIOS GRUB leaves VGA text mode unless GFXPAYLOAD names a
# VBE mode (e.g. 800x600x32, or "auto"); under UEFI there is no text mode and
# GRUB passes the GOP framebuffer in the firmware's mode (GFXPAYLOAD may
# name another one).  GRUB's own messages go to the serial port and the screen.
# Needs grub-common, grub-pc-bin, grub-efi-amd64-bin, xorriso and mtools.
set -eu
elf=$1 iso=$2 cmdline=${3-} gfxpayload=${4-}
need="grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools"
for t in grub-mkrescue xorriso mformat; do
	command -v "$t" >/dev/null || { echo "mkiso: $t missing: apt-get install $need" >&2; exit 1; }
done
[ -d /usr/lib/grub/i386-pc ] || { echo "mkiso: /usr/lib/grub/i386-pc missing (BIOS): apt-get install grub-pc-bin" >&2; exit 1; }
[ -d /usr/lib/grub/x86_64-efi ] || { echo "mkiso: /usr/lib/grub/x86_64-efi missing (UEFI): apt-get install grub-efi-amd64-bin" >&2; exit 1; }
case "$gfxpayload" in
''|text|auto|keep|[0-9]*x[0-9]*) ;;
*) echo "mkiso: GFXPAYLOAD '$gfxpayload': want text, auto, keep or WxH[xD]" >&2; exit 1 ;;
esac
dir=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$dir" "$log"' EXIT
mkdir -p "$dir/boot/grub"
cp "$elf" "$dir/boot/topdown.elf"
{
	cat <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
insmod all_video
menuentry "topdown" {
	multiboot2 /boot/topdown.elf $cmdline
CFG
	# The kernel's header asks for a framebuffer (optional, any mode), so
	# GRUB would pick a graphics mode on BIOS too: keep text there unless
	# told otherwise.  gfxpayload is read at "boot", after multiboot2.
	if [ -n "$gfxpayload" ]; then
		echo "	set gfxpayload=$gfxpayload"
	else
		echo '	if [ "$grub_platform" = "pc" ]; then set gfxpayload=text; fi'
	fi
	cat <<CFG
	boot
}
CFG
} > "$dir/boot/grub/grub.cfg"
grub-mkrescue -o "$iso" "$dir" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
