#!/usr/bin/env python3
"""bench.py — page-table setup cost of topdown, beside Debian's Linux, in guest instructions.

    tests/bench/bench.py --plugin build/bench/icount-range.so [--build build] [--out build/bench]
                         [--profile full|quick] [--only SIZE[,SIZE]] [-j N]

Every run is QEMU TCG with -icount shift=0,sleep=off on q35 (phys-bits=48), RAM given
through a memory backend that reserves nothing (a guest touches only its table pages).
Guest instructions are counted by a QEMU TCG plugin, tests/bench/icount-range.c, from a
start address to an end address:

  topdown  from mm_init's entry to the instruction after its call (kernel/main.c),
           boot: build/topdown.elf, direct PVH boot, pt.maxpage=4k|2m|1g;
           cross-checked against the kernel's own `bench: mm_setup_tsc=N` (two rdtsc
           around the call: under -icount shift=0,sleep=off the TSC advances one tick per
           guest instruction, so the two differ by the fixed instructions around the call)
  Linux    from init_mem_mapping's entry to the instruction after its call in setup_arch
           (tests/bench/linux.py: Debian's kernel, `nokaslr`, symbols from its own
           /proc/kallsyms); QEMU stops when the end address is reached.

Page size is chosen by the CPU, the same for both kernels:
  4k  -cpu qemu64,pse=off   (Linux maps with 4 KiB pages without PSE)
  2m  -cpu qemu64           (no pdpe1gb: 2 MiB pages)
  1g  -cpu max,la57=off     (pdpe1gb; la57 off or Linux switches to 5-level paging)
Five-level rows (full profile; docs/la57.md): LA57 on, topdown with pt.levels=5, Linux as
it boots on such a CPU (5 levels: checked, its CR4 read by QEMU's `info registers` at its
root-mount panic in a separate boot per -cpu):
  2m  -cpu max,pdpe1gb=off  1g  -cpu max

Profiles:
  full   (make bench) the topdown-beside-Linux rows, then topdown alone for 128M..16T x
         4k/2m/1g (4k stops at 1T); downloads Debian's kernel once into build/bench/linux/.
  quick  (make bench BENCH=quick) the topdown side of the beside-Linux rows only: seconds.

Each topdown run's trace is judged by tools/tracecmp (through tests/boot/checktrace.py;
$TRACECMP names the binary), which also gives the fewest table pages possible for the run's
input (the unit tests' oracle).  The full profile ends with the AP bring-up cost for
-smp 1/2/4/8 (`bench: smp_bringup_tsc=`, `trace: percpu ... up_tsc=`).

Writes <out>/results.md (quick: results-quick.md; tables, versions, every command) and
a log per run; prints the beside-Linux table.  Exit status 1 when a run fails, a count never reaches its end
address, a trace check fails, the table count is not minimal, or a repeated run differs.

QEMU 7.2 moves RAM above 4 GiB to 1 TiB when it would reach the AMD HyperTransport hole
below 1 TiB (qemu64 and max are AuthenticAMD), so 1T and more need phys-bits=48.  Sizes
beyond 16T are not run: at 62T QEMU 7.2 aborts in smbios_get_tables and its own
bookkeeping needs several GiB of host RAM.
"""
import argparse
import concurrent.futures
import datetime
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.dont_write_bytecode = True     # keep tests/ free of __pycache__
sys.path.insert(0, str(REPO / "tests" / "boot"))
sys.path.insert(0, str(HERE))
import checktrace  # noqa: E402
import linux  # noqa: E402
from mdtable import md_table  # noqa: E402

QEMU = "qemu-system-x86_64"
CPU = {"4k": "qemu64,pse=off", "2m": "qemu64", "1g": "max,la57=off"}
CPU5 = {"2m": "max,pdpe1gb=off", "1g": "max"}      # LA57 on: both kernels at 5 levels
VERSUS5 = [("1G", "2m"), ("64G", "2m"), ("1G", "1g"), ("1T", "1g")]
# The rows of issue 12: topdown beside Linux.
VERSUS = [("1G", "2m"), ("4G", "2m"), ("64G", "2m"), ("1T", "2m"),
          ("1G", "1g"), ("64G", "1g"), ("1T", "1g"),
          ("1G", "4k"), ("4G", "4k")]
SIZES = ["128M", "1G", "4G", "16G", "64G", "256G", "1T", "4T", "16T"]
MAXPAGES = ["4k", "2m", "1g"]
# 4 KiB leaves need one L1 (4 KiB) per 2 MiB of RAM: 2 GiB of tables and
# ~2 minutes of TCG at 1T; 8 GiB at 4T and 32 GiB at 16T, more than this
# host should give.  So 4k stops at 1T.
MAX_4K = "1T"
TIMEOUT = 900
REPEAT = ("1G", "4k")           # topdown: run twice, the counts must not move
LINUX_REPEAT = ("1G", "2m")     # Linux: likewise (full profile)
LINUX_APPEND = "nokaslr console=ttyS0 panic=-1"
TSC_SLACK = 100                 # |TSC - plugin| must stay below this, and equal on every row
GOAL_PER_LEAF, GOAL_RATIO = 8, 10


