#!/usr/bin/env python3
"""userbench.py — the cost of a user address-space switch (issue 15).

    tests/bench/userbench.py [--build build] [--out build/bench]

A switch writes slot 0 of the running CPU's own L4 through write_pte and
flushes the user slot (natively a CR3 reload); kernel/user.c brackets exactly
those two operations with rdtsc and prints
"bench: user_switches=N user_switch_insns_avg=A min=M max=X".  Under QEMU
-icount shift=0,sleep=off the TSC advances one tick per guest instruction, so
the numbers are instruction counts (rdtsc's own lfence+rdtsc included) and
deterministic: each configuration runs twice and must give the same numbers.

With --xen-pv (make bench-user) the same run as a Xen PV domU of the lab
(make run-xen-pv: Xen 4.17 under QEMU TCG, xl-pv.cfg) with 2 and 4 vCPUs:
a switch there is one mmu_update of the vCPU's user root's slot 0 and one
MMUEXT_TLB_FLUSH_LOCAL.  The guest counts its hypercalls at each call and
reads the count around each switch ("bench: user_switch_hypercalls_avg=..."),
and brackets the switch with rdtsc as natively; under Xen the TSC is not an
instruction counter but time (its rate from pvclock, "smp: tsc=... kHz"), so
those columns are guest time, converted to microseconds, and vary from run
to run (one run per configuration).

Writes <out>/user.md (tables + the exact commands) and <out>/user-<config>.log.
"""
import os
import argparse
import datetime
import re
import subprocess
import sys
from pathlib import Path

from mdtable import md_table

QEMU = "qemu-system-x86_64"
CONFIGS = [("1cpu", "1"), ("2cpu", "2"), ("4cpu", "4")]
LINE = re.compile(r"^bench: user_switches=(\d+) user_switch_insns_avg=(\d+) min=(\d+) max=(\d+) rdtsc_pair=(\d+) ", re.M)
HCALLS = re.compile(r"^bench: user_switch_hypercalls_avg=(\d+) min=(\d+) max=(\d+) backend=xen-pv ", re.M)
TSC = re.compile(r"^smp: tsc=(\d+) kHz \(xen-pvclock\)", re.M)
REPO = Path(__file__).resolve().parents[2]
# A 1-vCPU guest starts no AP and does not read its TSC rate: it gets the others' (pvclock)
PV_CONFIGS = [("xen-pv-2vcpu", 2), ("xen-pv-4vcpu", 4), ("xen-pv-1vcpu", 1)]


def command(elf, smp):
    return [QEMU, "-M", "q35", "-cpu", "qemu64", "-m", "128M", "-smp", smp,
            "-icount", "shift=0,sleep=off", "-display", "none", "-serial", "stdio",
            "-no-reboot", "-device", "isa-debug-exit,iobase=0x501,iosize=2",
            "-kernel", str(elf), "-append", "pt.maxpage=2m"]


def run(elf, out, name, smp):
    args = command(elf, smp)
    p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    text = p.stdout.decode("latin-1")
    (out / ("user-%s.log" % name)).write_text(text)
    m = LINE.search(text)
    if "topdown: result: PASS" not in text or not m:
        raise SystemExit("userbench: %s: no PASS or no 'bench: user_switches' line (see %s)"
                         % (name, out / ("user-%s.log" % name)))
    return tuple(int(x) for x in m.groups()), args


