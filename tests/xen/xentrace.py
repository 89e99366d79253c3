#!/usr/bin/env python3
"""tests/xen/xentrace.py FILE [--domid N] — read a binary xentrace file (Xen 4.17)
and count one domain's PV hypercalls as Xen recorded them.

The record layout is the public one (xen/include/public/trace.h, struct t_rec):
a 32-bit header (event:28, extra_u32:3, cycles_included:1), a 64-bit TSC when
cycles_included, then extra_u32 32-bit words.  xentrace writes each chunk of a
CPU's buffer after a TRC_TRACE_CPU_CHANGE record whose first word is the CPU.
Every constant (event numbers, hypercall numbers, VCPUOP_*) is read from the
libxen-dev headers in /usr/include/xen, never retyped here.

Attribution: a TRC_SCHED_SWITCH record (words: prev domid, prev vcpu, next
domid, next vcpu) says which domain runs on that CPU from then on; a
TRC_PV_HYPERCALL_V2 (a hypercall entering Xen) or TRC_PV_HYPERCALL_SUBCALL
(one entry of a multicall) belongs to the domain running on its CPU.  Word 0 of
both is the op in bits 0-19 and, two bits per argument (A0..A5 from bit 20), which
arguments follow (01: 32-bit, 10: 64-bit); Xen records the count (argument 1) of
mmu_update, mmuext_op and multicall, and cmd/vcpuid (arguments 0, 1) of vcpu_op.

A count with bit 31 set is Xen's own continuation of a preempted mmu_update or
mmuext_op (xen/arch/x86/mm.c: the remaining count | MMU_UPDATE_PREEMPTED): its
requests were already counted with the original call, so it adds a hypercall
(the guest entered Xen again) but no requests.

As a module: read(path) -> list of Call; counts(calls) -> dict.
"""
import argparse
import re
import struct
import sys
from collections import Counter, namedtuple
from pathlib import Path

XEN_INCLUDE = Path("/usr/include/xen")


def _defines(*names):
    """#define NAME VALUE from the Xen headers, with VALUE evaluated (it may use
    other macros, parentheses, +, |, <<, and U/UL suffixes)."""
    raw = {}
    for n in names:
        for m in re.finditer(r"(?m)^#define[ \t]+(\w+)[ \t]+([^/\n]+?)[ \t]*(?:/\*.*)?$", (XEN_INCLUDE / n).read_text()):
            raw.setdefault(m.group(1), m.group(2))
    val = {}

    def ev(name, depth=0):
        if name in val:
            return val[name]
        expr = re.sub(r"\bxen_mk_u?long\b|\bxen_mk_uint\b", "", raw[name])
        expr = re.sub(r"\b(0x[0-9a-fA-F]+|\d+)[uUlL]*\b", r"\1", expr)
        if depth > 20 or not re.fullmatch(r"[\w\s()+|<>x]*", expr):
            raise ValueError(expr)
        expr = re.sub(r"\b([A-Za-z_]\w*)\b", lambda m: str(ev(m.group(1), depth + 1)) if m.group(1) in raw else
                      m.group(1), expr)
        val[name] = eval(expr, {"__builtins__": {}})
        return val[name]
    return raw, ev


_RAW, _EV = _defines("trace.h", "xen.h", "vcpu.h")
C = {k: _EV(k) for k in ("TRC_TRACE_CPU_CHANGE", "TRC_LOST_RECORDS", "TRC_SCHED_SWITCH", "TRC_PV_HYPERCALL_V2",
                          "TRC_PV_HYPERCALL_SUBCALL", "TRACE_EXTRA_SHIFT", "TRACE_EXTRA_MAX",
                          "TRC_PV_HYPERCALL_V2_ARG_MASK", "VCPUOP_register_vcpu_info", "VCPUOP_is_up", "DOMID_IDLE")}
HYPERCALL = {}          # number -> name without __HYPERVISOR_
for _k in _RAW:
    if _k.startswith("__HYPERVISOR_"):
        try:
            HYPERCALL.setdefault(_EV(_k), _k[len("__HYPERVISOR_"):])
        except (ValueError, SyntaxError, KeyError):
            pass
OP = {v: k for k, v in HYPERCALL.items()}

# op (or subcall) of one domain: tsc, cpu, sub (a multicall entry), op, args {index: value}
Call = namedtuple("Call", "tsc cpu dom sub op args")