def size_bytes(s):
    m = re.fullmatch(r"(\d+)([MGT])", s)
    return int(m.group(1)) << {"M": 20, "G": 30, "T": 40}[m.group(2)]


def shell(args):
    return " ".join(a if re.fullmatch(r"[\w./,=:+-]+", a) else "'%s'" % a for a in args)


def rel(p):
    p = Path(p)
    return str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p)


def qemu_base(size, maxpage, levels=4):
    cpu = (CPU5 if levels == 5 else CPU)[maxpage]
    return [QEMU, "-accel", "tcg", "-M", "q35", "-cpu", cpu + ",phys-bits=48", "-m", size,
            "-object", "memory-backend-ram,id=ram0,size=%s,reserve=off" % size,
            "-machine", "memory-backend=ram0",
            "-icount", "shift=0,sleep=off", "-display", "none", "-no-reboot"]


def plugin_arg(plugin, start, end, exit_at_end):
    return "%s,start=%#x,end=%#x,exit=%s" % (rel(plugin), start, end, "on" if exit_at_end else "off")


PLUGIN_RE = re.compile(r"^icount-range: insns=(\d+) start=(0x[0-9a-f]+) end=(0x[0-9a-f]+)$", re.M)
PLUGIN_ERR = re.compile(r"^icount-range: error: .*$", re.M)


def run_qemu(args, log, timeout=TIMEOUT):
    t0 = time.monotonic()
    with open(log, "wb") as f:
        try:
            p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.PIPE,
                               timeout=timeout, cwd=REPO)
            rc, err = p.returncode, p.stderr.decode(errors="replace")
        except subprocess.TimeoutExpired as e:
            rc = None
            err = (e.stderr or b"").decode(errors="replace") + "\ntimeout after %d s" % timeout
    return rc, err, time.monotonic() - t0, log.read_bytes().decode("latin-1")


def plugin_count(err):
    """The plugin's count, or (None, reason)."""
    m = PLUGIN_RE.search(err)
    if m:
        return int(m.group(1)), ""
    e = PLUGIN_ERR.search(err)
    return None, e.group(0) if e else "no icount-range line (plugin not loaded?)"


# --- topdown ------------------------------------------------------------------------------

def topdown_addrs(elf):
    """mm_init's entry and the address after its only call site."""
    nm = subprocess.run(["nm", str(elf)], capture_output=True, text=True).stdout
    m = re.search(r"^([0-9a-f]+) T mm_init$", nm, re.M)
    if not m:
        raise SystemExit("bench: no mm_init in %s" % elf)
    start = int(m.group(1), 16)
    dis = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(elf)],
                         capture_output=True, text=True).stdout
    insns = re.findall(r"^\s*([0-9a-f]+):\s+(\S.*)$", dis, re.M)
    sites = [i for i, (_, ins) in enumerate(insns)
             if re.fullmatch(r"call\s+%x\s+<mm_init>" % start, ins.strip())]
    if len(sites) != 1:
        raise SystemExit("bench: %d calls to mm_init in %s, want exactly 1" % (len(sites), elf))
    return start, int(insns[sites[0] + 1][0], 16)


def topdown_cmd(elf, plugin, addrs, size, maxpage, levels=4):
    return qemu_base(size, maxpage, levels) + [
        "-serial", "stdio", "-device", "isa-debug-exit,iobase=0x501,iosize=2",
        "-kernel", rel(elf), "-append", "pt.maxpage=" + maxpage + (" pt.levels=5" if levels == 5 else ""),
        "-plugin", plugin_arg(plugin, *addrs, False)]