def run_pv(build, out, name, vcpus, khz_seen):
    """One Xen lab boot of topdown as a PV domU with `vcpus` vCPUs; khz_seen: the
    TSC rates the earlier runs read from pvclock (for a guest that did not)."""
    cmd = ["make", "--no-print-directory", "run-xen-pv", "BUILD=" + os.path.relpath(build, REPO),
           "XEN_RUN=bench-user-%s" % name, "XEN_VCPUS=%d" % vcpus]
    p = subprocess.run(cmd, cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    log = Path(build) / "xen" / ("bench-user-%s" % name) / "guest.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    (out / ("user-%s.log" % name)).write_text(text)
    m, h, t = LINE.search(text), HCALLS.search(text), TSC.search(text)
    if p.returncode or "topdown: result: PASS" not in text or not (m and h and (t or khz_seen)):
        raise SystemExit("userbench: %s: make exit %d, no PASS or no bench/tsc lines (see %s)"
                         % (name, p.returncode, log))
    n, avg, lo, hi, pair = (int(x) for x in m.groups())
    khz = int(t.group(1)) if t else min(khz_seen)
    if t:
        khz_seen.append(khz)
    us = lambda ticks: "%.1f" % (ticks * 1000.0 / khz)
    return (name, vcpus, n) + tuple(int(x) for x in h.groups()) + (us(avg), us(lo), us(hi), us(pair), khz), \
        " ".join(cmd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--xen-pv", action="store_true", help="also the Xen PV rows (the Xen lab: make xenlab)")
    a = ap.parse_args()
    elf = Path(a.build) / "topdown.elf"
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    rows, cmds = [], []
    for name, smp in CONFIGS:
        r1, args = run(elf, out, name, smp)
        r2, _ = run(elf, out, name, smp)
        if r1 != r2:
            raise SystemExit("userbench: %s: two runs differ: %s vs %s" % (name, r1, r2))
        rows.append((name, smp) + r1)
        cmds.append(" ".join(args))
        print("userbench: %s: %d switches, %d instructions per switch on average (min %d, max %d; "
              "an empty rdtsc pair: %d)" % ((name,) + r1), flush=True)
    qv = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    md = ["# User address-space switches (make bench)", "",
          "Generated %s by `tests/bench/userbench.py`, %s." % (
              datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), qv), "",
          "A switch = `write_pte` of slot 0 in the running CPU's own L4 (its user root: `pv_user_root`) + `flush_tlb_user` "
          "(CR3 reload natively); guest instructions under `-icount shift=0,sleep=off`, "
          "measured between two `lfence; rdtsc` (the last column: the same pair around nothing); "
          "every configuration ran twice with the same result.", ""]
    md += md_table([("config", "l"), ("-smp", "r"), ("switches", "r"),
                    ("instructions per switch (avg)", "r"), ("min", "r"), ("max", "r"),
                    ("empty rdtsc pair", "r")], rows)
    md += ["", "Commands:", ""] + ["    " + c for c in cmds] + [""]
    if a.xen_pv:
        pv_rows, pv_cmds, khz_seen = [], [], []
        for name, vcpus in PV_CONFIGS:
            row, cmd = run_pv(Path(a.build), out, name, vcpus, khz_seen)
            pv_rows.append(row)
            pv_cmds.append(cmd)
            print("userbench: %s: %d switches, %d hypercalls per switch (min %d, max %d), %s us guest time "
                  "per switch on average (min %s, max %s; an empty rdtsc pair %s us; TSC %d kHz)" % (row[:1] + row[2:]),
                  flush=True)
        md += ["## Xen PV", "",
               "The same run as a Xen PV domU (`make run-xen-pv`: Xen 4.17 under QEMU TCG, the lab's "
               "Linux PV dom0, `xl-pv.cfg`).  A switch = one `mmu_update` of slot 0 of the vCPU's user "
               "root + one `MMUEXT_TLB_FLUSH_LOCAL`; hypercalls counted by the guest at each call, read "
               "around each switch; guest time between the same two `rdtsc` (TSC rate from pvclock), "
               "one run per configuration (time varies from run to run, the counts do not).  A 1-vCPU "
               "guest starts no AP and does not read its TSC rate from pvclock: its row uses the "
               "others' (the lowest).  An empty `rdtsc` pair costs tens of microseconds in this lab "
               "(Xen emulating the guest's TSC, it seems) and with several vCPUs a switch on an AP can read "
               "a TSC that moved by almost nothing or by milliseconds (vCPUs scheduled on the lab's "
               "pCPUs): the 1-vCPU row is the one to read for time; the hypercalls are exact "
               "everywhere.", ""]
        md += md_table([("config", "l"), ("vCPUs", "r"), ("switches", "r"), ("hypercalls per switch (avg)", "r"),
                        ("min", "r"), ("max", "r"), ("guest us per switch (avg)", "r"), ("min", "r"),
                        ("max", "r"), ("empty rdtsc pair (us)", "r"), ("TSC kHz", "r")], pv_rows)
        md += ["", "Commands:", ""] + ["    " + c for c in pv_cmds] + [""]
    else:
        md += ["Xen PV rows: `make bench-user` (needs the Xen lab, `make xenlab`).", ""]
    (out / "user.md").write_text("\n".join(md))
    print("userbench: wrote %s" % (out / "user.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
