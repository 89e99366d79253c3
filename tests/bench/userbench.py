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

Writes <out>/user.md (table + the exact commands) and <out>/user-<config>.log.
"""
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--out", default="build/bench")
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
          "A switch = `write_pte` of slot 0 in the running CPU's own L4 + `flush_tlb_user` "
          "(CR3 reload natively); guest instructions under `-icount shift=0,sleep=off`, "
          "measured between two `lfence; rdtsc` (the last column: the same pair around nothing); "
          "every configuration ran twice with the same result.", ""]
    md += md_table([("config", "l"), ("-smp", "r"), ("switches", "r"),
                    ("instructions per switch (avg)", "r"), ("min", "r"), ("max", "r"),
                    ("empty rdtsc pair", "r")], rows)
    md += ["", "Commands:", ""] + ["    " + c for c in cmds] + [""]
    (out / "user.md").write_text("\n".join(md))
    print("userbench: wrote %s" % (out / "user.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
