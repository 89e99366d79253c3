#!/usr/bin/env python3
"""run.py — topdown's native boot tests: QEMU (TCG), direct PVH and GRUB.

    tests/boot/run.py [--list] [--only NAME[,NAME...]] [-j N] [--results FILE]

NAME may be a shell pattern ('pvh-q35-*').  Each case boots QEMU once with
a hard timeout; its serial output goes to build/tests/boot/<name>.log (QEMU's
own stderr, if any, to <name>.stderr).  A case passes only when QEMU exits
with the expected status (33 PASS, 35 FAIL, 37 PANIC: isa-debug-exit), the
output ends with the one expected "topdown: result: ..." line, and the
case's content checks hold.  A missing result line is a crash, never a pass.

Before running, the script builds what the selected cases need, under
build/tests/boot/: GRUB ISOs (tools/mkiso.sh, one per command line), the
badboot loaders (badboot.asm, one per case) and kernels with a smaller brk
(make BUILD=... BRK_PAGES=N).  build/topdown.elf must exist (make).

Exit status: 0 when every selected case passed, 1 otherwise.
"""
import argparse
import concurrent.futures
import fnmatch
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.dont_write_bytecode = True     # keep tests/ free of __pycache__
sys.path.insert(0, str(HERE))
import checktrace  # noqa: E402

QEMU = "qemu-system-x86_64"
EXIT = {"PASS": 33, "FAIL": 35, "PANIC": 37}
KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
FOUR_G = 4 * GiB

# How much of -m the firmware may keep from the usable map.  Measured with
# QEMU 7.2 / SeaBIOS: 513 KiB on pc, 517 KiB on q35, the same through GRUB:
# the legacy hole 0xa0000-0xfffff (384 KiB), the EBDA at 0x9fc00 (1 KiB) and
# what SeaBIOS reserves at the top of low RAM (128 KiB pc, 132 KiB q35).
# 1 MiB leaves room for a firmware that reserves a little more, and is far
# below any real loss (the smallest size tested, 32 MiB, is 32x that).
MAP_TOLERANCE = 1 * MiB

# "PANIC: func: reason" regexes of the negative tests (exact messages).
E = re.escape


def size_bytes(s):
    m = re.fullmatch(r"(\d+)([MGT])", s)
    return int(m.group(1)) << {"M": 20, "G": 30, "T": 40}[m.group(2)]


def qemu_split(machine, ram):
    """(RAM below 4 GiB, RAM above 4 GiB) as QEMU 7.2 lays out -m ram
    (hw/i386/pc_piix.c, pc_q35.c): pc keeps up to 3.5 GiB low, and 3 GiB
    when RAM reaches 3.5 GiB; q35 keeps up to 2.75 GiB low, and 2 GiB when
    RAM reaches 2.75 GiB.  The rest starts at 4 GiB."""
    if machine == "pc":
        low = 0xc0000000 if ram >= 0xe0000000 else ram
    else:
        low = 0x80000000 if ram >= 0xb0000000 else ram
    return low, ram - low


@dataclass
class Case:
    name: str
    mem: str = "128M"
    machine: str = "pc"
    cpu: str = "qemu64"
    boot: str = "pvh"               # pvh | iso | badboot
    cmdline: str = ""
    badboot: str = ""               # CASE of badboot.asm
    brk: int = 0                    # 0: build/topdown.elf, else a BRK_PAGES=brk build
    expect: str = "PASS"            # PASS | FAIL | PANIC
    reason: str = ""                # regex of the FAIL / PANIC reason (full match)
    maxpage: str = ""               # effective maxpage the run must report
    protocol: str = ""              # pvh | multiboot2 (default: from boot)
    plausible_map: bool = True      # the given map must fit -m and the machine
    memmap_spec: str = ""           # memmap.test entries: check the normalisation
    lines: list = field(default_factory=list)   # regexes some output line must match
    timeout: int = 60
    group: str = ""
    post: str = ""                  # "mutations": also run test_checktrace on the log;
                                    # "modules": the initrd must be reserved
    initrd: bool = False            # pass build/tests/boot/initrd.bin with -initrd

    def qemu_args(self, paths):
        a = [QEMU, "-M", self.machine, "-cpu", self.cpu, "-m", self.mem,
             "-display", "none", "-serial", "stdio", "-no-reboot",
             "-device", "isa-debug-exit,iobase=0x501,iosize=2"]
        if self.boot == "pvh":
            a += ["-kernel", str(paths.kernel(self.brk)), "-append", self.cmdline]
        elif self.boot == "iso":
            a += ["-cdrom", str(paths.iso(self.cmdline))]
        else:
            a += ["-kernel", str(paths.badboot(self.badboot)),
                  "-device", "loader,file=%s" % paths.kernel(self.brk),
                  "-append", self.cmdline]
        if self.initrd:
            a += ["-initrd", str(paths.initrd())]
        return a

    def weight(self):
        w = size_bytes(self.mem) / (16 * GiB)
        if self.boot == "iso":
            w += 3
        if self.cmdline.count("4k"):
            w += size_bytes(self.mem) / (8 * GiB)
        return w


