#!/bin/sh
# tests/trace/make-fixtures.sh — regenerate tests/trace/fixtures/ from real runs.
#
#   tests/trace/make-fixtures.sh [NAME.log ...]
#                                       (from the top of the tree; needs make, gcc,
#                                        nasm, libxen-dev, qemu-system-x86, python3)
#
# Run it again whenever the trace format changes, then re-run `make check-trace`
# and commit the new fixtures.  With names, only those fixtures are written
# (the others, possibly of an older format, stay: tracecmp reads both).
# What it writes (all boots: QEMU -M pc, -cpu qemu64):
#
#   native-128m-4k.log        the kernel, direct PVH boot, -m 128M, pt.maxpage=4k
#   native-128m-4k-again.log  the same boot again (identical trace expected)
#   native-512m-4k.log        -m 512M, pt.maxpage=4k: three batches, the second
#                             one ended by the 16x growth rule
#   xenlike-128m-4k.log       synthetic Xen PVH domU run: the kernel built with
#                             `make PVH_ON_NATIVE=1` (test only: without a hypervisor
#                             it takes the Xen PVH MMU ops, tables_ro=1: brk mapped 4k
#                             read-only, tables made read-only by the PVH hook,
#                             paravirt/xen/protect_pvh.c, without its one hypercall),
#                             booted with a Xen-like memory map (memmap.test: RAM
#                             from 0, ACPI and special pages below 4 GiB); then
#                             the console lines a Xen run has are put in
#                             (hypervisor, no memmap.test), the pin_attempt
#                             record is added, and the end record resealed.
#   xenlike-2g-2m-brk8.log    the same with BRK_PAGES=8, -m 2G, pt.maxpage=2m: batch 0
#                             cannot map all RAM, batch 1's tables land in a 2 MiB
#                             page of the direct map, which the hook splits
#   unexpected-tables.log     native-128m-4k with one table page more in batch 1
#                             (every count kept consistent, resealed): same input,
#                             different table count
#   unexpected-split.log      native-128m-4k with the batch 0/1 boundary moved up
#                             by one 2 MiB chunk (counts kept consistent,
#                             resealed): same input, different batch split
#   no-trace.log              a run that panics before mm_init (bad pt.maxpage)
#   native-1g-initrd-4k.log   -m 1G with a 1000 MiB initrd (-initrd: QEMU puts it at
#                             the top of RAM), pt.maxpage=4k: step 2 starts below it
#                             (begin start=, not 2 MiB aligned), two batches map
#                             down to 0, then two "above" batches map the initrd's
#                             RAM from the top down, the first ended by the growth
#                             rule (target)
#   xenlike-128m-initrd-4k-brk8.log  the PVH_ON_NATIVE=1 build with
#                             BRK_PAGES=8, -m 128M, a 40 MiB initrd, pt.maxpage=4k,
#                             made to look like a Xen run as above (QEMU's own
#                             memory map): the Xen hook on an "above" batch
#
# The corrupted variants (truncated, lost record, bad checksum, wrong version,
# Xen dom0 serial framing) are derived at test time by tests/trace/check.sh.
set -eu

cd "$(dirname "$0")/../.."
top=$(pwd)
out=tests/trace/fixtures
only=" $* "
want() {        # want NAME.log: is this fixture to be written?
	[ "$only" = "  " ] && return 0
	case "$only" in *" $1 "*) return 0 ;; esac
	return 1
}
wantany() {     # wantany PATTERN: a name given matches the shell pattern
	[ "$only" = "  " ] && return 0
	for n in $only; do
		case "$n" in $1) return 0 ;; esac
	done
	return 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$out"

echo "make-fixtures: building the kernel and tracecmp in $tmp/native"
make -s BUILD="$tmp/native" "$tmp/native/topdown.elf" "$tmp/native/tools/tracecmp"
tracecmp="$tmp/native/tools/tracecmp"

if wantany 'xenlike-*'; then
# The Xen PVH MMU ops on a kernel without Xen (PVH_ON_NATIVE, a build
# constant): the same source, no patch.
echo "make-fixtures: building the test-only PVH_ON_NATIVE=1 kernels in $tmp/ro, $tmp/ro8"
make -s BUILD="$tmp/ro" PVH_ON_NATIVE=1 "$tmp/ro/topdown.elf"
make -s BUILD="$tmp/ro8" PVH_ON_NATIVE=1 BRK_PAGES=8 "$tmp/ro8/topdown.elf"
fi

