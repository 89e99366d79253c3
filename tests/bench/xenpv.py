#!/usr/bin/env python3
"""xenpv.py — topdown and Linux as Xen PV domUs, their page-table setup counted by Xen.

    tests/bench/xenpv.py [--build build] [--out build/bench] [--sizes 256,1024,4096]

For each size (MiB) one Xen lab boot (make run-xen-pv: Xen 4.17 under QEMU TCG,
a Linux PV dom0, real `xl create`s) runs two PV domUs of that size one after the
other: topdown (xl-pv.cfg with that memory) and the lab's own Debian Linux kernel
(tests/xen/xl-linux-pv.cfg: the dom0's kernel, an initramfs that powers off).
Around each, dom0 runs Xen's tracer, `xentrace -e TRC_PV|TRC_SCHED`, from before
the unpause to the guest's end; tests/xen/xentrace.py decodes the binary trace
(the public t_rec layout of xen/include/public/trace.h) and counts that domain's
hypercalls as Xen recorded them (TRC_PV_HYPERCALL_V2 / _SUBCALL, attributed by
TRC_SCHED_SWITCH), in each guest's page-table-setup window:
  topdown  its first hypercall .. its second empty multicall (the marks topdown
           makes at the start and end of its page-table setup); a trace without
           marks counts the whole run and says so
  Linux    its first hypercall .. its first VCPUOP_is_up (get_smp_config, which
           setup_arch calls after init_mem_mapping and xen_pagetable_init); the
           column "after" counts what Linux sends from there to its
           VCPUOP_register_vcpu_info, to show nothing page-table-ish was cut off
Counts, not timings: the same for every run of the same kernels and size.
Beside them, topdown's own view (its trace: tables, pins). The result goes to
OUT/xen-pv.md with the exact command of every row; docs/bench-xen-pv.md is a
snapshot of it.
"""
import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from mdtable import md_table

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "xen"))
import xentrace  # noqa: E402  (tests/xen/xentrace.py)

TRACE_MASK = "0x%08x" % (xentrace._EV("TRC_PV") | xentrace._EV("TRC_SCHED"))
COLS = [("hypercalls", "hypercalls"), ("multicall_entries", "multicall entries"),
        ("mmu_update_calls", "mmu_update calls"), ("mmu_update_reqs", "mmu_update requests"),
        ("mmuext_op_calls", "mmuext_op calls"), ("mmuext_op_ops", "mmuext ops"),
        ("update_va_mapping", "update_va_mapping"), ("continuations", "continuations")]


def field(line, key):
    m = re.search(r"\b%s=(\d+)" % key, line)
    return int(m.group(1)) if m else None


def cfg_copy(src, dst, mib, name):
    text = src.read_text()
    text = re.sub(r"(?m)^memory = \d+", "memory = %d" % mib, text)
    text = re.sub(r"(?m)^name = .*", 'name = "%s"' % name, text)
    dst.write_text(text)