def run_topdown(elf, plugin, addrs, out, size, maxpage, tag="", levels=4):
    name = "%s-%s%s" % (size, maxpage, tag)
    args = topdown_cmd(elf, plugin, addrs, size, maxpage, levels)
    rc, err, wall, text = run_qemu(args, out / ("topdown-%s.log" % name))
    r = {"name": name, "size": size, "maxpage": maxpage, "cmd": shell(args), "wall": wall,
         "rc": rc, "error": ""}
    insns, why = plugin_count(err)
    if rc != 33 or "topdown: result: PASS" not in text or insns is None:
        last = [l for l in text.splitlines() if l.strip()][-1:] or ["no output"]
        r["error"] = "exit %s: %s %s %s" % (rc, last[0].strip()[:150], why,
                                            err.strip()[-150:] if insns is None else "")
        return r
    got = re.search(r"^trace: begin .*\blevels=(\d)", text, re.M)
    if int(got.group(1) if got else 4) != levels:
        r["error"] = "the trace says levels=%s, this row is %d-level" % (got.group(1) if got else 4, levels)
        return r
    sm = re.search(r"^trace: summary (.*)$", text, re.M)
    kv = dict(re.findall(r"(\w+)=(\d+)", sm.group(1)))
    r.update({k: int(v) for k, v in kv.items()})
    r["insns"] = insns
    r["tsc"] = int(re.search(r"^bench: mm_setup_tsc=(\d+)", text, re.M).group(1))
    r["leaves"] = int(re.search(r"^selfcheck: .*\bdirect_leaves=(\d+)", text, re.M).group(1))
    errors, info = checktrace.check_text(text, maxpage)
    r["check"] = "ok" if not errors else "FAIL [%s]" % ",".join(sorted({c for c, _ in errors}))
    r["min"] = info.get("min", {}).get("total")
    if r["min"] is None:
        r["error"] = "tracecmp gave no minimum table count: trace %s" % r["check"]
    return r


# --- Linux --------------------------------------------------------------------------------

def linux_cmd(kinfo, plugin, size, maxpage, log, levels=4):
    return qemu_base(size, maxpage, levels) + [
        "-serial", "file:" + rel(log), "-kernel", rel(kinfo["bzimage"]),
        "-append", LINUX_APPEND,
        "-plugin", plugin_arg(plugin, kinfo["start"], kinfo["end"], True)]


def run_linux(kinfo, plugin, out, size, maxpage, tag="", levels=4):
    name = "%s-%s%s" % (size, maxpage, tag)
    serial = out / ("linux-%s.serial" % name)
    args = linux_cmd(kinfo, plugin, size, maxpage, serial, levels)
    rc, err, wall, _ = run_qemu(args, out / ("linux-%s.log" % name))
    r = {"name": name, "size": size, "maxpage": maxpage, "cmd": shell(args), "wall": wall,
         "rc": rc, "error": ""}
    insns, why = plugin_count(err)
    if rc != 0 or insns is None:
        r["error"] = "exit %s: %s" % (rc, why if insns is None else err.strip()[-200:])
    else:
        r["insns"] = insns
    return r


def linux_depth(kinfo, out, maxpage):
    """The paging depth Linux runs at on the 5-level rows' -cpu: Linux booted (1G, no
    plugin, no initramfs, panic=0) until its root-mount panic, then CR4 from QEMU's
    `info registers` (bit 12: LA57).  r["levels"] is 5 or 4, or r["error"]."""
    name = "depth-%s" % maxpage
    serial, sock = out / ("linux-%s.serial" % name), out / ("linux-%s.mon" % name)
    for f in (serial, sock):            # a previous run's panic line must not count
        if f.exists():
            f.unlink()
    args = [QEMU, "-accel", "tcg", "-M", "q35", "-cpu", CPU5[maxpage] + ",phys-bits=48", "-m", "1G",
            "-display", "none", "-no-reboot", "-serial", "file:" + rel(serial),
            "-monitor", "unix:%s,server,nowait" % sock, "-kernel", rel(kinfo["bzimage"]),
            "-append", "nokaslr console=ttyS0 panic=0"]
    r = {"name": name, "maxpage": maxpage, "cmd": shell(args) + "   # then, at 'Kernel panic': info registers",
         "error": "", "wall": 0.0}
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, cwd=REPO)
    try:
        while time.monotonic() - t0 < TIMEOUT:
            if p.poll() is not None:
                r["error"] = "QEMU exited %s before the panic" % p.returncode
                return r
            if serial.exists() and b"Kernel panic" in serial.read_bytes():
                break
            time.sleep(1)
        else:
            r["error"] = "no 'Kernel panic' within %d s" % TIMEOUT
            return r
        import socket
        s = socket.socket(socket.AF_UNIX)
        s.connect(str(sock))
        s.sendall(b"info registers\n")
        buf, t1 = b"", time.monotonic()
        while b"CR4=" not in buf or buf.count(b"(qemu)") < 2:
            s.settimeout(10)
            chunk = s.recv(65536)
            if not chunk or time.monotonic() - t1 > 20:
                break
            buf += chunk
        s.close()
        m = re.search(rb"CR4=([0-9a-f]+)", buf)
        if not m:
            r["error"] = "no CR4 in QEMU's info registers"
            return r
        r["cr4"] = int(m.group(1), 16)
        r["levels"] = 5 if r["cr4"] & (1 << 12) else 4
    finally:
        p.kill()
        p.wait()
        r["wall"] = time.monotonic() - t0
        if sock.exists():
            sock.unlink()
    return r


