#!/usr/bin/env python3
"""run.py — the engine of topdown's native boot tests: runs tests/boot/cases.txt.

    tests/boot/run.py [--list] [--only NAME[,NAME...]] [-j N] [--accel tcg|kvm|auto]

NAME may be a shell pattern ('pvh-q35-*').  make builds what the selected cases
boot from (tests/boot/boot.mk); then each case boots QEMU once, with a hard
timeout, and passes only on QEMU's exit status of the expected kind AND the one
"topdown: result: ..." line ending the output AND its content checks.  Logs in
build/tests/boot/<name>.{log,cmd,stderr}; see tests/boot/README.md.
"""
import argparse
import concurrent.futures
import fnmatch
import functools
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.dont_write_bytecode = True     # keep tests/ free of __pycache__
sys.path.insert(0, str(HERE))
import checktrace  # noqa: E402

QEMU = "qemu-system-x86_64"
KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
FOUR_G = 4 * GiB
OVMF = "/usr/share/ovmf/OVMF.fd"                # pc: -bios
OVMF_CODE, OVMF_VARS = "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"  # q35: pflash

# How much of -m the firmware may keep from the usable map.  Measured with
# QEMU 7.2 / SeaBIOS: 513 KiB on pc, 517 KiB on q35, the same through GRUB:
# the legacy hole 0xa0000-0xfffff (384 KiB), the EBDA at 0x9fc00 (1 KiB) and
# what SeaBIOS reserves at the top of low RAM (128 KiB pc, 132 KiB q35).
# 1 MiB leaves room for a firmware that reserves a little more, and is far
# below any real loss (the smallest size tested, 32 MiB, is 32x that).
MAP_TOLERANCE = 1 * MiB
# OVMF (edk2 2022.11, Debian 12) keeps more: its runtime code and data,
# ACPI tables and NVS, its variable store, and what GRUB-EFI leaves reserved.
# Measured through GRUB: 5.83 MiB at every size from 128M to 16G, on q35
# (pflash) and pc (-bios).  8 MiB leaves a margin and is far below the
# smallest size tested with OVMF (128M).
MAP_TOLERANCE_OVMF = 8 * MiB


BUILD = REPO / "build"              # --build


@functools.cache
def debug_exit():
    """{kind: QEMU exit status} and the isa-debug-exit port, from the
    kernel's header (include/arch/boot.h) as asm-offsets.inc gives it."""
    inc = (BUILD / "gen" / "asm-offsets.inc").read_text()
    d = dict(re.findall(r"^%define DEBUG_EXIT_(\w+) (\d+)$", inc, re.M))
    return {k: int(d[k]) << 1 | 1 for k in ("PASS", "FAIL", "PANIC")}, int(d["PORT"])


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


# ------------------------------------------------------------------- cases

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
    lines: list = field(default_factory=list)     # regexes some output line must match
    nolines: list = field(default_factory=list)   # regexes no output line may match
    checks: list = field(default_factory=list)    # "modules", "mutations"
    initrd: bool = False            # pass build/tests/boot/initrd.bin with -initrd
    firmware: str = "bios"          # bios (SeaBIOS) | ovmf (UEFI)
    accel: str = ""                 # "" (the suite's --accel) | kvm (only with hardware KVM)
    qemu: list = field(default_factory=list)      # extra QEMU arguments
    smp: str = ""                   # QEMU -smp (default: one CPU)
    cpus_up: int = 0                # CPUs that must be up (default: -smp's first number)
    timeout: int = 60

    @property
    def protocol(self):
        return "multiboot2" if self.boot == "iso" or self.badboot.startswith("mb2") else "pvh"

    @property
    def memmap_spec(self):
        """memmap.test entries of the command line: the map to check."""
        m = re.search(r"(?:^| )memmap\.test=(\S+)", self.cmdline)
        return m.group(1) if m else ""

    def weight(self):           # the slow ones first: ISOs, big RAM, 4k pages
        return 3 * (self.boot == "iso") + size_bytes(self.mem) / (16 * GiB) * (1 + 2 * ("4k" in self.cmdline))


LISTS = {"match": "lines", "nomatch": "nolines", "check": "checks"}
KEYS = {"boot", "badboot", "mem", "machine", "cpu", "cmdline", "brk", "maxpage", "initrd",
        "firmware", "accel", "qemu", "timeout", "smp", "cpus_up", "panic", "panic~", "fail", "fail~"} | set(LISTS)