boot() {        # kernel, memory, log, cmdline [, initrd]
	rc=0
	timeout 120 qemu-system-x86_64 -M pc -cpu qemu64 -m "$2" -display none -serial stdio \
		-no-reboot -device isa-debug-exit,iobase=0x501,iosize=2 -kernel "$1" -append "$4" \
		${5:+-initrd "$5"} >"$3" 2>&1 </dev/null || rc=$?
	tr -d '\r' <"$3" >"$3.tmp" && mv "$3.tmp" "$3"
	echo "make-fixtures: $(basename "$3"): qemu exit $rc"
}

want native-128m-4k.log && boot "$tmp/native/topdown.elf" 128M "$out/native-128m-4k.log" "pt.maxpage=4k"
want native-128m-4k-again.log && boot "$tmp/native/topdown.elf" 128M "$out/native-128m-4k-again.log" "pt.maxpage=4k"
want native-512m-4k.log && boot "$tmp/native/topdown.elf" 512M "$out/native-512m-4k.log" "pt.maxpage=4k"
want no-trace.log && boot "$tmp/native/topdown.elf" 128M "$out/no-trace.log" "pt.maxpage=5k"
# initrds: their content does not matter, only their size (sparse files)
truncate -s 1000M "$tmp/initrd-1000m"
truncate -s 40M "$tmp/initrd-40m"
want native-1g-initrd-4k.log &&
	boot "$tmp/native/topdown.elf" 1G "$out/native-1g-initrd-4k.log" "pt.maxpage=4k" "$tmp/initrd-1000m"

# Xen's domU map (libxl, PVH): RAM from 0, then nothing until the ACPI tables
# and the special pages just below 4 GiB.
xenmap="0xfc000000:0xb000:3,0xfeff8000:0x8000:2"
want xenlike-128m-4k.log &&
	boot "$tmp/ro/topdown.elf" 128M "$tmp/xen.log" "pt.maxpage=4k memmap.test=0x0:0x8000000:1,$xenmap"
want xenlike-2g-2m-brk8.log &&
	boot "$tmp/ro8/topdown.elf" 2G "$tmp/xen8.log" "pt.maxpage=2m memmap.test=0x0:0x80000000:1,$xenmap"
want xenlike-128m-initrd-4k-brk8.log &&
	boot "$tmp/ro8/topdown.elf" 128M "$tmp/xen8i.log" "pt.maxpage=4k" "$tmp/initrd-40m"

xenify() {      # in, out: make a run of the test-only build look like a Xen domU run
	python3 - "$1" "$tmp/xenify.log" <<'EOF'
import re, sys
src, dst = sys.argv[1:]
lines = open(src).read().split("\n")
out = []
root = None
for l in lines:
    if l.startswith("trace: cr3 "):
        root = int(re.search(r"root=0x([0-9a-f]+)", l).group(1), 16)
for l in lines:
    l = l.replace("xen-pvh-on-native", "xen-pvh")      # the backend's name
    if l.startswith("boot: cmdline="):
        l = re.sub(r" ?memmap\.test=[^ \"]*", "", l)
    elif l.startswith("cmdline: memmap.test=") or l.startswith("memmap: replaced by memmap.test"):
        continue
    elif l.startswith("memmap: source=memmap.test"):
        l = l.replace("source=memmap.test", "source=start_info")
    elif l.startswith("paravirt: hypervisor="):
        l = "paravirt: hypervisor=XenVMMXenVMM cpuid_base=0x40000000 xen_version=4.17"
    elif l.startswith("trace: env "):
        l = re.sub(r"\bhypervisor=\S+", "hypervisor=XenVMMXenVMM", l)
        l = re.sub(r" ?memmap\.test=[^ \"]*", "", l)
    elif l.startswith("trace: hook id=0 "):
        gfn = root >> 12
        out.append(f"xen: MMUEXT_PIN_L4_TABLE on our own root (gfn 0x{gfn:x}) -> rc=-22 (refused: PVH protects its tables itself)")
        out.append(f"trace: xen pin_attempt op=MMUEXT_PIN_L4_TABLE gfn=0x{gfn:x} rc=-22")
    out.append(l)
open(dst, "w").write("\n".join(out))
EOF
	"$tracecmp" --reseal "$tmp/xenify.log" "$2"
}
want xenlike-128m-4k.log && xenify "$tmp/xen.log" "$out/xenlike-128m-4k.log"
want xenlike-2g-2m-brk8.log && xenify "$tmp/xen8.log" "$out/xenlike-2g-2m-brk8.log"
want xenlike-128m-initrd-4k-brk8.log && xenify "$tmp/xen8i.log" "$out/xenlike-128m-initrd-4k-brk8.log"