# --- AP bring-up --------------------------------------------------------------------------

SMP = [1, 2, 4, 8, 16]        # -smp N: AP bring-up cost (128M, 2m pages, q35)
# The bring-up before issue 24 (one AP at a time, INIT + 10 ms each; docs/bench.md at 8799eec).
SMP_BEFORE = {2: 27602760, 4: 82454869, 8: 247085754}
# All APs in one pass, no LAPIC timer running while they start (docs/bench.md at a9f5bec): under
# QEMU 7.2's -icount each AP's INIT cost up to the next timer deadline (docs/smp.md).
SMP_SPIN = {2: 27754444, 4: 27678273, 8: 137376407, 16: 301845877}


def smp_command(elf, n):
    return [QEMU, "-accel", "tcg", "-M", "q35", "-cpu", "qemu64", "-m", "128M", "-smp", str(n),
            "-icount", "shift=0,sleep=off", "-display", "none", "-serial", "stdio", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0x501,iosize=2",
            "-kernel", rel(elf), "-append", "pt.maxpage=2m"]


def run_smp(elf, out, n):
    """Guest instructions from the first INIT to the last AP's report-in
    (bench: smp_bringup_tsc=), table pages per CPU (trace: percpu)."""
    args = smp_command(elf, n)
    rc, _, wall, text = run_qemu(args, out / ("smp%d.log" % n))
    r = {"name": "smp%d" % n, "n": n, "cmd": shell(args), "wall": wall, "error": ""}
    if rc != 33 or not re.search(r"^smp: cpus=%d up=%d " % (n, n), text, re.M):
        r["error"] = "exit %s, not every CPU up" % rc
        return r
    m = re.search(r"^bench: smp_bringup_tsc=(\d+) ", text, re.M)
    r["tsc"] = int(m.group(1)) if m else 0
    m = re.search(r"^bench: smp_bringup_tsc=\d+ last_report_tsc=\d+ ap_start_tsc=(\d+)-(\d+) ", text, re.M)
    r["start"] = "{:,}–{:,}".format(int(m.group(1)), int(m.group(2))) if m and n > 1 else "—"
    r["tables"] = [int(t) for t in re.findall(r"^trace: percpu cpu=\d+ .* tables=(\d+) ", text, re.M)]
    r["up"] = [int(t) for t in re.findall(r"^trace: percpu cpu=\d+ .* up_tsc=(\d+)", text, re.M)]
    return r


def smp_section(smp):
    L = ["## Bringing up the other CPUs", "",
         "q35, 128M, pt.maxpage=2m, `-smp N`, same -icount: **bring-up instructions** = "
         "TSC ticks on the boot CPU from the first AP's INIT to the last AP's report-in "
         "(`bench: smp_bringup_tsc=`); under -icount the one virtual clock advances with "
         "the instructions of every vCPU (run round-robin) and jumps where QEMU charges time "
         "no vCPU ran, so this counts all of them, "
         "including the boot CPU's busy-waits (10 us after the SIPIs here: no INIT wait on "
         "AMD family 0xf); **per AP** = "
         "from INIT to report-in of each AP (`trace: percpu ... up_tsc=`); **table pages** "
         "= each CPU's own tables (its L4 and the L3/L2/L1 of its globaldata slot; "
         "CPU 0's L4 is mm.root from step 1).  The shared trampoline identity map (3 "
         "pages) and the kmap tables are not per CPU.", "",
         "All APs are kicked in one pass while the boot CPU's LAPIC timer ticks every 10 us "
         "(docs/smp.md); **records taken** = first INIT to the "
         "APs taking their trampoline records (`ap_start_tsc=`, stamped by each AP); "
         "**one at a time** = one AP at a time with the 10 ms INIT wait (8799eec); "
         "**one pass, no tick** = all in one pass, no LAPIC timer running (a9f5bec), where "
         "QEMU 7.2 charged each INIT up to its next timer deadline, the PIT's 27.5 ms "
         "(docs/smp.md).", ""]
    rows = []
    for r in smp:
        before = n(SMP_BEFORE[r["n"]]) if r["n"] in SMP_BEFORE else "—"
        spin = n(SMP_SPIN[r["n"]]) if r["n"] in SMP_SPIN else "—"
        if r["error"]:
            rows.append((r["n"], before, spin, "—", "—", "—", r["error"]))
        else:
            rows.append((r["n"], before, spin, n(r["tsc"]), r["start"],
                         " ".join(n(u) for u in r["up"][1:]) or "—",
                         " ".join(map(str, r["tables"]))))
    L += md_table([("-smp", "r"), ("one at a time", "r"), ("one pass, no tick", "r"),
                   ("bring-up instructions", "r"), ("records taken", "r"),
                   ("per AP", "l"), ("table pages per CPU", "l")], rows)
    L.append("")
    return L