def expand(value, variables):
    """${VAR} is a `set VAR=...` value, ${C*N} N copies of C."""
    def sub(m):
        rep = re.fullmatch(r"(.+)\*(\d+)", m.group(1))
        return rep.group(1) * int(rep.group(2)) if rep else variables[m.group(1)]
    return re.sub(r"\$\{([^}]+)\}", sub, value)


def parse_case(words, variables):
    c = Case(words[0])
    for w in words[1:]:
        k, eq, v = w.partition("=")
        if not eq or k not in KEYS:
            raise ValueError("%s: bad field %r (known: %s)" % (c.name, w, " ".join(sorted(KEYS))))
        v = expand(v, variables)
        if k in ("panic", "panic~", "fail", "fail~"):
            c.expect, c.reason = k.rstrip("~").upper(), v if k.endswith("~") else re.escape(v)
        elif k in LISTS:
            getattr(c, LISTS[k]).append(v)
        elif k == "qemu":
            c.qemu += shlex.split(v)
        elif k in ("brk", "timeout", "cpus_up"):
            setattr(c, k, int(v))
        elif k == "initrd":
            c.initrd = v not in ("0", "no")
        else:
            setattr(c, k, v)
        if k == "badboot":
            c.boot = "badboot"
    m = re.search(r"(?:^| )pt\.maxpage=(\S+)", c.cmdline)
    if not c.maxpage and m:
        c.maxpage = m.group(1)
    for rx in c.lines + c.nolines + [c.reason]:
        re.compile(rx)
    for bad, why in ((c.boot not in ("pvh", "iso", "badboot"), "boot=pvh|iso or badboot=CASE"),
                     (c.firmware not in ("bios", "ovmf"), "firmware=bios|ovmf"),
                     (c.accel not in ("", "kvm"), "accel=kvm"),
                     (not set(c.checks) <= {"modules", "mutations"}, "check=modules|mutations"),
                     (c.expect == "PASS" and not c.maxpage, "a passing case needs maxpage= or pt.maxpage="),
                     (c.boot == "badboot" and c.brk, "badboot cases use build/topdown.elf only")):
        if bad:
            raise ValueError("%s: %s" % (c.name, why))
    return c


def load_cases(path=HERE / "cases.txt"):
    out, variables = [], {}
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        try:
            words = shlex.split(line, comments=True)
            if words[:1] == ["set"]:
                k, _, v = words[1].partition("=")
                variables[k] = expand(v, variables)
            elif words:
                out.append(parse_case(words, variables))
        except (ValueError, KeyError, re.error) as e:
            raise SystemExit("%s:%d: %s" % (path, n, e))
    dup = {c.name for c in out if [d.name for d in out].count(c.name) > 1}
    if dup:
        raise SystemExit("%s: duplicate case names: %s" % (path, " ".join(sorted(dup))))
    return out


# ------------------------------------------------------------------ builds

class Paths:
    def __init__(self, build):
        self.rel = build                              # as make sees it (from the repo)
        self.build = (REPO / build).resolve()
        self.out = self.build / "tests" / "boot"

    def kernel(self, brk=0):
        return self.out / ("brk%d" % brk) / "topdown.elf" if brk else self.build / "topdown.elf"

    def iso(self, cmdline):
        slug = re.sub(r"[^A-Za-z0-9.]+", "_", cmdline).strip("_") or "default"
        return self.out / "iso" / (slug + ".iso")

    def badboot(self, case):
        return self.out / "badboot" / (case + ".elf")

    def initrd(self):
        return self.out / "initrd.bin"

    def needs(self, c):
        """The files case c boots from; make builds them (tests/boot/boot.mk)."""
        return [self.kernel(c.brk), self.build / "tools" / "tracecmp"] + [self.iso(c.cmdline)] * (c.boot == "iso") + \
            [self.badboot(c.badboot)] * (c.boot == "badboot") + [self.initrd()] * c.initrd


def _make(paths, targets):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    targets = [str(Path(paths.rel) / t.relative_to(paths.build)) for t in targets]   # as make names them
    return subprocess.run(["make", "-s", "-j2", "BUILD=" + paths.rel] + targets,
                          cwd=REPO, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)


