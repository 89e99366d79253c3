#!/usr/bin/env python3
"""bench.py — page-table cost of topdown's top-down setup, by RAM size and maxpage.

    tests/bench/bench.py [--build build] [--out build/bench] [--quick] [--only SIZE[,SIZE]]

Boots build/topdown.elf (direct PVH boot) in QEMU with -icount shift=0,sleep=off once
per configuration: RAM 128M to 16T given through a memory backend that
reserves nothing (the guest only touches its table pages) x pt.maxpage
4k/2m/1g (-cpu max for 1g).  From each run it collects the summary trace
record (tables, brk pages, batches, hook calls), the minimum number of table
pages for the run's input (the unit tests' oracle, through tools/tracecmp), the
checker's verdict on the whole trace, and the guest instructions spent in
mm_init ("bench: mm_setup_tsc=": with -icount shift=0,sleep=off the TSC advances one
tick per guest instruction, so the count is deterministic; the script
checks that by running one configuration twice).

Writes <out>/results.md (the table, the exact commands, date, QEMU
version) and <out>/<config>.log.  Not part of make check.

Every size runs on q35 with phys-bits=48: QEMU 7.2 moves RAM above 4 GiB
to 1 TiB when it would reach the AMD HyperTransport hole below 1 TiB
(vendor AuthenticAMD, as qemu64 and max are), so 1T and more end above the
default 40-bit physical address space.  Sizes beyond 16T are not run: at 62T
QEMU 7.2 aborts in smbios_get_tables and its own bookkeeping needs several
GiB of host RAM.
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
import checktrace  # noqa: E402

QEMU = "qemu-system-x86_64"
SIZES = ["128M", "1G", "4G", "16G", "64G", "256G", "1T", "4T", "16T"]
MAXPAGES = ["4k", "2m", "1g"]
# 4 KiB leaves need one L1 (4 KiB) per 2 MiB of RAM: 2 GiB of tables and
# ~2 minutes of TCG at 1T; 8 GiB at 4T and 32 GiB at 16T, more than this
# host should give.  So 4k stops at 1T.
MAX_4K = "1T"
TIMEOUT = 900
REPEAT = ("1G", "4k")           # run twice: the instruction count must not move


def size_bytes(s):
    m = re.fullmatch(r"(\d+)([MGT])", s)
    return int(m.group(1)) << {"M": 20, "G": 30, "T": 40}[m.group(2)]


def command(elf, size, maxpage):
    cpu = ("max" if maxpage == "1g" else "qemu64") + ",phys-bits=48"
    return [QEMU, "-M", "q35", "-cpu", cpu, "-m", size,
            "-object", "memory-backend-ram,id=ram0,size=%s,reserve=off" % size,
            "-machine", "memory-backend=ram0",
            "-icount", "shift=0,sleep=off",
            "-display", "none", "-serial", "stdio", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0x501,iosize=2",
            "-kernel", str(elf), "-append", "pt.maxpage=" + maxpage]


def shell(args):
    return " ".join(a if re.fullmatch(r"[\w./,=:+-]+", a) else "'%s'" % a for a in args)


def run(elf, out, size, maxpage, tag=""):
    name = "%s-%s%s" % (size, maxpage, tag)
    args = command(elf, size, maxpage)
    log = out / (name + ".log")
    t0 = time.monotonic()
    with open(log, "wb") as f:
        try:
            p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.PIPE,
                               timeout=TIMEOUT)
            rc, err = p.returncode, p.stderr.decode(errors="replace")
        except subprocess.TimeoutExpired:
            rc, err = None, "timeout after %d s" % TIMEOUT
    wall = time.monotonic() - t0
    text = log.read_bytes().decode("latin-1")
    r = {"name": name, "size": size, "maxpage": maxpage, "cmd": shell(args), "wall": wall,
         "rc": rc, "error": ""}
    if rc != 33 or "topdown: result: PASS" not in text:
        last = [l for l in text.splitlines() if l.strip()][-1:] or ["no output"]
        r["error"] = "exit %s: %s %s" % (rc, last[0].strip()[:150], err.strip()[-150:])
        return r
    sm = re.search(r"^trace: summary (.*)$", text, re.M)
    kv = dict(re.findall(r"(\w+)=(\d+)", sm.group(1)))
    r.update({k: int(v) for k, v in kv.items()})
    r["tsc"] = int(re.search(r"^bench: mm_setup_tsc=(\d+)", text, re.M).group(1))
    errors, info = checktrace.check_text(text, maxpage)
    r["check"] = "ok" if not errors else "FAIL [%s]" % ",".join(sorted({c for c, _ in errors}))
    r["min"] = info.get("min", {}).get("total")
    r["ram"] = info.get("ram")
    r["maxphyaddr"] = re.search(r"maxphyaddr=(\d+)", text).group(1)
    return r


SMP = [1, 2, 4, 8]            # -smp N: AP bring-up cost (128M, 2m pages, q35)


def smp_command(elf, n):
    return [QEMU, "-M", "q35", "-cpu", "qemu64", "-m", "128M", "-smp", str(n),
            "-icount", "shift=0,sleep=off", "-display", "none", "-serial", "stdio", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0x501,iosize=2",
            "-kernel", str(elf), "-append", "pt.maxpage=2m"]


def run_smp(elf, out, n):
    """Guest instructions from the first INIT to the last AP's report-in
    (bench: smp_bringup_tsc=), table pages per CPU (trace: percpu)."""
    args = smp_command(elf, n)
    log = out / ("smp%d.log" % n)
    with open(log, "wb") as f:
        p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.DEVNULL,
                           timeout=TIMEOUT)
    text = log.read_bytes().decode("latin-1")
    r = {"n": n, "cmd": shell(args), "error": ""}
    if p.returncode != 33 or not re.search(r"^smp: cpus=%d up=%d " % (n, n), text, re.M):
        r["error"] = "exit %s, not every CPU up" % p.returncode
        return r
    m = re.search(r"^bench: smp_bringup_tsc=(\d+) ", text, re.M)
    r["tsc"] = int(m.group(1)) if m else 0
    r["tables"] = [int(t) for t in re.findall(r"^trace: percpu cpu=\d+ .* tables=(\d+) ", text, re.M)]
    r["up"] = [int(t) for t in re.findall(r"^trace: percpu cpu=\d+ .* up_tsc=(\d+)", text, re.M)]
    return r


def fmt_row(r):
    if r["error"]:
        return "| %s | %s | — | — | — | — | — | — | — | %.1f | %s |" % (
            r["size"], r["maxpage"], r["wall"], r["error"].replace("|", "\\|"))
    extra = r["tables"] - r["min"]
    return ("| %s | %s | %d | %d | %s | %d/%d/%d/%d | %d/%d | %d | %d | %s | %.1f | %s |"
            % (r["size"], r["maxpage"], r["tables"], r["min"], "+%d" % extra if extra else "0",
               r["l4"], r["l3"], r["l2"], r["l1"], r["brk_used"], r["brk_reserved"], r["batches"],
               r["hook_calls"], "{:,}".format(r["tsc"]), r["wall"], r["check"]))


def main():
    ap = argparse.ArgumentParser(description="topdown page-table benchmark")
    ap.add_argument("--build", default=str(REPO / "build"))
    ap.add_argument("--out", default=None, help="default: BUILD/bench")
    ap.add_argument("--only", help="sizes to run, comma separated (e.g. 1G,1T)")
    ap.add_argument("--quick", action="store_true", help="sizes up to 16G only")
    ap.add_argument("-j", "--jobs", type=int, default=1,
                    help="QEMUs at once (default 1: wall times stay comparable)")
    a = ap.parse_args()
    build = Path(a.build).resolve()
    elf = build / "topdown.elf"
    out = Path(a.out).resolve() if a.out else build / "bench"
    out.mkdir(parents=True, exist_ok=True)
    if not elf.exists():
        print("bench: %s missing: run make" % elf, file=sys.stderr)
        return 2
    sizes = SIZES
    if a.only:
        sizes = [s for s in a.only.split(",") if s]
    elif a.quick:
        sizes = SIZES[:4]
    configs = [(s, m) for s in sizes for m in MAXPAGES
               if not (m == "4k" and size_bytes(s) > size_bytes(MAX_4K))]
    skipped = [(s, m) for s in sizes for m in MAXPAGES if (s, m) not in configs]
    jobs = list(configs)
    if REPEAT in configs:
        jobs.append(REPEAT + ("-again",))

    t0 = time.monotonic()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        futs = {pool.submit(run, elf, out, *j): j for j in jobs}
        for f in concurrent.futures.as_completed(futs):
            r = f.result()
            results[futs[f]] = r
            print("bench: %-12s %s" % (r["name"], r["error"] or
                  "tables=%d min=%d batches=%d mm_setup=%d instructions %.1fs trace %s"
                  % (r["tables"], r["min"], r["batches"], r["tsc"], r["wall"], r["check"])),
                  flush=True)
    total = time.monotonic() - t0

    qemu_version = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    git = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True,
                         text=True).stdout.strip()
    rows = [results[c] for c in configs]
    bad = [r for r in rows if r["error"] or r.get("check") != "ok" or r["tables"] != r["min"]]
    lines = []
    lines.append("# topdown page-table benchmark")
    lines.append("")
    lines.append("- date: %s" % datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z"))
    lines.append("- %s, TCG, `-icount shift=0,sleep=off`; host: %d CPUs" % (qemu_version, os.cpu_count()))
    lines.append("- kernel: %s (git %s), brk %s pages" % (elf.relative_to(REPO) if elf.is_relative_to(REPO) else elf,
                                                       git, rows[0].get("brk_reserved", "?") if rows else "?"))
    lines.append("- produced by `tests/bench/bench.py%s` (make bench) in %.0f s" %
                 ((" --only " + a.only) if a.only else " --quick" if a.quick else "", total))
    lines.append("")
    lines.append("Columns: **tables** = table pages the kernel allocated (trace summary); "
                 "**min** = the fewest possible for the run's usable RAM and maxpage, computed by "
                 "the unit tests' oracle (tools/tracecmp); **L4/L3/L2/L1** = tables per level; **brk** = brk pages "
                 "used/reserved; **mm_init instructions** = guest instructions between the two "
                 "rdtsc around mm_init (TSC = instruction count under -icount shift=0,sleep=off); "
                 "**wall** = host seconds for the whole QEMU run (boot, mm_init, self-check); "
                 "**trace** = tools/tracecmp on the whole trace (tests/boot/checktrace.py).")
    lines.append("")
    lines.append("| RAM | maxpage | tables | min | extra | L4/L3/L2/L1 | brk | batches | hook calls "
                 "| mm_init instructions | wall s | trace |")
    lines.append("|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|---|")
    lines += [fmt_row(r) for r in rows]
    lines.append("")
    if skipped:
        lines.append("Not run: %s — 4 KiB leaves need one 4 KiB L1 per 2 MiB of RAM "
                     "(8 GiB of tables at 4T, 32 GiB at 16T), more than this host should back; "
                     "1T with 4k already takes 2 GiB of tables and minutes of TCG."
                     % ", ".join("%s/%s" % x for x in skipped))
        lines.append("")
    if REPEAT in configs:
        r1, r2 = results[REPEAT], results[REPEAT + ("-again",)]
        same = not r1["error"] and not r2["error"] and r1["tsc"] == r2["tsc"]
        lines.append("Determinism: %s/%s run twice: mm_init took %s and %s guest instructions (%s)."
                     % (REPEAT[0], REPEAT[1], r1.get("tsc"), r2.get("tsc"),
                        "identical" if same else "DIFFERENT"))
        lines.append("")
        if not same:
            bad.append(r2)
    smp = [run_smp(elf, out, n) for n in SMP]
    lines.append("## Bringing up the other CPUs")
    lines.append("")
    lines.append("q35, 128M, pt.maxpage=2m, `-smp N`, same -icount: **bring-up instructions** = "
                 "TSC ticks on the boot CPU from the first AP's INIT to the last AP's report-in "
                 "(`bench: smp_bringup_tsc=`); under -icount the one virtual clock advances with "
                 "the instructions of every vCPU (run round-robin), so this counts all of them, "
                 "including the boot CPU's busy-waits: 10 ms after INIT and 200 us after the SIPI "
                 "(the PIT calibrates the TSC to ~1 GHz here, so ~10.2 million per AP are "
                 "waiting); **per AP** = "
                 "from INIT to report-in of each AP (`trace: percpu ... up_tsc=`); **table pages** "
                 "= each CPU's own tables (its L4 and the L3/L2/L1 of its globaldata slot; "
                 "CPU 0's L4 is mm.root from step 1).  The shared trampoline identity map (3 "
                 "pages) and the kmap tables are not per CPU.")
    lines.append("")
    lines.append("| -smp | bring-up instructions | per AP | table pages per CPU |")
    lines.append("|---:|---:|---|---|")
    for r in smp:
        if r["error"]:
            lines.append("| %d | — | — | %s |" % (r["n"], r["error"]))
            bad.append(r)
        else:
            lines.append("| %d | %s | %s | %s |" % (r["n"], "{:,}".format(r["tsc"]),
                         " ".join("{:,}".format(u) for u in r["up"][1:]) or "—",
                         " ".join(map(str, r["tables"]))))
    lines.append("")
    lines.append("Commands (one per row, in order):")
    lines.append("")
    lines.append("```")
    lines += [r["cmd"] for r in rows]
    lines += [r["cmd"] for r in smp]
    lines.append("```")
    lines.append("")
    (out / "results.md").write_text("\n".join(lines))
    print("bench: wrote %s (%d configurations, %.0f s)" % (out / "results.md", len(rows), total))
    if bad:
        print("bench: %d configuration(s) failed, were not minimal or not deterministic" % len(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