# --- reporting ----------------------------------------------------------------------------

def n(v):
    return "{:,}".format(v)


def versus_table(pairs, cpus=CPU):
    rows = []
    for t, l in pairs:
        cpu = "`%s`" % cpus[t["maxpage"]]
        td = n(t["insns"]) if not t["error"] else "error: " + t["error"]
        if l is None:
            lx, ratio = "—", "—"
        elif l["error"]:
            lx, ratio = "error: " + l["error"], "—"
        else:
            lx = n(l["insns"])
            ratio = ("%.2f×" if l["insns"] < 10 * t["insns"] else "%.1f×") % (
                l["insns"] / t["insns"]) if not t["error"] else "—"
        per = "%.1f" % (t["insns"] / t["leaves"]) if not t["error"] else "—"
        leaves = n(t["leaves"]) if not t["error"] else "—"
        rows.append((t["size"], t["maxpage"], cpu, td, lx, ratio, per, leaves))
    return md_table([("RAM", "l"), ("page", "l"), ("`-cpu`", "l"), ("topdown `mm_init`", "r"),
                     ("Linux `init_mem_mapping`", "r"), ("Linux ÷ topdown", "r"),
                     ("topdown per leaf", "r"), ("topdown direct leaves", "r")], rows)


MATRIX_COLUMNS = [("RAM", "l"), ("page", "l"), ("tables", "r"), ("min", "r"), ("extra", "r"),
                  ("L4/L3/L2/L1", "l"), ("brk", "l"), ("batches", "r"), ("hook calls", "r"),
                  ("mm_init", "r"), ("per leaf", "r"), ("TSC", "r"), ("wall s", "r"),
                  ("trace", "l")]


def matrix_row(r):
    if r["error"]:
        return (r["size"], r["maxpage"]) + ("—",) * 10 + ("%.1f" % r["wall"], r["error"])
    extra = r["tables"] - r["min"]
    return (r["size"], r["maxpage"], r["tables"], r["min"], "+%d" % extra if extra else "0",
            "%d/%d/%d/%d" % (r["l4"], r["l3"], r["l2"], r["l1"]),
            "%d/%d" % (r["brk_used"], r["brk_reserved"]), r["batches"], r["hook_calls"],
            n(r["insns"]), "%.1f" % (r["insns"] / r["leaves"]), n(r["tsc"]), "%.1f" % r["wall"],
            r["check"])


def goal_lines(pairs, matrix):
    """Issue 12's goal, row by row: >= GOAL_RATIO x fewer instructions than Linux on every
    row; <= GOAL_PER_LEAF per direct-map leaf at 1G/4k, 1T/2m and 16T/1g (matrix rows);
    a fixed cost of at most 100K for a small run (128M/2m)."""
    ok = lambda b: "met" if b else "NOT met"
    ratios = [(t, l["insns"] / t["insns"]) for t, l in pairs
              if l and not t["error"] and not l["error"]]
    low = ["%s/%s %.2f×" % (t["size"], t["maxpage"], q) for t, q in ratios if q < GOAL_RATIO]
    L = ["Issue 12's goal, from this run:", "",
         "- ≥ %d× fewer instructions than Linux on every row: %s%s" % (
             GOAL_RATIO, ok(ratios and not low and len(ratios) == len(pairs)),
             " (below: %s)" % ", ".join(low) if low else "")]
    per = []
    for c in (("1G", "4k"), ("1T", "2m"), ("16T", "1g")):
        r = matrix.get(c) or next((t for t, _ in pairs if (t["size"], t["maxpage"]) == c), None)
        if r and not r["error"]:
            per.append((c, r["insns"] / r["leaves"]))
    if per:
        L.append("- ≤ %d instructions per direct-map leaf at 1G/4k, 1T/2m, 16T/1g: %s (%s)" % (
            GOAL_PER_LEAF, ok(len(per) == 3 and all(p <= GOAL_PER_LEAF for _, p in per)),
            ", ".join("%s/%s %.1f" % (c[0], c[1], p) for c, p in per)))
    small = matrix.get(("128M", "2m"))
    if small and not small["error"]:
        L.append("- fixed cost of a small run (128M/2m) ≤ 100,000: %s (%s)" % (
            ok(small["insns"] <= 100000), n(small["insns"])))
    L.append("")
    return L