def run(build, out, mib, timeout, kernel=None, again=True):
    td, lx = out / ("xl-pv-%dM.cfg" % mib), out / ("xl-linux-pv-%dM.cfg" % mib)
    cfg_copy(REPO / "xl-pv.cfg", td, mib, "topdown-pv-bench-%d" % mib)
    cfg_copy(REPO / "tests/xen/xl-linux-pv.cfg", lx, mib, "linux-pv-bench-%d" % mib)
    rel = lambda p: os.path.relpath(p, REPO)
    cmd = ["make", "--no-print-directory", "run-xen-pv", "BUILD=" + rel(build), "XEN_CFG=" + rel(td),
           "XEN_RUN=bench-pv-%d" % mib, "XEN_TRACE=" + TRACE_MASK, "XEN_MORE=linux=" + rel(lx),
           "XEN_TIMEOUT=%d" % timeout] + (["XEN_KERNEL=" + rel(kernel)] if kernel else [])
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True) if again else \
        subprocess.CompletedProcess(cmd, 0)
    run_dir = build / "xen" / ("bench-pv-%d" % mib)
    r = {"mib": mib, "cmd": " ".join(cmd), "wall": again and time.monotonic() - t0, "error": {}, "dir": run_dir}
    lines = (run_dir / "guest.log").read_text(errors="replace").splitlines() if (run_dir / "guest.log").exists() else []
    if p.returncode or "topdown: result: PASS" not in lines:
        r["error"]["topdown"] = "run failed (make exit %d, see %s)" % (p.returncode, run_dir)
    else:
        summ = [l for l in lines if l.startswith("trace: summary ")][0]
        for k in ("l4", "l3", "l2", "l1", "tables"):
            r[k] = field(summ, k)
    lxlog = run_dir / "out-linux-guest.log"
    if not lxlog.exists() or "linux-guest: init reached" not in lxlog.read_text(errors="replace"):
        r["error"]["linux"] = "Linux did not reach its init (see %s)" % lxlog
    for tag, kind in (("main", "topdown"), ("linux", "linux")):
        log, binf = run_dir / ("out-%s-xentrace.log" % tag), run_dir / ("%s-xentrace.bin" % tag)
        try:
            domid = int(re.search(r"domid=(\d+)", log.read_text()).group(1))
            calls, lost = xentrace.read(binf)
            if lost:
                raise ValueError("xentrace lost records (%d markers)" % lost)
            win, after, how = xentrace.window(calls, domid, kind)
            r[kind] = (xentrace.counts(win), xentrace.counts(after), how, domid)
        except (OSError, AttributeError, ValueError) as e:
            r["error"].setdefault(kind, "trace: %s" % e)
    return r


