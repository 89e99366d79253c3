#!/usr/bin/env python3
"""checktrace.py — judge a boot's setup trace with tools/tracecmp.

    tests/boot/checktrace.py LOG [--maxpage 4k|2m|1g] [--tracecmp PATH]

LOG is a run's serial output.  The trace itself is judged by tools/tracecmp
(docs/trace.md): complete (end record, count, checksum, version), every
record what mm_init, replayed on the trace's own input, writes — and that
replay within the rules of the unit tests' independent oracle (design §6,
the fewest tables, the start rule, tables on the highest free mapped pages)
—, the mem records memmap_normalise() of the given map, the selfcheck
clean.  Here only what tracecmp cannot know: the maxpage the test case
expects, and which result line it expects (tracecmp wants PASS; run.py
judges the result line itself, so that finding is left to it).  Exit status 0 when all holds, 1 when not (each
failure printed as "checktrace: FAIL [check]: detail"), 2 on usage errors.

check_text() is what tests/boot/run.py and tests/bench/bench.py call; the
other names are helpers they share.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TRACECMP = os.environ.get("TRACECMP", str(REPO / "build" / "tools" / "tracecmp"))
PAGE = 1 << 12

# The names mm/memmap.c prints for the E820 types (memmap.test specs use numbers).
MEM_TYPE_NAMES = {1: "usable", 2: "reserved", 3: "ACPI data", 4: "ACPI NVS",
                  5: "unusable", 6: "disabled", 7: "persistent"}


def merge(ranges):
    """Sort [start, end) ranges and merge overlapping or touching ones."""
    out = []
    for s, e in sorted(r for r in ranges if r[1] > r[0]):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [tuple(r) for r in out]


def trace_lines(text):
    """The trace records of a run's output (lines starting "trace: ")."""
    return [l[:-1] if l.endswith("\r") else l for l in text.split("\n")
            if l.startswith("trace: ")]


def check_text(text, maxpage=None, tracecmp=None):
    """(errors, info) for a run's output: errors is [(check, message)] —
    "input" (tracecmp: no trace, truncated, bad checksum, malformed...),
    "plan" (an UNEXPECTED finding of tracecmp), "maxpage", "tracecmp" (it
    could not run); info has "ram" (usable bytes), "tables" and "min"
    ({"total": the oracle's minimum}) when tracecmp could say."""
    errors, info = [], {}
    exe = tracecmp or TRACECMP
    if not os.access(exe, os.X_OK):
        return [("tracecmp", "%s is missing: make tools" % exe)], info
    with tempfile.NamedTemporaryFile("wb", suffix=".log") as f:
        f.write(text.encode("latin-1"))
        f.flush()
        p = subprocess.run([exe, f.name], capture_output=True, text=True)
    out = p.stdout + p.stderr
    if p.returncode == 2:
        errors.append(("input", (p.stderr.strip() or out.strip()).splitlines()[-1][:300]))
    elif p.returncode not in (0, 1):
        errors.append(("tracecmp", "exited %d: %s" % (p.returncode, out.strip()[-300:])))
    unexpected = re.findall(r"^\s+UNEXPECTED\s+(.*)$", out, re.M)
    # the result line is the case's to judge (run.py: a self-test may have to FAIL)
    errors += [("plan", u[:400]) for u in unexpected if not u.startswith("A run: result: ")]
    if p.returncode == 1 and not unexpected:
        errors.append(("plan", "tracecmp exited 1: %s" % out.strip().splitlines()[-1]))
    m = re.search(r"^\s+mapped\s+.*?, (\d+) tables", out, re.M)
    if m:
        info["tables"] = int(m.group(1))
    m = re.search(r"^\s+minimum\s+(\d+) tables", out, re.M)
    if m:
        info["min"] = {"total": int(m.group(1))}
    usable = [(int(a, 16), int(b, 16) + 1) for a, b in
              re.findall(r"^trace: mem \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] usable\r?$", text, re.M)]
    info["ram"] = sum(e - s for s, e in usable)
    begin = re.search(r"^trace: begin .*?\bmaxpage=(\S+)", text, re.M)
    if maxpage and begin and begin.group(1) != maxpage:
        errors.append(("maxpage", "maxpage=%s, expected %s" % (begin.group(1), maxpage)))
    return errors, info


def main(argv=None):
    ap = argparse.ArgumentParser(description="Judge a topdown setup trace with tools/tracecmp.")
    ap.add_argument("log", help="a run's serial output ('-' for stdin)")
    ap.add_argument("--maxpage", choices=("4k", "2m", "1g"), help="the maxpage the begin record must state")
    ap.add_argument("--tracecmp", help="the tracecmp binary (default: $TRACECMP, else build/tools/tracecmp)")
    a = ap.parse_args(argv)
    data = sys.stdin.buffer.read() if a.log == "-" else open(a.log, "rb").read()
    errors, info = check_text(data.decode("latin-1"), a.maxpage, a.tracecmp)
    for check, msg in errors:
        print("checktrace: FAIL [%s]: %s" % (check, msg))
    if errors:
        return 1
    print("checktrace: OK ram=%d tables=%s minimum=%s" % (info["ram"], info.get("tables"),
                                                          info.get("min", {}).get("total")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