def smp_only(elf, out):
    """make bench BENCH=smp: the AP bring-up rows alone -> OUT/results-smp.md."""
    t0 = time.monotonic()
    smp = []
    for k in SMP:
        r = run_smp(elf, out, k)
        print("bench: smp     %-12s %s (%.1fs)" % (r["name"], r["error"] or "bring-up=%s" % n(r["tsc"]),
                                                  r["wall"]), flush=True)
        smp.append(r)
    qemu_version = subprocess.run([QEMU, "--version"], capture_output=True,
                                  text=True).stdout.splitlines()[0]
    git = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                         capture_output=True, text=True).stdout.strip()
    L = ["# topdown AP bring-up", "",
         "- date: %s; produced by `make bench BENCH=smp` (`tests/bench/bench.py --profile smp`) "
         "in %.0f s" % (datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z"),
                        time.monotonic() - t0),
         "- %s, TCG, `-icount shift=0,sleep=off`; `%s` (git %s)" % (qemu_version, rel(elf), git),
         ""]
    L += smp_section(smp)
    L += ["## Commands", "", "```"] + [r["cmd"] for r in smp] + ["```", ""]
    res = out / "results-smp.md"
    res.write_text("\n".join(L))
    print("\n".join(smp_section(smp)[-len(smp) - 3:]))
    print("bench: wrote %s" % res)
    return 1 if any(r["error"] for r in smp) else 0