# The unexpected variants of native-128m-4k.log (python keeps every count consistent).
if want unexpected-tables.log || want unexpected-split.log; then
python3 - "$out/native-128m-4k.log" "$tmp" <<'EOF'
import re, sys
src, tmp = sys.argv[1:]
text = open(src).read()

def field(line, key):
    return int(re.search(rf"\b{key}=(0x[0-9a-f]+|\d+)", line).group(1), 0)

def setf(line, key, val):
    return re.sub(rf"\b{key}=(0x[0-9a-f]+|\d+)", f"{key}={val}", line, count=1)

def edit(text, kind, fn):
    out = []
    for l in text.split("\n"):
        if l.startswith(kind):
            l = fn(l)
        out.append(l)
    return "\n".join(out)

def rng(line):
    m = re.search(r"\[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]", line)
    return int(m.group(1), 16), int(m.group(2), 16)

def setrng(line, lo, hi):
    return re.sub(r"\[mem 0x[0-9a-f]+-0x[0-9a-f]+\]", f"[mem 0x{lo:010x}-0x{hi:010x}]", line, count=1)

def bump(l, *keys, by=1):
    for k in keys:
        l = setf(l, k, field(l, k) + by)
    return l

if "trace: batch id=1 " not in text or "trace: batch id=2 " in text:
    sys.exit("make-fixtures: native-128m-4k.log should have exactly 2 batches; update this script")

# 1. batch 1 takes one table page more than its window needs.
t = edit(text, "trace: batch id=1 ", lambda l: bump(l, "tables", "l1"))
t = edit(t, "trace: tables id=1 ", lambda l: bump(setrng(l, rng(l)[0] - 0x1000, rng(l)[1]), "pages"))
t = edit(t, "trace: summary ", lambda l: bump(l, "tables", "l1"))
t = edit(t, "trace: selfcheck ", lambda l: bump(l, "tables"))
t = edit(t, "selfcheck: tables=", lambda l: bump(l, "tables", "l1"))
open(f"{tmp}/unexpected-tables.log", "w").write(t)

# 2. batch 0 stops one 2 MiB chunk earlier (with a brk page to spare), batch 1
#    maps that chunk with one L1 more, linked into batch 0's L2.
chunk = 2 << 20
def b0(l):
    lo, hi = rng(l)
    l = setrng(l, lo + chunk, hi)
    l = bump(l, "ram", by=-chunk)
    l = bump(l, "leaves_4k", by=-(chunk >> 12))
    return bump(l, "tables", "l1", by=-1)
def b1(l):
    lo, hi = rng(l)
    l = setrng(l, lo, hi + chunk)
    l = bump(l, "ram", by=chunk)
    l = bump(l, "leaves_4k", by=chunk >> 12)
    return bump(l, "tables", "l1", "links")
t = edit(text, "trace: batch id=0 ", b0)
t = edit(t, "trace: batch id=1 ", b1)
t = edit(t, "trace: tables id=0 ", lambda l: bump(setrng(l, rng(l)[0], rng(l)[1] - 0x1000), "pages", by=-1))
t = edit(t, "trace: tables id=1 ", lambda l: bump(setrng(l, rng(l)[0] - 0x1000, rng(l)[1]), "pages"))
t = edit(t, "trace: link id=1 ", lambda l: bump(l, "entries"))
t = edit(t, "trace: summary ", lambda l: bump(bump(l, "links"), "brk_used", by=-1))
open(f"{tmp}/unexpected-split.log", "w").write(t)
EOF
want unexpected-tables.log && "$tracecmp" --reseal "$tmp/unexpected-tables.log" "$out/unexpected-tables.log"
want unexpected-split.log && "$tracecmp" --reseal "$tmp/unexpected-split.log" "$out/unexpected-split.log"
fi

echo "make-fixtures: wrote $(ls "$out" | wc -l) fixtures in $out:"
ls -l "$out"
echo "make-fixtures: check them: make check-trace"
