#!/usr/bin/env python3
"""tests/xen/verdict.py KIND RUN_DIR RUNNER_EXIT — judge one Xen lab run.

The runner (tests/xen/run.sh) only says whether the infrastructure worked;
this decides whether topdown did: the explicit result line AND checked
content.  KIND is one of:
  domu     xl create xl.cfg, default options: PASS, PVH start_info v1, Xen
           detected, PV console ring, complete trace, every hook pin-ro/ok,
           Xen-mode self-check passed
  pinwrite the same with selftest=pin-write: the stray write must fault with
           the diagnosis "write to a pinned page table", then PASS
  dom0     Xen boots topdown as PVH dom0: start_info v0, XENMEM_memory_map
  panic:NAME:REGEX
           a bad input: the guest must print a "PANIC: func: reason" line
           matching REGEX, the matching result line, and crash (SCHEDOP_shutdown
           crash: runner exit 5) — never hang or triple fault
Prints "PASS xen/<KIND>" or "FAIL xen/<KIND>: <reason>" and exits 0/1.
"""
import os
import re
import subprocess
import sys

RUNNER_EXIT = {
    1: "runner usage error or lab/kernel missing",
    2: "Xen did not boot",
    3: "dom0 (Linux + toolstack, or Xen building topdown as dom0) did not come up",
    4: "xl create failed",
    5: "guest crashed (crash, triple fault/reboot, or Xen panic)",
    6: "guest timed out and was destroyed",
    7: "logs did not come back intact",
}


TRACECMP = os.path.join(os.environ.get("BUILD", "build"), "tools", "tracecmp")


def trace_problem(run_dir):
    """None if tools/tracecmp finds the trace complete (end record, count,
    checksum) and every batch as the plan says, else its complaint."""
    p = subprocess.run([TRACECMP, "-q", os.path.join(run_dir, "guest.log")],
                       capture_output=True, text=True)
    if p.returncode == 0:
        return None
    out = (p.stderr.strip() or p.stdout.strip()).splitlines()
    return "tracecmp exit %d: %s" % (p.returncode, out[-1] if out else "no output")


def read_log(run_dir):
    with open(os.path.join(run_dir, "guest.log"), errors="replace") as f:
        return [l.rstrip("\n") for l in f]


def judge_panic(regex, run_dir, runner_exit):
    if runner_exit != 5:
        return "runner exit %d, want 5 (guest crashed through SCHEDOP_shutdown)" % runner_exit
    try:
        lines = read_log(run_dir)
    except OSError as e:
        return "no guest log: %s" % e
    panics = [l for l in lines if l.startswith("PANIC: ")]
    if len(panics) != 1 or not re.fullmatch(regex, panics[0][len("PANIC: "):]):
        return "want one PANIC line matching %r, got %r" % (regex, panics)
    results = [l for l in lines if l.startswith("topdown: result: ")]
    if results != ["topdown: result: " + panics[0]]:
        return "result lines %r do not repeat the panic" % results
    return None


def judge(kind, run_dir, runner_exit):
    if kind.startswith("panic:"):
        return judge_panic(kind.split(":", 2)[2], run_dir, runner_exit)
    if runner_exit != 0:
        return RUNNER_EXIT.get(runner_exit, "runner exit %d" % runner_exit)
    try:
        lines = read_log(run_dir)
    except OSError as e:
        return "no guest log: %s" % e
    if not lines:
        return "guest log is empty"
    results = [l for l in lines if l.startswith("topdown: result: ")]
    if len(results) != 1:
        return "%d result lines (want exactly 1)" % len(results)
    if results[0] != "topdown: result: PASS":
        return "guest said: " + results[0]

    def need(pattern, what):
        if not any(re.search(pattern, l) for l in lines):
            raise ValueError("missing: " + what)

    try:
        need(r"^boot: protocol=pvh ", "boot: protocol=pvh")
        need(r"^paravirt: hypervisor=XenVMMXenVMM .*xen_version=4\.17", "Xen 4.17 detected")
        need(r"^paravirt: backend=xen-pvh$", "xen-pvh backend")
        need(r"^trace: selfcheck violations=0 .*tables_ro=checked$", "Xen-mode self-check passed")
        need(r"^trace: xen pin_attempt op=MMUEXT_PIN_L4_TABLE .* rc=-?\d+$", "pin attempt recorded")
        if kind == "dom0":
            need(r"start_info_version=0$", "start_info version 0")
            need(r"^memmap: source=XENMEM_memory_map ", "memory map from XENMEM_memory_map")
        else:
            need(r"start_info_version=1$", "start_info version 1")
            need(r"^memmap: source=start_info ", "memory map from start_info")
            need(r"^xen: console ring pfn=0x[0-9a-f]+ evtchn=\d+", "PV console ring")
            need(r"^topdown: booting$", "the first line (early output replayed into the ring)")
        if kind == "pinwrite":
            need(r"^  diagnosis: write to a pinned page table$", "pinned-table diagnosis")
            need(r"^selftest: pin-write: caught as expected", "pin-write caught")
    except ValueError as e:
        return str(e)
    hooks = [l for l in lines if l.startswith("trace: hook ")]
    if not hooks:
        return "no hook records"
    for h in hooks:
        if " backend=xen-pvh action=pin-ro result=ok " not in h:
            return "hook did not pin: " + h
    batches = [l for l in lines if l.startswith("trace: batch ")]
    if len(batches) != len(hooks):
        return "%d batches but %d hook calls" % (len(batches), len(hooks))
    return trace_problem(run_dir)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    kind, run_dir, code = sys.argv[1], sys.argv[2], int(sys.argv[3])
    why = judge(kind, run_dir, code)
    if kind.startswith("panic:"):
        kind = "panic-" + kind.split(":", 2)[1]
    if why:
        print("FAIL xen/%s: %s (%s)" % (kind, why, run_dir))
        sys.exit(1)
    print("PASS xen/%s" % kind)


if __name__ == "__main__":
    main()