# ------------------------------------------------------------------- cases

def cases():
    out = []
    sizes = ["32M", "128M", "1G", "4G", "16G"]

    # Direct PVH boot: every size x maxpage on both machines.
    for mem in sizes:
        for mp in ("4k", "2m", "1g"):
            for machine in ("pc", "q35"):
                out.append(Case("pvh-%s-%s-%s" % (machine, mem, mp), mem=mem, machine=machine,
                                cpu="max" if mp == "1g" else "qemu64",
                                cmdline="pt.maxpage=" + mp, maxpage=mp, group="pvh"))
    # Where QEMU starts putting RAM above 4 GiB: pc at 3.5 GiB, q35 at 2.75 GiB.
    for machine, mb in (("pc", 3583), ("pc", 3584), ("q35", 2815), ("q35", 2816)):
        out.append(Case("pvh-%s-%dM-2m" % (machine, mb), mem="%dM" % mb, machine=machine,
                        cmdline="pt.maxpage=2m", maxpage="2m", group="pvh"))
    out.append(Case("pvh-pc-1G-default-qemu64", mem="1G", maxpage="2m", group="pvh"))
    out.append(Case("pvh-q35-4G-default-max", mem="4G", machine="q35", cpu="max", maxpage="1g",
                    group="pvh"))
    out.append(Case("pvh-pc-1G-1g-on-qemu64", mem="1G", cmdline="pt.maxpage=1g", maxpage="2m",
                    group="pvh"))
    out.append(Case("pvh-q35-4G-1g-on-qemu64", mem="4G", machine="q35", cmdline="pt.maxpage=1g",
                    maxpage="2m", group="pvh"))

    # GRUB multiboot2 ISOs.
    for mem in sizes:
        for machine in ("pc", "q35"):
            out.append(Case("iso-%s-%s" % (machine, mem), mem=mem, machine=machine, boot="iso",
                            maxpage="2m", group="iso"))
    out.append(Case("iso-pc-1G-4k", mem="1G", boot="iso", cmdline="pt.maxpage=4k", maxpage="4k",
                    group="iso"))
    out.append(Case("iso-q35-1G-4k", mem="1G", machine="q35", boot="iso", cmdline="pt.maxpage=4k",
                    maxpage="4k", group="iso"))
    out.append(Case("iso-q35-4G-1g", mem="4G", machine="q35", cpu="max", boot="iso",
                    cmdline="pt.maxpage=1g", maxpage="1g", group="iso"))

    # Boot information, through the badboot loader.
    def bb(bcase, expect="PANIC", reason="", name=None, **kw):
        kw.setdefault("cmdline", "pt.maxpage=4k")
        kw.setdefault("maxpage", "4k")
        proto = "multiboot2" if bcase.startswith("mb2") else "pvh"
        out.append(Case(name or "badboot-" + bcase.replace("_", "-"), boot="badboot", badboot=bcase,
                        expect=expect, reason=reason, protocol=proto, group="badboot", **kw))
    bb("pvh_pass", "PASS")
    bb("pvh_copy", "PASS", machine="q35")
    bb("mb2_synth", "PASS", machine="q35")
    # Modules are boot data (design sections 2 and 6): QEMU -initrd puts one
    # near the top of low RAM, where step 5 takes its first table pages.
    bb("pvh_pass", "PASS", name="badboot-pvh-initrd", initrd=True, post="modules")
    bb("mb2_synth", "PASS", name="badboot-mb2-initrd", initrd=True, post="modules")
    bb("pvh_magic", reason=E("pvh_parse: bad hvm_start_info magic 0xdeadbeef (want 0x336ec578)"))
    bb("pvh_ebx0", reason=E("pvh_parse: no hvm_start_info (EBX = 0)"))
    bb("pvh_v2", reason=E("pvh_parse: hvm_start_info version 2 unknown (this kernel knows 0-1)"))
    nomap = E("memory_map: no memory map: the boot protocol gave none and backend native has no other source")
    bb("pvh_v0", reason=nomap)
    bb("pvh_nomap", reason=nomap)
    bb("mb2_magic", reason=E("multiboot2_parse: bad multiboot2 magic 0x2badb002 in EAX (want 0x36d76289)"))
    bb("mb2_unaligned", reason=r"multiboot2_parse: boot information at 0x[0-9a-f]{8} is not 8-byte aligned")
    bb("mb2_nommap", reason=nomap)
    bb("mb2_badtag", reason=r"multiboot2_parse: tag type 99 at offset 0x8 has bad size 4 \(info is \d+ bytes\)")
    bb("mb2_total", reason=E("multiboot2_parse: boot information total_size 8 out of range [16, 1048576]"))

    # Command line.
    def neg(name, cmdline, reason, **kw):
        kw.setdefault("group", "cmdline")
        out.append(Case(name, cmdline=cmdline, expect="PANIC", reason=reason, **kw))
    neg("cmdline-unknown", "pt.maxpage=2m foo=bar",
        E("cmdline_parse: unknown option 'foo' (known: pt.maxpage selftest memmap.test)"))
    neg("cmdline-no-equals", "pt.maxpage", E("cmdline_parse: malformed option 'pt.maxpage' (want key=value)"))
    neg("cmdline-empty-key", "=4k", E("cmdline_parse: malformed option '=4k' (want key=value)"))
    neg("cmdline-empty-value", "pt.maxpage=", E("cmdline_parse: option 'pt.maxpage' has an empty value"))
    neg("cmdline-bad-maxpage", "pt.maxpage=8k", E("cmdline_parse: pt.maxpage=8k: want 4k, 2m or 1g"))
    neg("cmdline-maxpage-case", "pt.maxpage=4K", E("cmdline_parse: pt.maxpage=4K: want 4k, 2m or 1g"))
    neg("cmdline-bad-selftest", "selftest=bogus",
        E("cmdline_parse: selftest=bogus: unknown self-test (known: pin-write unmapped null "
          "wx-text nx-direct stack-overflow double-fault)"))
    neg("cmdline-too-long", "memmap.test=" + "0" * 1100,
        E("copy_cmdline: command line longer than 1023 bytes"))

    # memmap.test: maps that must boot, and maps that must panic.
    ok_spec = ("0x100000:0x7e00000:1,0:0x9f000:1,0x2000000:0x1000000:1,0x3000000:0x200000:2,"
               "0x5000000:0:1,0x9f000:0x1000:2,0x7f00000:0x1000:1,0x7f01000:0x800:1,"
               "0x6000000:0x1000:9,0x6800000:0x200000:3")
    out.append(Case("memmap-messy", cmdline="pt.maxpage=4k memmap.test=" + ok_spec, maxpage="4k",
                    memmap_spec=ok_spec, plausible_map=False, group="memmap"))
    out.append(Case("memmap-messy-2m", machine="q35", cmdline="pt.maxpage=2m memmap.test=" + ok_spec,
                    maxpage="2m", memmap_spec=ok_spec, plausible_map=False, group="memmap"))
    # The image's MiB, and one page in each of 8 GiB regions 5-12: brk pays
    # for the top five (L2+L1 each), RAM for the rest, one page at a time
    # (each costs 2 and gives 1), leaving 2 for the image's region.
    image_mib = "0x100000:0x100000:1,"
    sparse = image_mib + ",".join("0x%x:4096:1" % (i << 30) for i in range(5, 13))
    out.append(Case("memmap-sparse", mem="16G", cmdline="pt.maxpage=4k memmap.test=" + sparse,
                    maxpage="4k", memmap_spec=sparse, plausible_map=False, group="memmap"))
    # A tenth region: each costs 2 table pages and gives 1, so RAM runs out.
    sparse10 = image_mib + ",".join("0x%x:4096:1" % (i << 30) for i in range(4, 14))
    neg("memmap-ram-too-small", "pt.maxpage=4k memmap.test=" + sparse10,
        E("step5: RAM too small: mapping [mem 0x0100000000-0x0100000fff] needs 2 table pages, "
          "free mapped pages: 1 in 36 KiB mapped (reserved data at the top of RAM? raise BRK_PAGES or pt.maxpage)"), mem="16G", group="memmap")
    neg("memmap-above-maxphyaddr", "memmap.test=0:0x9f000:1,0x100000:0x7e00000:1,0x10000000000:0x1000:1",
        E("memmap_normalise: entry 2 [mem 0x10000000000-0x10000000fff] type 1 ends above the "
          "physical address limit 0x10000000000"), group="memmap")
    neg("memmap-beyond-direct-map", "memmap.test=0x100000:0x7e00000:1,0x400000000000:0x1000:1",
        E("mm_init: RAM ends at 0x400000001000, beyond the 64 TiB direct map"),
        cpu="max,phys-bits=52", group="memmap")
    neg("memmap-kernel-not-ram", "memmap.test=0:0x9f000:1,0x1000000:0x1000000:1",
        r"mm_init: kernel image \[mem 0x0000100000-0x[0-9a-f]{10}\] is not inside usable RAM",
        group="memmap")
    neg("memmap-wrap", "memmap.test=0x100000:0x7e00000:1,0xfffffffffffff000:0x2000:1",
        E("memmap_normalise: entry 1 [mem 0xfffffffffffff000+0x2000] type 1 wraps around the address space"),
        group="memmap")
    neg("memmap-no-usable", "memmap.test=0:0x9f000:2,0x100000:0x7e00000:4",
        r"memmap_normalise: memory map has no usable RAM \(\d+ (entry|entries) given\)", group="memmap")
    neg("memmap-subpage-usable", "memmap.test=0x100800:0x800:1,0x200000:0x100:1",
        r"memmap_normalise: memory map has no usable RAM \(\d+ (entry|entries) given\)", group="memmap")
    neg("memmap-all-zero-length", "memmap.test=0x100000:0:1,0x200000:0:1",
        E("memmap_normalise: memory map has 2 entries, all of zero length"), group="memmap")
    neg("memmap-malformed", "memmap.test=0x100000:0x1000",
        E("memtest_override: malformed memmap.test=0x100000:0x1000 (want START:SIZE:TYPE,...)"),
        group="memmap")

    # The README's claim: 9 brk pages finish setup at every RAM size and cap
    # (5 for step 1, at most 4 for the first chunk of step 2).
    for mem in ("32M", "1G", "4G", "16G"):
        for mp in ("4k", "2m", "1g"):
            out.append(Case("brk9-%s-%s" % (mem, mp), mem=mem, cmdline="pt.maxpage=" + mp,
                            maxpage=mp, cpu="max" if mp == "1g" else "qemu64", brk=9,
                            group="brk"))
    # brk too small: in step 1 (the image) and in step 2 (the top of RAM).
    neg("brk3", "", E("step1: brk exhausted: step 1 needs 3 more pages to map text, 2 of 3 left"),
        brk=3, group="brk")
    neg("brk5", "pt.maxpage=2m",
        r"step2: brk exhausted: step 2 cannot map the topmost chunk \[mem 0x[0-9a-f]{10}-0x[0-9a-f]{10}\]: "
        r"needs \d+ pages, 0 of 5 left", brk=5, group="brk")

    # The harness itself: every check of checktrace.py and judge() must
    # fail on broken copies of this run's output (test_checktrace.py).  The
    # initrd at the top of RAM makes step 2 start below it and the RAM
    # above be mapped last, so the trace has both kinds of step-5 batch.
    out.append(Case("checktrace-mutations", mem="1G", cmdline="pt.maxpage=4k", maxpage="4k",
                    post="mutations", group="harness", initrd=True))

    # Self-tests.
    for t in ("unmapped", "null", "wx-text", "nx-direct", "stack-overflow", "double-fault"):
        out.append(Case("selftest-" + t, cmdline="selftest=" + t, maxpage="2m",
                        lines=[r"selftest: %s: caught as expected \(vector \d+, .*\)$" % E(t)],
                        group="selftest"))
    out.append(Case("selftest-pin-write", cmdline="selftest=pin-write", maxpage="2m", expect="FAIL",
                    reason=E("selftest pin-write: no fault: the protection it probes did not hold"),
                    group="selftest"))
    # A CPU without NX: setup must still be right; the nx-direct self-test
    # cannot hold there and must say so (FAIL), not crash.
    out.append(Case("pvh-pc-128M-nonx", cpu="qemu64,-nx", maxpage="2m", group="pvh",
                    lines=[r"^cpu: .* nx=0 "]))
    out.append(Case("selftest-nx-direct-nonx", cpu="qemu64,-nx", cmdline="selftest=nx-direct",
                    maxpage="2m", expect="FAIL", reason=r"selftest nx-direct: .*", group="selftest"))
    out.append(Case("selftest-nx-direct-1g", machine="q35", cpu="max", mem="4G",
                    cmdline="pt.maxpage=1g selftest=nx-direct", maxpage="1g",
                    lines=[r"selftest: nx-direct: caught as expected"], group="selftest"))
    return out