def read(path):
    """(calls, lost): every hypercall and multicall entry in the file, in file
    order per CPU, with the domain that made it (None before the CPU's first
    TRC_SCHED_SWITCH); lost = the number of TRC_LOST_RECORDS records."""
    d = Path(path).read_bytes()
    i, cpu, cur, calls, lost = 0, 0, {}, [], 0
    shift, emax, amask = C["TRACE_EXTRA_SHIFT"], C["TRACE_EXTRA_MAX"], C["TRC_PV_HYPERCALL_V2_ARG_MASK"]
    while i + 4 <= len(d):
        (h,) = struct.unpack_from("<I", d, i)
        i += 4
        ev, n, cyc = h & 0x0FFFFFFF, (h >> shift) & emax, h >> 31
        tsc = None
        if cyc:
            (tsc,) = struct.unpack_from("<Q", d, i)
            i += 8
        if i + 4 * n > len(d):
            raise ValueError("%s: truncated record at byte %d" % (path, i))
        w = struct.unpack_from("<%dI" % n, d, i)
        i += 4 * n
        if ev == C["TRC_TRACE_CPU_CHANGE"]:
            cpu = w[0]
        elif ev == C["TRC_LOST_RECORDS"]:
            lost += 1
        elif ev == C["TRC_SCHED_SWITCH"]:
            cur[cpu] = w[2]
        elif ev in (C["TRC_PV_HYPERCALL_V2"], C["TRC_PV_HYPERCALL_SUBCALL"]):
            op, mask, args, k = w[0] & ~amask, w[0] >> 20, {}, 1
            for a in range(6):
                t = (mask >> (2 * a)) & 3
                if t == 1:
                    args[a] = w[k]
                    k += 1
                elif t == 2:
                    args[a] = w[k] | w[k + 1] << 32
                    k += 2
            calls.append(Call(tsc, cpu, cur.get(cpu), ev == C["TRC_PV_HYPERCALL_SUBCALL"], op, args))
    return calls, lost


def counts(calls):
    """What a window of one domain's calls cost Xen: hypercalls (entries into
    Xen, continuations included), multicall entries, mmu_update calls and
    requests, mmuext_op calls and operations, update_va_mapping calls, and
    hypercalls by name."""
    c = Counter()
    for x in calls:
        name = HYPERCALL.get(x.op, "op%d" % x.op)
        c["multicall_entries" if x.sub else "hypercalls"] += 1
        if not x.sub:
            c["op_" + name] += 1
        cnt = x.args.get(1)
        if x.op in (OP["mmu_update"], OP["mmuext_op"]) and cnt is not None:
            key = "mmu_update" if x.op == OP["mmu_update"] else "mmuext_op"
            c[key + "_calls"] += 1
            if cnt >> 31:
                c["continuations"] += 1
            else:
                c[key + ("_reqs" if key == "mmu_update" else "_ops")] += cnt
        elif x.op == OP["update_va_mapping"]:
            c["update_va_mapping"] += 1
    return c


def is_marker(x):
    """topdown's mark in Xen's trace: an empty multicall (count 0), made at the
    start and at the end of its page-table setup; Linux never makes one."""
    return not x.sub and x.op == OP["multicall"] and x.args.get(1) == 0


def is_linux_end(x):
    """The end of Linux's page-table setup as seen in Xen's trace: its first
    VCPUOP_is_up.  Debian's 6.1 enumerates the possible CPUs with one is_up per
    CPU id in get_smp_config (arch/x86/xen/smp_pv.c), which setup_arch calls
    after init_mem_mapping and x86_init.paging.pagetable_init
    (xen_pagetable_init); the counts after it (AFTER) show that no page-table
    work was cut off."""
    return not x.sub and x.op == OP["vcpu_op"] and x.args.get(0) == C["VCPUOP_is_up"]


def window(calls, dom, kind):
    """(calls in the window, calls after it, how it was delimited) for domain DOM:
    kind 'topdown': from its first hypercall to its second marker (or, with no
    markers, to its last hypercall: the whole run); 'linux': from its first
    hypercall to its first VCPUOP_is_up (excluded); after = up to its first
    VCPUOP_register_vcpu_info (smp_prepare_boot_cpu) for Linux, the rest for topdown."""
    mine = [x for x in calls if x.dom == dom]
    if kind == "linux":
        end = next((i for i, x in enumerate(mine) if is_linux_end(x)), None)
        if end is None:
            raise ValueError("no VCPUOP_is_up from domain %d" % dom)
        reg = next((i for i, x in enumerate(mine) if not x.sub and x.op == OP["vcpu_op"] and
                    x.args.get(0) == C["VCPUOP_register_vcpu_info"]), len(mine))
        return mine[:end], mine[end:reg], "first hypercall .. first VCPUOP_is_up (excluded)"
    marks = [i for i, x in enumerate(mine) if is_marker(x)]
    if len(marks) >= 2:
        return mine[:marks[1] + 1], mine[marks[1] + 1:], "first hypercall .. second empty-multicall mark (included)"
    return mine, [], "first hypercall .. last hypercall (no marks in the trace: the whole run)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--domid", type=int, help="only this domain (default: every domain but dom0 and idle)")
    ap.add_argument("--kind", choices=("topdown", "linux"), help="count only its page-table setup window")
    a = ap.parse_args()
    calls, lost = read(a.file)
    doms = sorted({x.dom for x in calls if x.dom not in (None, 0, C["DOMID_IDLE"])}) if a.domid is None else [a.domid]
    print("records: %d hypercall records, lost-records markers: %d" % (len(calls), lost))
    for dom in doms:
        sel, after, how = window(calls, dom, a.kind) if a.kind else ([x for x in calls if x.dom == dom], [], "all")
        for what, part in (("window", sel), ("after", after)):
            c = counts(part)
            print("domain %d %s (%s): %s" % (dom, what, how, " ".join("%s=%d" % kv for kv in sorted(c.items()))))
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
