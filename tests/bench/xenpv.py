#!/usr/bin/env python3
"""xenpv.py — what the Xen PV hook costs the hypervisor, by guest RAM size.

    tests/bench/xenpv.py [--build build] [--out build/bench] [--sizes 128,256,512,1000]

For each size (MiB) it writes a copy of xl-pv.cfg with that memory, boots it
with `make run-xen-pv` in the Xen lab (Xen 4.17 under QEMU TCG, a real
`xl create`), and reads the guest's own trace: table pages by level, status
flips (writable -> table type, and back for the builder's bootstrap tables),
pins, hypercalls, multicall entries and mmu_update requests (the PV backend
counts every hypercall it makes: trace records `xenpv hook/link/cr3/summary`).
These are counts, deterministic for a given size, not timings.

Beside them, the anchor: Linux PV (arch/x86/xen/mmu_pv.c) makes each new L1
read-only, pins it and links it with separate hypercalls, 3 per L1, and 2 per
L2/L3 (read-only + link): 3*l1 + 2*(l2+l3) for the same tables.  The result
goes to OUT/xen-pv.md with the exact command of every row.
"""
import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def field(line, key):
    m = re.search(r"\b%s=(\d+)" % key, line)
    return int(m.group(1)) if m else None


def run(build, out, mib):
    cfg = out / ("xl-pv-%dM.cfg" % mib)
    text = (REPO / "xl-pv.cfg").read_text()
    text = re.sub(r"(?m)^memory = \d+", "memory = %d" % mib, text)
    text = re.sub(r'(?m)^name = .*', 'name = "topdown-pv-bench-%d"' % mib, text)
    cfg.write_text(text)
    rel = lambda p: os.path.relpath(p, REPO)
    cmd = ["make", "--no-print-directory", "run-xen-pv", "BUILD=" + rel(build), "XEN_CFG=" + rel(cfg),
           "XEN_RUN=bench-pv-%d" % mib]
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    r = {"mib": mib, "cmd": " ".join(cmd), "wall": time.monotonic() - t0, "error": None}
    log = build / "xen" / ("bench-pv-%d" % mib) / "guest.log"
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    if p.returncode or "topdown: result: PASS" not in lines:
        r["error"] = "run failed (make exit %d, see %s)" % (p.returncode, log)
        return r
    summ = [l for l in lines if l.startswith("trace: summary ")][0]
    xs = [l for l in lines if l.startswith("trace: xenpv summary ")][0]
    for k in ("l4", "l3", "l2", "l1", "batches", "tables"):
        r[k] = field(summ, k)
    for k in ("pins", "flips", "unflips", "hypercalls", "multicall_entries", "mmu_update_reqs"):
        r[k] = field(xs, k)
    r["linux"] = 3 * r["l1"] + 2 * (r["l2"] + r["l3"])
    return r


def main():
    ap = argparse.ArgumentParser(description="Xen PV hook cost")
    ap.add_argument("--build", default=str(REPO / "build"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--sizes", default="128,256,512,1000")
    a = ap.parse_args()
    build = Path(a.build).resolve()
    out = Path(a.out).resolve() if a.out else build / "bench"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for mib in [int(s) for s in a.sizes.split(",")]:
        r = run(build, out, mib)
        rows.append(r)
        print("bench-xen-pv: %5d MiB %s" % (mib, r["error"] or
              "tables=%d flips=%d+%d pins=%d hypercalls=%d (Linux PV ~%d)" %
              (r["tables"], r["flips"], r["unflips"], r["pins"], r["hypercalls"], r["linux"])), flush=True)
    md = ["# topdown on Xen PV: status flips and hypercalls", "",
          "- produced by `tests/bench/xenpv.py --sizes %s` (make bench-xen-pv); each row is one "
          "`xl create` of xl-pv.cfg with that memory in the Xen lab (Xen 4.17, QEMU TCG)" % a.sizes,
          "- counts from the guest's trace (`trace: summary`, `trace: xenpv summary`); deterministic",
          "- Linux PV for the same tables: 3 hypercalls per L1 (read-only, pin, link) and 2 per "
          "L2/L3 (read-only, link), arch/x86/xen/mmu_pv.c", "",
          "| RAM | tables (l4/l3/l2/l1) | batches | flips (+ bootstrap back) | pins | hypercalls "
          "| multicall entries | mmu_update reqs | Linux PV hypercalls | command |",
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        if r["error"]:
            md.append("| %d MiB | %s | | | | | | | | `%s` |" % (r["mib"], r["error"], r["cmd"]))
            continue
        md.append("| %d MiB | %d (%d/%d/%d/%d) | %d | %d (+%d) | %d | %d | %d | %d | %d | `%s` |"
                  % (r["mib"], r["tables"], r["l4"], r["l3"], r["l2"], r["l1"], r["batches"], r["flips"],
                     r["unflips"], r["pins"], r["hypercalls"], r["multicall_entries"],
                     r["mmu_update_reqs"], r["linux"], r["cmd"]))
    (out / "xen-pv.md").write_text("\n".join(md) + "\n")
    print("bench-xen-pv: wrote %s" % (out / "xen-pv.md"))
    return 1 if any(r["error"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