# ------------------------------------------------------------------ builds

class Paths:
    def __init__(self, build):
        self.build = Path(build)
        self.out = self.build / "tests" / "boot"

    def kernel(self, brk):
        if not brk:
            return self.build / "topdown.elf"
        return self.out / ("brk%d" % brk) / "topdown.elf"

    def iso(self, cmdline):
        slug = re.sub(r"[^A-Za-z0-9.]+", "_", cmdline).strip("_") or "default"
        return self.out / "iso" / (slug + ".iso")

    def badboot(self, case):
        return self.out / "badboot" / (case + ".elf")

    def initrd(self):
        return self.out / "initrd.bin"


def _newer(target, *deps):
    if not target.exists():
        return False
    t = target.stat().st_mtime
    return all(t >= Path(d).stat().st_mtime for d in deps)


def _clean_env():
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return env


MKISO_ATTEMPTS = 6
INITRD_SIZE = 2 * MiB


def _last_lines(s, n=2):
    """The gist of a tool's error output, on one line."""
    lines = [l.strip() for l in s.strip().splitlines() if l.strip()]
    keep = [l for l in lines if re.search(r"error|MISHAP|FAILURE|SORRY", l)] or lines
    return " | ".join(keep[-n:])[:400]


def prepare(selected, paths):
    """Build what the cases need; returns {case name: error} for the cases
    whose prerequisite could not be built."""
    broken = {}
    main = paths.kernel(0)
    if not main.exists():
        return {c.name: "%s missing: run make" % main for c in selected}
    sym = paths.build / "topdown.sym"

    for brk in sorted({c.brk for c in selected if c.brk}):
        k = paths.kernel(brk)
        bdir = k.parent
        r = subprocess.run(["make", "-s", "BUILD=%s" % bdir, "BRK_PAGES=%d" % brk, str(k)],
                           cwd=REPO, env=_clean_env(), capture_output=True, text=True)
        if r.returncode:
            for c in selected:
                if c.brk == brk:
                    broken[c.name] = "building the BRK_PAGES=%d kernel failed: %s" % (
                        brk, _last_lines(r.stderr or r.stdout))

    for cmdline in sorted({c.cmdline for c in selected if c.boot == "iso"}):
        iso = paths.iso(cmdline)
        stamp = iso.with_suffix(".cmdline")
        mkiso = REPO / "tools" / "mkiso.sh"
        if (_newer(iso, main, mkiso) and stamp.exists() and stamp.read_text() == cmdline):
            continue
        iso.parent.mkdir(parents=True, exist_ok=True)
        # tools/mkiso.sh is flaky: it writes grub-mkrescue's log into the
        # tree it packs, and xorriso fails ("Size of file .../log has
        # changed") when the log grows while it is read.  Retry a few times.
        for attempt in range(1, MKISO_ATTEMPTS + 1):
            r = subprocess.run([str(mkiso), str(main), str(iso), cmdline], cwd=REPO,
                               stdin=subprocess.DEVNULL, capture_output=True, text=True)
            if not r.returncode:
                break
            why = _last_lines(r.stderr or r.stdout)
            print("boot: warning: tools/mkiso.sh failed (attempt %d of %d): %s"
                  % (attempt, MKISO_ATTEMPTS, why), flush=True)
        if r.returncode:
            for c in selected:
                if c.boot == "iso" and c.cmdline == cmdline:
                    broken[c.name] = "tools/mkiso.sh failed %d times, last: %s" % (MKISO_ATTEMPTS, why)
        else:
            stamp.write_text(cmdline)

    if any(c.initrd for c in selected):
        # 2 MiB that QEMU loads near the top of low RAM, where the tables go
        data = b"".join(b"topdown test module pg %8d\n" % i for i in range(INITRD_SIZE // 32))
        if not paths.initrd().exists() or paths.initrd().read_bytes() != data:
            paths.initrd().write_bytes(data)

    bb = [c for c in selected if c.boot == "badboot"]
    if bb:
        # topdown.sym is written next to the ELF by the same rule; if it is
        # missing or older than the ELF, ask nm.
        if sym.exists() and sym.stat().st_mtime >= main.stat().st_mtime:
            symtext = sym.read_text()
        else:
            symtext = subprocess.run(["nm", "-n", str(main)], capture_output=True, text=True).stdout
            sym = main
        syms = {}
        for line in symtext.splitlines():
            f = line.split()
            if len(f) == 3:
                syms[f[2]] = f[0]
        asm, lds = HERE / "badboot.asm", HERE / "badboot.lds"
        for c in bb:
            if c.brk:
                broken[c.name] = "badboot cases use build/topdown.elf only"
                continue
            if "mb2_entry32" not in syms or "pvh_entry32" not in syms:
                broken[c.name] = "mb2_entry32/pvh_entry32 not in %s" % sym
                continue
            elf = paths.badboot(c.badboot)
            if _newer(elf, asm, lds, sym):
                continue
            elf.parent.mkdir(parents=True, exist_ok=True)
            obj = elf.with_suffix(".o")
            cmds = [["nasm", "-f", "elf64", "-DCASE=" + c.badboot,
                     "-DMB2_ENTRY=0x" + syms["mb2_entry32"], "-DPVH_ENTRY=0x" + syms["pvh_entry32"],
                     str(asm), "-o", str(obj)],
                    ["ld", "-nostdlib", "-static", "-z", "noexecstack", "--no-warn-rwx-segments",
                     "-T", str(lds), str(obj), "-o", str(elf)]]
            for cmd in cmds:
                r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
                if r.returncode:
                    broken[c.name] = "%s failed: %s" % (cmd[0], _last_lines(r.stderr or r.stdout))
                    break
    return broken


# ------------------------------------------------------------------ checks

MEM_LINE = re.compile(r"^memmap: given \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (.+)$")
# An entry the kernel cannot show as a range (as given, before any check).
MEM_LINE_ODD = re.compile(r"^memmap: given \[mem 0x([0-9a-f]+)\+0x([0-9a-f]+)\] (.+) \((empty|wraps around)\)$")


def given_map(lines):
    out = []
    for l in lines:
        m = MEM_LINE.match(l)
        if m:
            s, e = int(m.group(1), 16), int(m.group(2), 16) + 1
            out.append((s, e, m.group(3)))
            continue
        m = MEM_LINE_ODD.match(l)
        if m:
            s, size = int(m.group(1), 16), int(m.group(2), 16)
            if (size == 0) != (m.group(4) == "empty"):
                continue        # mislabelled: leave it out, the comparison fails
            out.append((s, (s + size) % (1 << 64), m.group(3)))
    return out


def trace_mem(text):
    out = []
    for r in checktrace.trace_lines(text):
        m = re.match(r"trace: mem \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (.+)$", r)
        if m:
            out.append((int(m.group(1), 16), int(m.group(2), 16) + 1, m.group(3)))
    return out


def parse_spec(spec):
    return [tuple(int(x, 0) for x in e.split(":")) for e in spec.split(",")]


def fmt_map(m):
    return ", ".join("[0x%x-0x%x) %s" % x for x in m)


def check_plausible(machine, mem, usable):
    """The usable ranges [start, end) of a given map fit QEMU -M machine -m
    mem: the total within MAP_TOLERANCE below the size, RAM above 4 GiB
    exactly where QEMU puts it, the rest below the low RAM limit."""
    errs = []
    ram = size_bytes(mem)
    low, high = qemu_split(machine, ram)
    total = sum(e - s for s, e in usable)
    if not ram - MAP_TOLERANCE <= total <= ram:
        errs.append("usable RAM %d bytes, -m %s is %d (tolerance %d KiB)"
                    % (total, mem, ram, MAP_TOLERANCE // KiB))
    above = [(max(s, FOUR_G), e) for s, e in usable if e > FOUR_G]
    want_above = [(FOUR_G, FOUR_G + high)] if high else []
    if above != want_above:
        errs.append("usable RAM above 4 GiB is %s, QEMU -M %s -m %s puts %s there"
                    % (fmt_ranges(above), machine, mem, fmt_ranges(want_above)))
    below = [(s, min(e, FOUR_G)) for s, e in usable if s < FOUR_G]
    below_end = max(e for s, e in below) if below else 0
    below_sum = sum(e - s for s, e in below)
    if below_end > low or below_sum < low - MAP_TOLERANCE:
        errs.append("usable RAM below 4 GiB: %d bytes ending at 0x%x; QEMU puts %d bytes there"
                    % (below_sum, below_end, low))
    return errs


def fmt_ranges(r):
    return ", ".join("[mem 0x%010x-0x%010x]" % (s, e - 1) for s, e in r) or "none"


def check_map(case, lines, text):
    """The given map fits what QEMU was told; the trace's normalised map is
    what an independent model of memmap_normalise() makes of it."""
    errs = []
    given = given_map(lines)
    if not given:
        return ["no 'memmap: given' lines"]
    usable = [(s, e) for s, e, t in given if t == "usable"]
    if case.plausible_map:
        errs += check_plausible(case.machine, case.mem, usable)
        m = re.search(r"^trace: reserve \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] kernel\r?$", text, re.M)
        if not m:
            errs.append("no kernel reservation in the trace")
        elif not any(s <= int(m.group(1), 16) and int(m.group(2), 16) < e for s, e in usable):
            errs.append("the kernel image [mem 0x%s-0x%s] is not in usable RAM" % m.groups())
    if case.memmap_spec:
        spec = parse_spec(case.memmap_spec)
        shown = [(s, s + size, checktrace.MEM_TYPE_NAMES.get(t, "unknown")) for s, size, t in spec]
        if given != shown:
            errs.append("the given map is not the memmap.test entries: %s" % fmt_map(given))
        entries = spec
    else:
        if any(t not in checktrace.MEM_TYPE_BY_NAME for s, e, t in given):
            return errs + ["unknown type in the given map"]
        entries = [(s, e - s, checktrace.MEM_TYPE_BY_NAME[t]) for s, e, t in given]
    try:
        want = [(s, e, checktrace.MEM_TYPE_NAMES[t]) for s, e, t in checktrace.normalise(entries)]
    except ValueError as ex:
        return errs + ["the model says this map must panic (%s)" % ex]
    got = trace_mem(text)
    if got != want:
        errs.append("trace mem lines %s; the normalisation model gives %s" % (fmt_map(got), fmt_map(want)))
    return errs


def check_modules(lines, text):
    """Design section 6: no table page in boot data.  The modules the loader
    passed (as badboot reports them) must be reserved, and no table extent
    may overlap them."""
    errs = []
    mods = []
    for l in lines:
        m = re.match(r"badboot: module 0x[0-9a-f]+ paddr=0x([0-9a-f]+) size=0x([0-9a-f]+)$", l)
        if m:
            s = int(m.group(1), 16)
            mods.append((s, s + int(m.group(2), 16)))
    if not mods:
        return ["the loader reported no module"]
    reserved, tables = [], []
    for r in checktrace.trace_lines(text):
        m = re.match(r"trace: (reserve|tables) .*?\[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]", r)
        if m:
            (reserved if m.group(1) == "reserve" else tables).append(
                (int(m.group(2), 16), int(m.group(3), 16) + 1))
    reserved = checktrace.merge(reserved)
    for s, e in mods:
        if not any(rs <= s and e <= re_ for rs, re_ in reserved):
            errs.append("module [mem 0x%010x-0x%010x] is not reserved" % (s, e - 1))
        hit = [(ts, te) for ts, te in tables if ts < e and s < te]
        if hit:
            n = sum(min(te, e) - max(ts, s) for ts, te in hit) // checktrace.PAGE
            errs.append("%d page-table pages [mem 0x%010x-0x%010x] overwrite module [mem 0x%010x-0x%010x]"
                        % (n, max(hit[0][0], s), min(hit[-1][1], e) - 1, s, e - 1))
    return errs


def check_content(case, lines, text):
    errs = []

    def has(rx):
        r = re.compile(rx)
        return any(r.search(l) for l in lines)

    proto = case.protocol or ("multiboot2" if case.boot == "iso" else "pvh")
    if not has(r"^boot: protocol=%s " % proto):
        errs.append("no 'boot: protocol=%s' line" % proto)
    if case.boot == "iso" and not has(r'^boot: protocol=multiboot2 loader="GRUB '):
        errs.append("loader is not GRUB")
    if not has(r'^boot: cmdline="%s"$' % re.escape(case.cmdline)):
        errs.append("the kernel did not get the command line %r" % case.cmdline)
    for opt in case.cmdline.split():
        if not has(r"^cmdline: %s$" % re.escape(opt)):
            errs.append("option %s not echoed by cmdline_parse" % opt)
    if case.maxpage and not has(r"^mm: maxpage=%s " % case.maxpage):
        errs.append("no 'mm: maxpage=%s' line" % case.maxpage)
    fallback = "mm: pt.maxpage=1g but the CPU has no 1 GiB pages (pdpe1gb): using 2m"
    want_fallback = "pt.maxpage=1g" in case.cmdline.split() and case.maxpage == "2m"
    if has("^" + re.escape(fallback) + "$") != want_fallback:
        errs.append("fallback message %s" % ("missing" if want_fallback else "unexpected"))
    if case.cpu.startswith("max") and not has(r"^cpu: .* pdpe1gb=1$"):
        errs.append("-cpu max but pdpe1gb is not 1")
    if not has(r"^selfcheck: tables=\d+ .* violations=0$"):
        errs.append("no 'selfcheck: ... violations=0' line")
    for rx in case.lines:
        if not has(rx):
            errs.append("no line matching %r" % rx)
    terr, info = checktrace.check_text(text, case.maxpage or None)
    errs += ["trace [%s]: %s" % e for e in terr]
    errs += check_map(case, lines, text)
    return errs


def judge(case, rc, text, timed_out, stderr):
    """'' when the case passed, else the reason it failed."""
    lines = [l[:-1] if l.endswith("\r") else l for l in text.split("\n")]
    nonempty = [l for l in lines if l.strip()]
    results = [l for l in lines if "topdown: result: " in l]
    if timed_out:
        return "hang: no exit within %d s (%s)" % (case.timeout, results[-1] if results else "no result line")
    if not results:
        tail = nonempty[-1][:120] if nonempty else "no output"
        extra = (" qemu: " + stderr.strip().splitlines()[-1][:200]) if stderr.strip() else ""
        return "crash: exit status %d, no result line (last line: %r)%s" % (rc, tail, extra)
    if len(results) != 1:
        return "%d result lines" % len(results)
    res = results[0]
    if not res.startswith("topdown: result: "):
        return "result line does not start a line: %r" % res
    if nonempty[-1] != res:
        return "output continues after the result line: %r" % nonempty[-1][:120]
    kind = res[len("topdown: result: "):].split(":", 1)[0]
    if rc != EXIT.get(kind):
        return "exit status %d does not match %r" % (rc, res)
    if kind != case.expect:
        return "expected %s, got %r" % (case.expect, res)
    if kind == "PANIC":
        m = re.fullmatch(r"topdown: result: PANIC: (\w+): (.*)", res)
        if not m:
            return "malformed panic result %r (want 'func: reason')" % res
        i = lines.index(res)
        prev = [l for l in lines[:i] if l.strip()]
        if not prev or prev[-1] != "PANIC: %s: %s" % m.groups():
            return "no 'PANIC: func: reason' line right before the result"
        if not re.fullmatch(case.reason, "%s: %s" % m.groups()):
            return "panic %r, expected /%s/" % ("%s: %s" % m.groups(), case.reason)
        return ""
    if kind == "FAIL":
        reason = res[len("topdown: result: FAIL: "):]
        if not re.fullmatch(case.reason, reason):
            return "fail reason %r, expected /%s/" % (reason, case.reason)
    elif res != "topdown: result: PASS":
        return "malformed result line %r" % res
    errs = check_content(case, lines, text)
    if case.post == "modules":
        errs += check_modules(lines, text)
    if case.post == "mutations" and not errs:
        import test_checktrace
        errs += ["harness: " + e for e in test_checktrace.errors(text)]
    if stderr.strip():
        errs.append("QEMU wrote to stderr: %s" % stderr.strip().splitlines()[0][:200])
    return "; ".join(errs)


# ------------------------------------------------------------------ runner

def run_case(case, paths, broken):
    log = paths.out / (case.name + ".log")
    errf = paths.out / (case.name + ".stderr")
    t0 = time.monotonic()
    if case.name in broken:
        return case, broken[case.name], 0.0
    args = case.qemu_args(paths)
    with open(log, "wb") as out, open(errf, "wb") as err:
        out.write(b"")
        p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                             cwd=REPO, start_new_session=True)
        timed_out = False
        try:
            rc = p.wait(timeout=case.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(p.pid, signal.SIGKILL)
            rc = p.wait()
    dt = time.monotonic() - t0
    text = log.read_bytes().decode("latin-1")
    stderr = errf.read_text(errors="replace")
    if not stderr:
        errf.unlink()
    (paths.out / (case.name + ".cmd")).write_text(" ".join(_quote(a) for a in args) + "\n")
    try:
        why = judge(case, rc, text, timed_out, stderr)
    except Exception as e:      # a harness bug must fail the case, not the run
        why = "harness error: %s: %s" % (type(e).__name__, e)
    return case, why, dt


def _quote(a):
    return a if re.fullmatch(r"[\w./,=:+-]+", a) else "'" + a.replace("'", "'\\''") + "'"


def main(argv=None):
    ap = argparse.ArgumentParser(description="topdown native boot tests (QEMU)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--only", action="append", default=[],
                    help="run only these cases (names or shell patterns, comma separated)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="QEMUs at once (default 2)")
    ap.add_argument("--build", default=str(REPO / "build"), help="build directory (default build)")
    ap.add_argument("--results", help="append one line per case to this file")
    ap.add_argument("--timeout", type=int, help="override every case's timeout (seconds)")
    a = ap.parse_args(argv)

    all_cases = cases()
    if a.list:
        for c in all_cases:
            print("%-28s %-9s %-5s %-5s %-22s %s%s" % (
                c.name, c.group, c.machine, c.mem, c.cpu, c.expect,
                (" " + c.cmdline) if c.cmdline and len(c.cmdline) < 60 else
                (" " + c.cmdline[:57] + "...") if c.cmdline else ""))
        return 0
    selected = all_cases
    if a.only:
        pats = [p for o in a.only for p in o.split(",") if p]
        selected = [c for c in all_cases if any(fnmatch.fnmatchcase(c.name, p) for p in pats)]
        if not selected:
            print("run.py: no case matches %s (see --list)" % ", ".join(pats), file=sys.stderr)
            return 2
    if a.timeout:
        for c in selected:
            c.timeout = a.timeout
    if not shutil.which(QEMU):
        print("run.py: %s not found" % QEMU, file=sys.stderr)
        return 2

    paths = Paths(Path(a.build).resolve())
    paths.out.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    broken = prepare(selected, paths)
    tprep = time.monotonic() - t0
    print("boot: %d cases, %d at once (builds took %.1fs)" % (len(selected), a.jobs, tprep), flush=True)

    lock = threading.Lock()
    verdicts = {}
    order = sorted(selected, key=lambda c: -c.weight())
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        futs = [pool.submit(run_case, c, paths, broken) for c in order]
        for f in concurrent.futures.as_completed(futs):
            case, why, dt = f.result()
            verdicts[case.name] = (why, dt)
            with lock:
                if why:
                    print("FAIL boot/%s: %s  [%.1fs, %s]" % (case.name, why, dt,
                          paths.out / (case.name + ".log")), flush=True)
                else:
                    print("PASS boot/%s %.1fs" % (case.name, dt), flush=True)
    wall = time.monotonic() - t0
    failed = [c.name for c in selected if verdicts[c.name][0]]
    if a.results:
        Path(a.results).parent.mkdir(parents=True, exist_ok=True)
        with open(a.results, "a") as f:
            for c in selected:
                why, dt = verdicts[c.name]
                if why:
                    f.write("FAIL boot/%s: %s\n" % (c.name, why.replace("\n", " ")))
                else:
                    f.write("PASS boot/%s %.1fs\n" % (c.name, dt))
    print("boot: %d passed, %d failed, %.0fs wall (%.0fs of QEMU time)"
          % (len(selected) - len(failed), len(failed), wall, sum(v[1] for v in verdicts.values())))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