def _gist(s, n=2):
    """The gist of a tool's error output, on one line."""
    lines = [l.strip() for l in s.strip().splitlines() if l.strip()]
    keep = [l for l in lines if re.search(r"error|\*\*\*|MISHAP|FAILURE|SORRY", l)] or lines
    return " | ".join(keep[-n:])[:400]


def prepare(selected, paths):
    """Build what the cases need; returns {case name: error} for the cases
    whose prerequisite could not be built."""
    for cmdline in {c.cmdline for c in selected if c.boot == "iso"}:
        stamp = paths.iso(cmdline).with_suffix(".cmdline")     # rewritten only when it changes
        if not stamp.exists() or stamp.read_text() != cmdline:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(cmdline)
    targets = sorted({t for c in selected for t in paths.needs(c)})
    if not _make(paths, targets).returncode:
        return {}
    failed = {}
    for t in targets:             # one at a time, to say which one fails
        r = _make(paths, [t])
        if r.returncode:
            failed[t] = "make %s failed: %s" % (t.relative_to(REPO), _gist(r.stderr or r.stdout))
    return {c.name: failed[t] for c in selected for t in paths.needs(c) if t in failed}


@functools.cache
def accel_args(accel, cpu):
    """["-accel", A, "-cpu", C] as tools/accel.sh chooses them (auto: KVM on
    a CPU with vmx or svm and a working /dev/kvm, else TCG), and its one-line
    reason; None when ACCEL=kvm and KVM does not work here."""
    r = subprocess.run([str(REPO / "tools" / "accel.sh"), accel, cpu], capture_output=True, text=True)
    if r.returncode:
        return None, r.stderr.strip()
    return r.stdout.split(), r.stderr.strip()


def qemu_args(c, paths, accel):
    a = [QEMU, "-M", c.machine] + accel_args(c.accel or accel, c.cpu)[0] + ["-m", c.mem, "-display", "none",
         "-serial", "stdio", "-no-reboot", "-device", "isa-debug-exit,iobase=0x%x,iosize=2" % debug_exit()[1]]
    if c.firmware == "ovmf" and c.machine == "q35":
        vars_ = paths.out / (c.name + ".vars.fd")
        shutil.copyfile(OVMF_VARS, vars_)
        a += ["-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
              "-drive", "if=pflash,format=raw,file=%s" % vars_]
    elif c.firmware == "ovmf":
        a += ["-bios", OVMF]
    if c.boot == "pvh":
        a += ["-kernel", str(paths.kernel(c.brk)), "-append", c.cmdline]
    elif c.boot == "iso":
        a += ["-cdrom", str(paths.iso(c.cmdline))]
    else:
        a += ["-kernel", str(paths.badboot(c.badboot)), "-device", "loader,file=%s" % paths.kernel(),
              "-append", c.cmdline]
    if c.initrd:
        a += ["-initrd", str(paths.initrd())]
    if c.smp:
        a += ["-smp", c.smp]
    return a + c.qemu


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


def parse_spec(spec):
    return [tuple(int(x, 0) for x in e.split(":")) for e in spec.split(",")]


def fmt_map(m):
    return ", ".join("[0x%x-0x%x) %s" % x for x in m)


# QEMU 7.2 on an AMD CPU model (qemu64 and max are AuthenticAMD) moves the RAM
# above 4 GiB to 1 TiB when it would reach the HyperTransport hole below 1 TiB
# (hw/i386/pc.c: AMD_HT_START, AMD_ABOVE_1TB_START).
AMD_HT_START, AMD_ABOVE_1TB = 0xfd00000000, 1 << 40