def main():
    ap = argparse.ArgumentParser(description="topdown and Linux PV page-table setup counted by xentrace")
    ap.add_argument("--build", default=str(REPO / "build"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--sizes", default="256,1024,4096")
    ap.add_argument("--timeout", type=int, default=300, help="per guest, seconds")
    ap.add_argument("--kernel", help="another topdown ELF than BUILD/topdown.elf")
    ap.add_argument("--no-run", action="store_true", help="only read the runs already in BUILD/xen/bench-pv-SIZE")
    a = ap.parse_args()
    build = Path(a.build).resolve()
    out = Path(a.out).resolve() if a.out else build / "bench"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    t0 = time.monotonic()
    for mib in [int(s) for s in a.sizes.split(",")]:
        r = run(build, out, mib, a.timeout, a.kernel and Path(a.kernel).resolve(), not a.no_run)
        rows.append(r)
        for kind in ("topdown", "linux"):
            if kind in r:
                c = r[kind][0]
                print("bench-xen-pv: %5d MiB %-7s %s" % (mib, kind, " ".join("%s=%d" % (k, c[k]) for k, _ in COLS)),
                      flush=True)
            if kind in r["error"]:
                print("bench-xen-pv: %5d MiB %-7s ERROR %s" % (mib, kind, r["error"][kind]), flush=True)
    ver = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    versions = (build / "xenlab" / "versions.txt").read_text() if (build / "xenlab" / "versions.txt").exists() else ""
    xen = re.search(r"(?m)^xen-hypervisor-[^=]*=(\S+)", versions)
    kpkg = re.search(r"(?m)^kernel-package=(\S+)", versions)
    md = ["# topdown and Linux as Xen PV domUs: page-table setup counted by Xen", "",
          "- date: %s; produced by `make bench-xen-pv` (`tests/bench/xenpv.py --sizes %s`) at git %s in %d s" %
          (time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), a.sizes, ver, time.monotonic() - t0),
          "- one Xen lab boot per size (Xen %s under QEMU TCG, Linux PV dom0, `xl create`): topdown "
          "(`xl-pv.cfg`, that memory) then Linux (`%s`, the lab's dom0 kernel, as a PV domU of the same "
          "memory; `tests/xen/xl-linux-pv.cfg`), one vCPU each" % (xen.group(1) if xen else "?",
                                                                   kpkg.group(1) if kpkg else "?"),
          "- counter: Xen's own tracer. dom0 runs `xentrace -D -S 2048 -e %s` (TRC_PV | TRC_SCHED) from "
          "before each guest's unpause to its end; `tests/xen/xentrace.py` decodes the binary file "
          "(struct t_rec, xen/include/public/trace.h; constants from /usr/include/xen) and counts the "
          "guest's TRC_PV_HYPERCALL_V2 (entries into Xen) and TRC_PV_HYPERCALL_SUBCALL (multicall entries) "
          "records, each attributed to the domain that TRC_SCHED_SWITCH says runs on its CPU. Xen records "
          "the count argument of mmu_update and mmuext_op: requests and ops are their sums (a preempted "
          "call's continuation, count bit 31 set, adds a hypercall but no requests)" % TRACE_MASK,
          "- windows: **topdown** from its first hypercall to its second empty multicall (`multicall(NULL, 0)`: "
          "the marks it makes at the start and end of its page-table setup; without marks the whole run is "
          "counted and the row says so); **Linux** from its first hypercall to its first `VCPUOP_is_up` "
          "(get_smp_config, after init_mem_mapping and xen_pagetable_init in setup_arch; it covers "
          "xen_start_kernel's switch to its own tables, xen_memory_setup, init_mem_mapping and "
          "xen_pagetable_init). \"after\" = what Linux sends from there to its `VCPUOP_register_vcpu_info`",
          "- counts, not timings: requests and ops are the same in every run; hypercalls include Xen's "
          "continuations of preempted calls (column \"continuations\"), whose number depends on when Xen "
          "preempts (±1 seen between runs)", ""]
    side = [("hypercalls", "hypercalls"), ("mmu_update_reqs", "mmu_update requests"), ("mmuext_op_ops", "mmuext ops"),
            ("update_va_mapping", "update_va_mapping"), ("multicall_entries", "multicall entries")]
    table = []
    for r in rows:
        if "topdown" in r and "linux" in r:
            t, lx = r["topdown"][0], r["linux"][0]
            table.append(["%d MiB" % r["mib"]] + ["%d / %d" % (t[k], lx[k]) for k, _ in side] +
                         ["%.1f×" % (lx["hypercalls"] / t["hypercalls"]) if t["hypercalls"] else "-"])
        else:
            table.append(["%d MiB" % r["mib"], "; ".join("%s: %s" % kv for kv in r["error"].items())])
    md += ["## Side by side (topdown / Linux, in each one's window)", ""]
    md += md_table([("RAM", "l")] + [(h, "r") for _, h in side] + [("Linux ÷ topdown hypercalls", "r")], table)
    table = []
    for r in rows:
        for kind in ("topdown", "linux"):
            if kind not in r:
                table.append(["%d MiB" % r["mib"], kind, r["error"].get(kind, "?")])
                continue
            c, after, how, domid = r[kind]
            tables = ("%d (%d/%d/%d/%d)" % (r["tables"], r["l4"], r["l3"], r["l2"], r["l1"])
                      if kind == "topdown" and "tables" in r else "")
            note = how + (("; after it: " + ", ".join("%s %d" % (h, after[k]) for k, h in COLS if after[k]))
                          if kind == "linux" else "")
            if kind in r["error"]:
                note += "; ERROR: " + r["error"][kind]
            table.append(["%d MiB" % r["mib"], "%s (d%d)" % (kind, domid), note] + ["%d" % c[k] for k, _ in COLS] +
                         [tables])
    md += ["", "## Every count", ""]
    md += md_table([("RAM", "l"), ("guest", "l"), ("window", "l")] + [(h, "r") for _, h in COLS] +
                   [("tables (l4/l3/l2/l1), its trace", "l")], table)
    md += ["", "## Commands", ""] + ["- %d MiB%s: `%s`; logs and traces in `%s`" %
                                     (r["mib"], " (%.0f s)" % r["wall"] if r["wall"] else "", r["cmd"],
                                      os.path.relpath(r["dir"], REPO)) for r in rows]
    (out / "xen-pv.md").write_text("\n".join(md) + "\n")
    print("bench-xen-pv: wrote %s" % (out / "xen-pv.md"))
    return 1 if any(r["error"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