def main():
    ap = argparse.ArgumentParser(description="topdown page-table benchmark, beside Linux")
    ap.add_argument("--build", default=str(REPO / "build"))
    ap.add_argument("--out", default=None, help="default: BUILD/bench")
    ap.add_argument("--plugin", default=None, help="default: OUT/icount-range.so")
    ap.add_argument("--profile", choices=["full", "quick", "smp"], default="full",
                    help="smp: the AP bring-up rows alone")
    ap.add_argument("--only", help="sizes to run, comma separated (e.g. 1G,1T)")
    ap.add_argument("-j", "--jobs", type=int, default=1,
                    help="QEMUs at once (default 1: wall times stay comparable)")
    a = ap.parse_args()
    print("bench: accel tcg (forced: -icount counts guest instructions only under TCG)", flush=True)
    build = Path(a.build).resolve()
    elf = build / "topdown.elf"
    out = Path(a.out).resolve() if a.out else build / "bench"
    plugin = Path(a.plugin).resolve() if a.plugin else out / "icount-range.so"
    out.mkdir(parents=True, exist_ok=True)
    for f in (elf, plugin):
        if not f.exists():
            print("bench: %s missing: run make bench" % f, file=sys.stderr)
            return 2
    if a.profile == "smp":
        return smp_only(elf, out)
    full = a.profile == "full"
    only = [s for s in (a.only or "").split(",") if s]
    versus = [c for c in VERSUS if not only or c[0] in only]
    sizes = only or SIZES
    matrix = [(s, m) for s in sizes for m in MAXPAGES
              if not (m == "4k" and size_bytes(s) > size_bytes(MAX_4K))] if full else []
    skipped = [(s, m) for s in sizes for m in MAXPAGES if (s, m) not in matrix] if full else []
    addrs = topdown_addrs(elf)
    t0 = time.monotonic()

    kinfo = None
    if full and versus:
        try:
            kinfo = linux.prepare(build / "bench" / "linux", lambda s: print("bench: linux: " + s,
                                                                              flush=True))
        except linux.LinuxError as e:
            print("bench: error: Linux reference: %s" % e, file=sys.stderr)
            return 1

    jobs = [("topdown",) + c for c in dict.fromkeys(versus + matrix)]
    if REPEAT in versus + matrix:
        jobs.append(("topdown",) + REPEAT + ("-again",))
    versus5 = [c for c in VERSUS5 if (not only or c[0] in only)] if full else []
    jobs += [("topdown5",) + c for c in versus5]
    if kinfo:
        jobs += [("linux5",) + c for c in versus5]
        jobs += [("depth5", m) for m in dict.fromkeys(m for _, m in versus5)]
        jobs += [("linux",) + c for c in versus]
        if LINUX_REPEAT in versus:
            jobs.append(("linux",) + LINUX_REPEAT + ("-again",))

    if full:
        jobs += [("smp", k) for k in SMP]

    def job(j):
        if j[0] == "topdown":
            return run_topdown(elf, plugin, addrs, out, *j[1:])
        if j[0] == "topdown5":
            return run_topdown(elf, plugin, addrs, out, *j[1:], tag="-l5", levels=5)
        if j[0] == "linux5":
            return run_linux(kinfo, plugin, out, *j[1:], tag="-l5", levels=5)
        if j[0] == "depth5":
            return linux_depth(kinfo, out, j[1])
        if j[0] == "smp":
            return run_smp(elf, out, j[1])
        return run_linux(kinfo, plugin, out, *j[1:])

    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        futs = {pool.submit(job, j): j for j in jobs}
        for f in concurrent.futures.as_completed(futs):
            j, r = futs[f], f.result()
            results[j] = r
            if r["error"]:
                msg = r["error"]
            elif j[0] == "smp":
                msg = "bring-up=%s tables per CPU %s" % (n(r["tsc"]), r["tables"])
            elif j[0] == "depth5":
                msg = "Linux on -cpu %s: CR4=%#x, %d levels" % (CPU5[j[1]], r["cr4"], r["levels"])
            elif j[0] in ("topdown", "topdown5"):
                msg = ("mm_init=%s (%.1f/leaf, TSC %s) tables=%d min=%d trace %s"
                       % (n(r["insns"]), r["insns"] / r["leaves"], n(r["tsc"]), r["tables"],
                          r["min"], r["check"]))
            else:
                msg = "init_mem_mapping=%s" % n(r["insns"])
            print("bench: %-7s %-12s %s (%.1fs)" % (j[0], r["name"], msg, r["wall"]), flush=True)
    total = time.monotonic() - t0

    tops = [r for j, r in results.items() if j[0] in ("topdown", "topdown5")]
    bad = [r for r in tops if r["error"] or r["check"] != "ok" or r["tables"] != r["min"]]
    bad += [r for j, r in results.items() if j[0] in ("linux", "smp", "linux5", "depth5") and r["error"]]
    # a 5-level row beside a Linux that did not run at 5 levels compares nothing
    bad += [r for j, r in results.items() if j[0] == "depth5" and not r["error"] and r["levels"] != 5]
    diffs = sorted({r["tsc"] - r["insns"] for r in tops if not r["error"]})
    tsc_ok = len(diffs) <= 1 and all(abs(d) < TSC_SLACK for d in diffs)
    notes = []
    for key, label, rk in ((REPEAT, "topdown mm_init", "topdown"),
                           (LINUX_REPEAT, "Linux init_mem_mapping", "linux")):
        r1, r2 = results.get((rk,) + key), results.get((rk,) + key + ("-again",))
        if r1 and r2:
            same = not r1["error"] and not r2["error"] and r1["insns"] == r2["insns"]
            notes.append("%s/%s run twice: %s took %s and %s guest instructions (%s)."
                         % (key[0], key[1], label, r1.get("insns"), r2.get("insns"),
                            "identical" if same else "DIFFERENT"))
            if not same:
                bad.append(r2)

    pairs = [(results[("topdown",) + c], results.get(("linux",) + c)) for c in versus]
    table = versus_table(pairs)
    qemu_version = subprocess.run([QEMU, "--version"], capture_output=True,
                                  text=True).stdout.splitlines()[0]
    git = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                         capture_output=True, text=True).stdout.strip()
    L = []
    L.append("# topdown page-table setup, beside Linux")
    L.append("")
    L.append("- date: %s; produced by `make bench%s` (`tests/bench/bench.py --profile %s%s`) in %.0f s"
             % (datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z"),
                "" if full else " BENCH=quick", a.profile,
                (" --only " + a.only) if a.only else "", total))
    L.append("- %s, TCG, `-icount shift=0,sleep=off`, q35, one vCPU; host: %d CPUs"
             % (qemu_version, os.cpu_count()))
    L.append("- counter: the QEMU TCG plugin `tests/bench/icount-range.c` counts the guest "
             "instructions executed from a start address (included) to an end address (excluded)")
    L.append("- topdown: `%s` (git %s): from `mm_init` (%#x) to the instruction after its call "
             "(%#x); pt.maxpage = the page column" % (rel(elf), git, addrs[0], addrs[1]))
    if kinfo:
        L.append("- Linux: Debian `%s` %s (what `linux-image-amd64` depends on; .deb sha256 %s), "
                 "its bzImage booted with `%s`: from `init_mem_mapping` (%#x) to the instruction "
                 "after its call (%#x) in `setup_arch`, then QEMU stops"
                 % (kinfo["package"], kinfo["version"], kinfo["deb_sha256"][:16], LINUX_APPEND,
                    kinfo["start"], kinfo["end"]))
        L.append("- Linux symbols: the kernel's own `/proc/kallsyms` (%d symbols) from one boot "
                 "with a busybox initramfs (%s; command below); the call site from `objdump -d` "
                 "of `setup_arch` in the ELF vmlinux unpacked from the bzImage — the call's "
                 "target equals the kallsyms address of `init_mem_mapping`. Debian's .deb ships "
                 "only a stub System.map (the real one is in the ~860 MB -dbg package)."
                 % (kinfo["kallsyms_count"], kinfo["busybox"]))
    L.append("")
    L.append("## topdown beside Linux")
    L.append("")
    L.append("Same QEMU, same RAM, same `-cpu` (which decides the largest page Linux uses; "
             "topdown is given the same cap with `pt.maxpage`). **Linux ÷ topdown** > 1 means "
             "topdown executes fewer instructions. **per leaf** = topdown's count ÷ the direct-map "
             "leaves its self-check counts after setup (`selfcheck: ... direct_leaves=N`); on "
             "small runs it is mostly the fixed cost.")
    L.append("")
    L += table
    L.append("")
    if kinfo:
        L += goal_lines(pairs, {c: results[("topdown",) + c] for c in matrix})
    if diffs:
        L.append("Cross-check: topdown's own `bench: mm_setup_tsc=N` (TSC delta around the call) "
                 "minus the plugin's count is %s on every row%s — the instructions between the "
                 "two rdtsc outside `mm_init` (argument set-up, the call, lfence)."
                 % (" / ".join(str(d) for d in diffs),
                    "" if tsc_ok else " — NOT one small constant: investigate"))
        L.append("")
    if not kinfo:
        L.append("Linux not run (profile %s): `make bench` runs it." % a.profile)
        L.append("")
    if versus5:
        pairs5 = [(results[("topdown5",) + c], results.get(("linux5",) + c)) for c in versus5]
        L.append("## topdown beside Linux, five-level paging")
        L.append("")
        L.append("The same, with LA57 on (`-cpu` below): topdown with `pt.levels=5` (its trace "
                 "says `levels=5`: checked), Linux as it boots on such a CPU (docs/la57.md).")
        for m in dict.fromkeys(mp for _, mp in versus5):
            d = results.get(("depth5", m))
            if d and not d["error"]:
                L.append("- Linux on `-cpu %s`: CR4=%#x at its root-mount panic (QEMU `info "
                         "registers`): LA57 %s, **%d-level paging**." % (
                             CPU5[m], d["cr4"], "set" if d["levels"] == 5 else "clear", d["levels"]))
            elif d:
                L.append("- Linux on `-cpu %s`: depth not read: %s" % (CPU5[m], d["error"]))
        L.append("")
        L += versus_table(pairs5, CPU5)
        L.append("")
    if full and matrix:
        L.append("## topdown by RAM size and page size")
        L.append("")
        L.append("**tables** = table pages allocated (trace summary); **min** = the fewest possible "
                 "for the run's input and maxpage (the unit tests' oracle, through tools/tracecmp); "
                 "**L4/L3/L2/L1** "
                 "= tables per level; **brk** = brk pages used/reserved; **mm_init** = plugin count; "
                 "**per leaf** = ÷ direct leaves; **TSC** = `bench: mm_setup_tsc`; **wall** = host "
                 "seconds for the whole QEMU run; **trace** = tools/tracecmp on the whole trace "
                 "(tests/boot/checktrace.py).")
        L.append("")
        L += md_table(MATRIX_COLUMNS, [matrix_row(results[("topdown",) + c]) for c in matrix])
        L.append("")
        if skipped:
            L.append("Not run: %s — 4 KiB leaves need one 4 KiB L1 per 2 MiB of RAM "
                     "(8 GiB of tables at 4T, 32 GiB at 16T), more than this host should back."
                     % ", ".join("%s/%s" % x for x in skipped))
            L.append("")
    if notes:
        L.append("Determinism: " + " ".join(notes))
        L.append("")
    smp = [results[("smp", k)] for k in SMP if ("smp", k) in results]
    if smp:
        L += smp_section(smp)
    L.append("## Commands")
    L.append("")
    L.append("```")
    L.append("# the plugin, as tests/bench/bench.mk builds it")
    L.append("gcc -std=gnu11 -O2 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden "
             "-o %s tests/bench/icount-range.c" % rel(plugin))
    if kinfo:
        L.append("# Linux symbols (once; cached in %s)" % rel(Path(kinfo["bzimage"]).parent))
        L.append(shell([rel(x) if x.startswith("/") else x for x in kinfo["symbols_cmd"]]))
    L.append("# one per run, in table order")
    for key in [("topdown",) + c for c in dict.fromkeys(versus + matrix)] + \
               [("linux",) + c for c in versus if kinfo] + [("topdown5",) + c for c in versus5] + \
               [("linux5",) + c for c in versus5 if kinfo] + \
               [("depth5", m) for m in dict.fromkeys(mp for _, mp in versus5) if kinfo]:
        L.append(results[key]["cmd"])
    L += [r["cmd"] for r in smp]
    L.append("```")
    L.append("")
    results_md = out / ("results.md" if full else "results-quick.md")
    results_md.write_text("\n".join(L))

    if pairs:
        print()
        print("\n".join(table))
        print()
    print("bench: wrote %s (%d runs, %.0f s)" % (results_md, len(results), total))
    if not tsc_ok:
        print("bench: TSC minus plugin count is not one small constant: %s" % diffs)
        return 1
    if bad:
        print("bench: %d run(s) failed, were not minimal or not deterministic: %s"
              % (len(bad), ", ".join(r["name"] for r in bad)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