def check_plausible(machine, mem, usable, tolerance=MAP_TOLERANCE, amd=True):
    """The usable ranges [start, end) of a given map fit QEMU -M machine -m
    mem: the total within `tolerance` below the size, RAM above 4 GiB
    exactly where QEMU puts it, the rest below the low RAM limit."""
    errs = []
    ram = size_bytes(mem)
    low, high = qemu_split(machine, ram)
    high_at = AMD_ABOVE_1TB if amd and FOUR_G + high > AMD_HT_START else FOUR_G
    total = sum(e - s for s, e in usable)
    if not ram - tolerance <= total <= ram:
        errs.append("usable RAM %d bytes, -m %s is %d (tolerance %d KiB)"
                    % (total, mem, ram, tolerance // KiB))
    above = [(max(s, FOUR_G), e) for s, e in usable if e > FOUR_G]
    want_above = [(high_at, high_at + high)] if high else []
    if above != want_above:
        errs.append("usable RAM above 4 GiB is %s, QEMU -M %s -m %s puts %s there"
                    % (fmt_ranges(above), machine, mem, fmt_ranges(want_above)))
    below = [(s, min(e, FOUR_G)) for s, e in usable if s < FOUR_G]
    below_end = max(e for s, e in below) if below else 0
    below_sum = sum(e - s for s, e in below)
    if below_end > low or below_sum < low - tolerance:
        errs.append("usable RAM below 4 GiB: %d bytes ending at 0x%x; QEMU puts %d bytes there"
                    % (below_sum, below_end, low))
    return errs


def fmt_ranges(r):
    return ", ".join("[mem 0x%010x-0x%010x]" % (s, e - 1) for s, e in r) or "none"


def check_map(case, lines, text):
    """The given map fits what QEMU was told, or is the memmap.test entries.
    (That the trace's mem records are memmap_normalise() of it, tracecmp
    checks: checktrace.check_text.)"""
    errs = []
    given = given_map(lines)
    if not given:
        return ["no 'memmap: given' lines"]
    usable = [(s, e) for s, e, t in given if t == "usable"]
    if not case.memmap_spec:       # QEMU's own map, not memmap.test's
        errs += check_plausible(case.machine, case.mem, usable,
                                MAP_TOLERANCE_OVMF if case.firmware == "ovmf" else MAP_TOLERANCE,
                                amd=bool(re.search(r"^cpu: vendor=AuthenticAMD ", text, re.M)))
        m = re.search(r"^trace: reserve \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] kernel\r?$", text, re.M)
        if not m:
            errs.append("no kernel reservation in the trace")
        elif not any(s <= int(m.group(1), 16) and int(m.group(2), 16) < e for s, e in usable):
            errs.append("the kernel image [mem 0x%s-0x%s] is not in usable RAM" % m.groups())
    else:
        spec = parse_spec(case.memmap_spec)
        shown = [(s, s + size, checktrace.MEM_TYPE_NAMES.get(t, "unknown")) for s, size, t in spec]
        if given != shown:
            errs.append("the given map is not the memmap.test entries: %s" % fmt_map(given))
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

    if not has(r"^boot: protocol=%s " % case.protocol):
        errs.append("no 'boot: protocol=%s' line" % case.protocol)
    if case.boot == "iso" and not has(r'^boot: protocol=multiboot2 loader="GRUB '):
        errs.append("loader is not GRUB")
    if case.boot == "iso":          # GRUB says which firmware: EFI system table tag or not
        fw = "uefi" if case.firmware == "ovmf" else "bios"
        want = (r"^boot: firmware=uefi efi_system_table=0x[0-9a-f]+ efi_mmap_entries=[1-9]\d*$"
                if fw == "uefi" else r"^boot: firmware=bios$")
        if not has(want):
            errs.append("no 'boot: firmware=%s' line (with the EFI system table and map under UEFI)" % fw)
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
    if case.cpu.startswith("max") and not has(r"^cpu: .* pdpe1gb=1( |$)"):
        errs.append("-cpu max but pdpe1gb is not 1")
    if not has(r"^selfcheck: tables=\d+ .* violations=0$"):
        errs.append("no 'selfcheck: ... violations=0' line")
    terr, info = checktrace.check_text(text, case.maxpage or None)
    errs += ["trace [%s]: %s" % e for e in terr]
    errs += check_map(case, lines, text)
    errs += check_smp(case, lines)
    errs += check_user(case, lines)
    return errs


def check_user(case, lines):
    """Ring 3 (issue 15): ping and pong ran in their own slot-0 address spaces
    (one hooked batch each), alternately on every CPU with migrations, saw
    their own pages at the same VA in different frames, and the user run's
    checks (slot 0 of every L4, kernel halves unchanged) passed."""
    errs = []
    n = case.cpus_up or (int(case.smp.split(",")[0]) if case.smp else 1)
    if case.expect != "PASS":
        return errs
    if re.search(r"(?:^| )user=off(?: |$)", case.cmdline):
        if not any(l == "user: not run (user=off)" for l in lines):
            errs.append("no 'user: not run (user=off)' line")
        if any(l.startswith("trace: uspace ") or l.startswith("user: rounds=") for l in lines):
            errs.append("user=off, but the user run ran")
        return errs
    m = [re.match(r"^user: rounds=(\d+) switches=(\d+) cpus=(\d+) kernel_halves=unchanged\? yes violations=0$", l)
         for l in lines]
    m = [x for x in m if x]
    if len(m) != 1 or int(m[0].group(3)) != n:
        return ["no 'user: rounds=... cpus=%d kernel_halves=unchanged? yes violations=0' line" % n]
    spaces = [l for l in lines if re.match(r"^trace: uspace id=\d+ as=\d+ name=(ping|pong) .* hook=\S+ result=ok ", l)]
    if len(spaces) != 2:
        errs.append("%d hooked address spaces in the trace, want 2" % len(spaces))
    selftest = re.search(r"(?:^| )selftest=user-", case.cmdline)
    slices = 0
    for prog in ("ping", "pong"):
        if selftest and prog == "ping":
            if not any(re.match(r"^user: ping: killed with code 0, ", l) for l in lines):
                errs.append("ping was not killed")
            continue
        p = [re.match(r"^user: %s: exited with code 0, (\d+) slices on cpus ([\d,]+), (\d+) migrations$" % prog, l)
             for l in lines]
        p = [x for x in p if x]
        if not p:
            errs.append("no 'user: %s: exited with code 0' line" % prog)
            continue
        slices += int(p[0].group(1))
        if len(p[0].group(2).split(",")) != n or (n > 1 and int(p[0].group(3)) < 1):
            errs.append("%s ran on cpus %s with %s migrations, want all %d cpus" % (prog, p[0].group(2), p[0].group(3), n))
    if not selftest and int(m[0].group(2)) != slices:
        errs.append("%s switches for %d slices: the two programs did not alternate" % (m[0].group(2), slices))
    if not selftest:
        same = [re.match(r"^user: same va (0x[0-9a-f]+): ping's frame (0x[0-9a-f]+) holds \"ping-sig\", pong's frame (0x[0-9a-f]+) holds \"pong-sig\"$", l)
                for l in lines]
        same = [x for x in same if x]
        if not same or same[0].group(2) == same[0].group(3):
            errs.append("no 'user: same va' line with two frames")
    return errs


def check_smp(case, lines):
    """Every CPU up, each on its own L4 (below 4 GiB: the trampoline loads
    CR3 in 32-bit mode) with its own globaldata page; the per-CPU tests and
    the per-CPU self-check passed."""
    errs = []
    n = case.cpus_up or (int(case.smp.split(",")[0]) if case.smp else 1)
    listed = 1 if "acpi=off" in case.machine else (int(case.smp.split(",")[0]) if case.smp else 1)
    if not any(re.match(r"^smp: cpus=%d up=%d " % (listed, n), l) for l in lines):
        errs.append("no 'smp: cpus=%d up=%d' line" % (listed, n))
    pc = [re.match(r"^percpu: cpu=(\d+) apic=(\d+) root=(0x[0-9a-f]+) globaldata=(0x[0-9a-f]+) ", l)
          for l in lines]
    pc = [m.groups() for m in pc if m]
    if sorted(int(g[0]) for g in pc) != list(range(n)):
        errs.append("percpu lines for cpus %s, want 0-%d" % ([g[0] for g in pc], n - 1))
    for i, what in ((1, "apic"), (2, "root"), (3, "globaldata")):
        vals = [g[i] for g in pc]
        if len(set(vals)) != len(vals):
            errs.append("percpu %s not distinct: %s" % (what, vals))
    if any(int(g[2], 16) >= FOUR_G for g in pc):
        errs.append("an L4 above 4 GiB")
    if case.expect != "PASS":           # the result line says what failed
        return errs
    cr0 = [re.match(r"^smptest: control registers: cr0=(0x[0-9a-f]+) .*; %d cpus compared .*: ok$" % n, l) for l in lines]
    cr0 = [m for m in cr0 if m]
    if not cr0:
        errs.append("no passing 'smptest: control registers: ... %d cpus compared' line" % n)
    elif int(cr0[0].group(1), 16) & (3 << 29):
        errs.append("cr0 %s: CD or NW set (caches off)" % cr0[0].group(1))
    for t in ("globaldata: %d cpus " % n, "new kernel mapping .* seen by %d cpus" % n,
              "tlb shootdown .*: %d other cpus read the new page" % (n - 1)):
        if not any(re.match(r"^smptest: %s.*: ok$" % t, l) for l in lines):
            errs.append("no passing 'smptest: %s' line" % t)
    if n > 1 and not any(re.match(r"^smptest: tlb shootdown from cpu \d+: .* to the %d others .*: ok$" % (n - 1), l) for l in lines):
        errs.append("no passing 'smptest: tlb shootdown from cpu N' line")
    if not any(re.match(r"^smpcheck: cpus=%d .* violations=0$" % n, l) for l in lines):
        errs.append("no 'smpcheck: cpus=%d ... violations=0' line" % n)
    return errs


def judge(case, rc, text, timed_out, stderr):
    """'' when the case passed, else the reason it failed: QEMU's exit
    status, the one result line of the expected kind, then the content."""
    lines = [l[:-1] if l.endswith("\r") else l for l in text.split("\n")]
    nonempty = [l for l in lines if l.strip()]
    # ring-3 output is printed as "user[NAME]: ..." (kernel/user.c): never a result line
    results = [l for l in lines if "topdown: result: " in l and not l.startswith("user[")]
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
    if rc != debug_exit()[0].get(kind):
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
    elif kind == "FAIL":
        reason = res[len("topdown: result: FAIL: "):]
        if not re.fullmatch(case.reason, reason):
            return "fail reason %r, expected /%s/" % (reason, case.reason)
    elif res != "topdown: result: PASS":
        return "malformed result line %r" % res
    errs = ["no line matching %r" % rx for rx in case.lines if not any(re.search(rx, l) for l in lines)]
    for rx in case.nolines:
        hit = [l for l in lines if re.search(rx, l)]
        if hit:
            errs.append("a line matches %r: %r" % (rx, hit[0][:120]))
    if kind == "PANIC":
        return "; ".join(errs)
    errs += check_content(case, lines, text)
    if "modules" in case.checks:
        errs += check_modules(lines, text)
    if "mutations" in case.checks and not errs:
        import test_checktrace
        errs += ["harness: " + e for e in test_checktrace.errors(text)]
    if stderr.strip():
        errs.append("QEMU wrote to stderr: %s" % stderr.strip().splitlines()[0][:200])
    return "; ".join(errs)


# ------------------------------------------------------------------ runner

def run_case(case, paths, broken, accel):
    log, errf = paths.out / (case.name + ".log"), paths.out / (case.name + ".stderr")
    if case.name in broken:
        return case, broken[case.name], 0.0
    t0 = time.monotonic()
    args = qemu_args(case, paths, accel)
    with open(log, "wb") as out, open(errf, "wb") as err:
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
    (paths.out / (case.name + ".cmd")).write_text(shlex.join(args) + "\n")
    try:
        why = judge(case, rc, text, timed_out, stderr)
    except Exception as e:      # a harness bug must fail the case, not the run
        why = "harness error: %s: %s" % (type(e).__name__, e)
    return case, why, dt


def main(argv=None):
    global BUILD
    ap = argparse.ArgumentParser(description="topdown native boot tests (QEMU)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--only", action="append", default=[],
                    help="run only these cases (names or shell patterns, comma separated)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="QEMUs at once (default 2)")
    ap.add_argument("--build", default="build", help="build directory (default build)")
    ap.add_argument("--cases", default=str(HERE / "cases.txt"), help="the case table")
    ap.add_argument("--accel", default=os.environ.get("ACCEL", "tcg"), choices=("tcg", "kvm", "auto"),
                    help="QEMU accelerator (default $ACCEL or tcg; auto: kvm on a CPU with vmx/svm)")
    ap.add_argument("--results", help="append one line per case to this file")
    ap.add_argument("--timeout", type=int, help="override every case's timeout (seconds)")
    a = ap.parse_args(argv)

    all_cases = load_cases(a.cases)
    if a.list:
        for c in all_cases:
            cmd = c.cmdline if len(c.cmdline) < 60 else c.cmdline[:57] + "..."
            print("%-28s %-7s %-5s %-5s %-18s %-5s %s" % (c.name, c.boot, c.machine, c.mem, c.cpu,
                                                          c.expect, cmd))
        return 0
    # Every case of the table is run, or skipped with a reason (a SKIP line).
    selected, skipped = all_cases, []
    if a.only:
        pats = [p for o in a.only for p in o.split(",") if p]
        selected = [c for c in all_cases if any(fnmatch.fnmatchcase(c.name, p) for p in pats)]
        if not selected:
            print("run.py: no case matches %s (see --list)" % ", ".join(pats), file=sys.stderr)
            return 2
        only = ",".join(a.only)
        by = ("BOOT_ONLY='%s'" % only) if os.environ.get("BOOT_ONLY") == only else ("--only '%s'" % only)
        skipped += [(c, "not selected by " + by) for c in all_cases if c not in selected]
    for c in selected:
        c.timeout = a.timeout or c.timeout
    if not shutil.which(QEMU):
        print("run.py: %s not found" % QEMU, file=sys.stderr)
        return 2
    args, why = accel_args(a.accel, "qemu64")
    if not args:
        print("run.py: %s" % why, file=sys.stderr)
        return 2
    accel = args[1]
    print("boot: %s" % why, flush=True)
    # accel=kvm cases need hardware KVM: they run where tools/accel.sh's auto
    # chooses KVM (vmx or svm, /dev/kvm working), or when the suite was asked
    # to run under KVM; elsewhere they are skipped with accel.sh's reason.
    kvm_cases = [c for c in selected if c.accel == "kvm"]
    auto_args, auto_why = accel_args("auto", "qemu64")
    if kvm_cases and accel != "kvm" and (auto_args or [None, None])[1] != "kvm":
        m = re.search(r"\(auto: (.*)\), cpu ", auto_why)
        reason = "accel=kvm needs hardware KVM: " + (m.group(1) if m else auto_why)
        print("boot: %d accel=kvm case(s) skipped: %s" % (len(kvm_cases), reason), flush=True)
        skipped += [(c, reason) for c in kvm_cases]
        selected = [c for c in selected if c.accel != "kvm"]

    paths = Paths(a.build)
    BUILD = paths.build
    checktrace.TRACECMP = str(paths.build / "tools" / "tracecmp")
    paths.out.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    broken = prepare(selected, paths)
    try:
        debug_exit()
    except (OSError, KeyError) as e:
        print("run.py: no exit codes in asm-offsets.inc: %s" % e, file=sys.stderr)
        return 2
    print("boot: %d cases, %d at once, accel %s%s (builds took %.1fs)"
          % (len(selected), a.jobs, accel,
             " (%d accel=kvm)" % sum(c.accel == "kvm" for c in selected)
             if any(c.accel == "kvm" for c in selected) else "",
             time.monotonic() - t0), flush=True)

    verdicts = {}
    order = sorted(selected, key=lambda c: -c.weight())
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        futs = [pool.submit(run_case, c, paths, broken, accel) for c in order]
        for f in concurrent.futures.as_completed(futs):
            case, why, dt = f.result()
            verdicts[case.name] = (why, dt)
            if why:
                print("FAIL boot/%s: %s  [%.1fs, %s]" % (case.name, why, dt, paths.out / (case.name + ".log")),
                      flush=True)
            else:
                print("PASS boot/%s %.1fs" % (case.name, dt), flush=True)
    failed = [c.name for c in selected if verdicts[c.name][0]]
    if a.results:
        Path(a.results).parent.mkdir(parents=True, exist_ok=True)
        with open(a.results, "a") as f:
            for c in selected:
                why, dt = verdicts[c.name]
                f.write("FAIL boot/%s: %s\n" % (c.name, why.replace("\n", " ")) if why
                        else "PASS boot/%s %.1fs\n" % (c.name, dt))
            for c, why in skipped:
                f.write("SKIP boot/%s: %s\n" % (c.name, why))
    print("boot: %d passed, %d failed, %d skipped, %.0fs wall (%.0fs of QEMU time)"
          % (len(selected) - len(failed), len(failed), len(skipped), time.monotonic() - t0,
             sum(v[1] for v in verdicts.values())))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
