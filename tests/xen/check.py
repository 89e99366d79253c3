#!/usr/bin/env python3
"""tests/xen/check.py [--only NAME,...] — the Xen suite of make check: the cases of
tests/xen/cases.txt, in order.

Each case is one real Xen run in the lab (make run-xen / run-xen-dom0).  Its
runner, tests/xen/run.sh, only says whether the infrastructure worked (exit
codes: tests/xen/exitcodes.txt); this decides whether topdown did: the one
result line AND checked content (judge=KIND: the lines of NEED[KIND], every
hook pinned, the trace complete and as planned by tools/tracecmp), or for
bad input (panic~=REGEX) that PANIC line, the same result line and a crash
shutdown — never a hang or a triple fault.  compare=NAME boots natively with
the Xen run NAME's RAM and options and compares the traces (tools/tracecmp).
One line per case goes to $RESULTS/xen.txt ("PASS xen/NAME Ns", "FAIL
xen/NAME: reason Ns", or "SKIP xen/NAME: not selected by XEN_ONLY='...'" for
a case --only leaves out); make's output to $BUILD/xen-check-NAME.out.
"""
import argparse
import fnmatch
import os
import importlib.util
import re
import shlex
import signal
import struct
import subprocess
import sys
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILD = os.environ.get("BUILD", "build")
RESULTS = os.environ.get("RESULTS", BUILD + "/results")
TRACECMP = BUILD + "/tools/tracecmp"
ROWS = [l.split(None, 2) for l in open(HERE / "exitcodes.txt") if l.strip() and not l.startswith("#")]
EXIT, MEANING = {v: int(c) for c, v, _ in ROWS}, {int(c): m.strip() for c, _, m in ROWS}

# Xen's refusal of MMUEXT_PIN_L4_TABLE from a PVH guest: -EINVAL in every lab run of Xen
# 4.17 (issue 20: the exact rc, not any rc).  The number comes from Xen's own errno.h.
XEN_EINVAL = int(re.search(r"XEN_ERRNO\(EINVAL,\s*(\d+)\)",
                           open("/usr/include/xen/errno.h").read()).group(1))

# What a passing run must show, by judge=KIND: (regex some guest line matches, what it means).
XEN_PVH = [(r"^boot: protocol=pvh ", "boot: protocol=pvh"),
           (r"^paravirt: hypervisor=XenVMMXenVMM .*xen_version=4\.17", "Xen 4.17 detected"),
           (r"^paravirt: backend=xen-pvh$", "xen-pvh backend"),
           (r"^trace: selfcheck violations=0 .*tables_ro=checked$", "Xen-mode self-check passed"),
           (r"^trace: xen pin_attempt op=MMUEXT_PIN_L4_TABLE .* rc=-%d$" % XEN_EINVAL,
            "pin attempt refused by Xen as a PVH guest's is (-EINVAL)")]
DOMU = XEN_PVH + [(r"start_info_version=1$", "start_info version 1"),
                  (r"^memmap: source=start_info ", "memory map from start_info"),
                  (r"^xen: console ring pfn=0x[0-9a-f]+ evtchn=\d+", "PV console ring"),
                  (r"^topdown: booting$", "the first line (early output replayed into the ring)")]
# Xen PV (xl create xl-pv.cfg): the boot protocol, the bootstrap region reserved part by
# part, real pins at every batch and the switch, each table flipped once, all accepted.
PV = [(r"^boot: protocol=xen-pv ", "boot: protocol=xen-pv"),
      (r'^boot: xen-pv start_info magic="xen-3\.0-x86_64" ', "start_info magic checked"),
      (r"^xen-pv: trap table: \d+ vectors", "trap table installed"),
      (r"^paravirt: hypervisor=XenVMMXenVMM .*xen_version=4\.17", "Xen 4.17"),
      (r"^paravirt: backend=xen-pv$", "xen-pv backend"),
      (r"^memmap: source=XENMEM_memory_map\+nr_pages ", "memory map from XENMEM_memory_map, clamped"),
      (r"^mm: maxpage=4k ", "4 KiB pages only (no superpages on PV)"),
      (r"^topdown: booting$", "the first lines on the console ring")] + \
     [(r"^trace: reserve \[mem 0x[0-9a-f]+-0x[0-9a-f]+\] %s$" % part, "bootstrap region: " + part)
      for part in ("xen-p2m", "xen-start_info", "xen-xenstore", "xen-console", "xen-bootstrap-tables",
                   "xen-boot-stack", "xen-padding")] + \
     [(r"^trace: xenpv cr3 step=4 new_baseptr_mfn=0x[0-9a-f]+ unpinned_boot_l4_mfn=0x[0-9a-f]+ "
       r"alias_l4_slot=508 ", "NEW_BASEPTR, the bootstrap L4 unpinned, its L3 borrowed"),
      (r"^trace: xenpv release id=\d+ boot_tables=(\d+) unflips=\1 ",
       "the bootstrap region reached by the direct map, every builder table writable again"),
      (r"^trace: xenpv summary tables=(\d+) pins=\1 flips=\1 unflips=[1-9]\d* .* violations=0$",
       "every table pinned and flipped exactly once (counted from Xen's answers)"),
      (r"^trace: xenpv probe op=MMUEXT_PIN_L1_TABLE page=writable mfn=0x[0-9a-f]+ rc=-22$",
       "Xen refuses to pin a writable page (-EINVAL): the pins are validated"),
      (r"^trace: selfcheck violations=0 .*tables_ro=checked$", "self-check passed, tables read-only")]
# Xen PV dom0 (make run-xen-pv-dom0): the PV checks but those of a domU's start_info (no
# xenstore or console page, no XENMEM_memory_map), plus dom0's own way in.
PV_DOMU_ONLY = ("memory map from XENMEM_memory_map, clamped", "bootstrap region: xen-xenstore",
                "bootstrap region: xen-console")
PV_DOM0 = [n for n in PV if n[1] not in PV_DOMU_ONLY] + \
    [(r"^xen: domain=initial \(dom0\) console=console_io ", "the initial domain (SIF_INITDOMAIN), console_io"),
     (r"^memmap: source=nr_pages ", "memory map from nr_pages")]
PINWRITE = [(r"^  diagnosis: write to a pinned page table$", "pinned-table diagnosis"),
            (r"^selftest: pin-write: caught as expected", "pin-write caught")]
NEED = {"domu": DOMU,
        "pv": PV,
        "pvpinwrite": PV + PINWRITE,
        "pvdom0": PV_DOM0,
        "pinwrite": DOMU + [(r"^  diagnosis: write to a pinned page table$", "pinned-table diagnosis"),
                            (r"^selftest: pin-write: caught as expected", "pin-write caught")],
        "dom0": XEN_PVH + [(r"start_info_version=0$", "start_info version 0"),
                           (r"^memmap: source=XENMEM_memory_map ", "memory map from XENMEM_memory_map"),
                           (r"^acpi: rsdp=0x[0-9a-f]+ source=start_info revision=2 XSDT=0x[0-9a-f]+ madt=0x[0-9a-f]+ checksums=ok$",
                            "ACPI from start_info's RSDP: XSDT and MADT checked (no BAD TABLE)"),
                           (r"^acpi: madt lapic=0x[0-9a-f]+ .* processors=[1-9]", "a valid MADT listing the vCPUs")]}
def smp_problem(lines, n):
    """Every vCPU up (N from the run's status), each on its own L4 whose
    batch was pinned, and the per-CPU tests and self-check passed with the
    read-only tables checked."""
    def have(rx):
        return any(re.search(rx, l) for l in lines)
    if not have(r"^smp: cpus=%d up=%d " % (n, n)):
        return "missing: smp: cpus=%d up=%d" % (n, n)
    xenpv = have(r"^paravirt: backend=xen-pv$")
    if n > 1 and not have(r"^smp: .* method=%s$" % ("vcpuop" if xenpv else "init-sipi")):
        return "APs not started by " + ("VCPUOP_initialise/VCPUOP_up" if xenpv else "INIT-SIPI-SIPI")
    # Xen PV (issue 19): the shootdown is one MMUEXT_INVLPG_MULTI naming every other vCPU
    if n > 1 and xenpv and not have(r"^xen-pv: tlb shootdown 1 from cpu 0: va=0x[0-9a-f]+, vcpumask=%s: "
                                    r"1 hypercall \(MMUEXT_INVLPG_MULTI\), no IPI$" % hex((1 << n) - 2)):
        return "missing: the shootdown as one MMUEXT_INVLPG_MULTI with vcpumask %s" % hex((1 << n) - 2)
    if xenpv:
        why = pv_events_problem(lines, n)
        if why:
            return why
    # Xen PV: the shootdown seen from the vCPU that must lose the entry, in trials; each read gives the new page
    trials = [re.match(r"^smptest: shootdown trials: (\d+) x \(cpu 0 reads va=0x[0-9a-f]+, an AP remaps it by mmu_update, "
                       r"then MMUEXT_INVLPG_MULTI naming cpu 0, cpu 0 reads it again\): (\d+) new page, 0 old page "
                       r"\(stale TLB entry\), 0 other: ok$", l) for l in lines]
    trials = [m for m in trials if m and m.group(1) == m.group(2) and int(m.group(1)) > 0]
    if xenpv and n > 1 and len(trials) != 1:
        return "missing: one passing 'smptest: shootdown trials' line (every read of cpu 0 the new page)"
    pc = [re.match(r"^percpu: cpu=(\d+) apic=(\d+) root=(0x[0-9a-f]+) globaldata=(0x[0-9a-f]+) ", l)
          for l in lines]
    pc = [m.groups() for m in pc if m]
    if sorted(int(g[0]) for g in pc) != list(range(n)):
        return "percpu lines for cpus %s, want 0-%d" % ([g[0] for g in pc], n - 1)
    if any(len(set(g[i] for g in pc)) != n for i in (1, 2, 3)):
        return "percpu apic/root/globaldata not distinct: %s" % pc
    pinned = " hook=pin result=ok " if have(r"^paravirt: backend=xen-pv$") else " hook=pin-ro result=ok "
    unpinned = [l for l in lines if l.startswith("trace: percpu_batch ") and pinned not in l]
    if unpinned:
        return "per-CPU batch not pinned: " + unpinned[0]
    for t in ("globaldata: %d cpus " % n, "new kernel mapping .* seen by %d cpus" % n,
              "tlb shootdown .*: %d other cpus read the new page" % (n - 1)):
        if not have(r"^smptest: %s.*: ok$" % t):
            return "missing: a passing 'smptest: %s'" % t
    if not have(r"^smpcheck: cpus=%d .* tables_ro=checked violations=0$" % n):
        return "missing: smpcheck: cpus=%d ... tables_ro=checked violations=0" % n
    return None


def pv_events_problem(lines, n):
    """Xen PV (issue 19): the smp: line lists the N vCPUs; one IPI port bound per vCPU
    (EVTCHNOP_bind_ipi), distinct; the event counts of every vCPU, counted where they
    happened: each AP received by its upcall exactly what the others sent to it (at least
    one: the tests call every AP), nothing stray, its port clear; the boot vCPU (events
    masked) received none; as many sent as sent to; the guest's own verdict ok.  With
    end=wait, every AP parked before the boot vCPU."""
    if not any(re.match(r"^smp: cpus=%d up=%d listed=%d " % (n, n, n), l) for l in lines):
        return "missing: smp: cpus=%d up=%d listed=%d (the vCPUs Xen knows)" % (n, n, n)
    bound = [re.match(r"^xen-pv: event channels \(2-level, shared_info mfn 0x[0-9a-f]+ at 0x[0-9a-f]+\): "
                      r"(\d+) IPI ports by EVTCHNOP_bind_ipi, one per vCPU \(([^)]*)\), every other port masked; "
                      r"upcall CALLBACKTYPE_event, failsafe a PANIC$", l) for l in lines]
    bound = [m for m in bound if m]
    if len(bound) != 1:
        return "want one 'xen-pv: event channels' line, got %d" % len(bound)
    ports = [tuple(map(int, re.fullmatch(r"vcpu (\d+) port (\d+)", x).groups())) for x in bound[0].group(2).split(", ")]
    if int(bound[0].group(1)) != n or [v for v, _ in ports] != list(range(n)) or len(set(p for _, p in ports)) != n:
        return "IPI ports bound %s, want one distinct port for each of vCPUs 0-%d" % (ports, n - 1)
    ev = [re.match(r"^smptest: events: cpu (\d+) vcpu (\d+) port (\d+): (\d+) sent to it, (\d+) received by its upcall "
                   r"\((\d+) upcalls, (\d+) from user mode, (\d+) stray\), (\d+) sent by it, port (pending|clear)$", l)
          for l in lines]
    ev = {int(m.group(1)): m for m in ev if m}
    if sorted(ev) != list(range(n)):
        return "event counts for cpus %s, want 0-%d" % (sorted(ev), n - 1)
    for cpu, m in ev.items():
        vcpu, port, to, got, upcalls, user, stray, sent, pend = m.groups()[1:]
        if (int(vcpu), int(port)) != ports[cpu]:
            return "cpu %d counted on vcpu %s port %s, bound %s" % (cpu, vcpu, port, ports[cpu])
        if int(stray) or int(got) > int(upcalls):
            return "cpu %d: %s stray events, %s received in %s upcalls" % (cpu, stray, got, upcalls)
        if cpu and (int(got) != int(to) or not int(to) or pend != "clear"):
            return "cpu %d: %s events sent to it, %s received by its upcall, port %s" % (cpu, to, got, pend)
        if not cpu and (int(got) or (pend == "pending") != (int(to) > 0)):
            return "cpu 0 (events masked): %s received, %s sent to it, port %s" % (got, to, pend)
    sent, to = (sum(int(m.group(k)) for m in ev.values()) for k in (9, 4))
    if sent != to:
        return "events: %d sent by the vCPUs, %d counted as sent to them" % (sent, to)
    if not any(re.match(r"^smptest: cross calls by event channel: %d EVTCHNOP_send, %d received by the APs' upcalls; .*: ok$"
                        % (sent, sum(int(ev[c].group(5)) for c in ev)), l) for l in lines):
        return "missing: a passing 'smptest: cross calls by event channel' with the counts of the events lines"
    if n > 1 and any(l.startswith("topdown: end=wait: ") for l in lines) and \
            not any(l == "xen-pv: end=wait: %d APs parked (events masked, blocked in SCHEDOP_poll), the boot vCPU next" % (n - 1)
                    for l in lines):
        return "end=wait: missing 'xen-pv: end=wait: %d APs parked'" % (n - 1)
    return None


def user_problem(c, lines, n):
    """Ring 3 on Xen PV (issue 19 item 5): the native boot suite's check_user
    (tests/boot/run.py: both programs on all N vCPUs with migrations, their
    pages at one VA in two frames, the run's slot-0 and kernel-half checks,
    a selftest=user-* kills ping only), plus what is PV's own: every vCPU got
    a pinned user root of its own by MMUEXT_NEW_USER_BASEPTR, each switch
    was two hypercalls (one mmu_update of that root's slot 0, one
    MMUEXT_TLB_FLUSH_LOCAL, counted at the calls), and every table of a
    freed address space was given back (unpinned, writable again)."""
    spec = importlib.util.spec_from_file_location("boot_run", HERE.parent / "boot" / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    case = types.SimpleNamespace(cpus_up=n, smp=None, expect="PASS", cmdline=c["extra"])
    errs = run.check_user(case, lines)
    if errs:
        return "user run: " + "; ".join(errs)
    roots = [re.match(r"^xen-pv: cpu (\d+): user root l4=(0x[0-9a-f]+) mfn=0x[0-9a-f]+ \(pinned; "
                      r"MMUEXT_NEW_USER_BASEPTR\), syscall callback \(CALLBACKTYPE_syscall", l) for l in lines]
    roots = [m.groups() for m in roots if m]
    if sorted(int(r[0]) for r in roots) != list(range(n)) or len(set(r[1] for r in roots)) != n:
        return "user roots %s, want one of its own per vCPU 0-%d" % (roots, n - 1)
    pinned = [l for l in lines if re.match(r"^trace: uspace_root id=\d+ cpu=\d+ l4=0x[0-9a-f]+ tables=1 hook=pin result=ok ", l)]
    if len(pinned) != n:
        return "%d user roots pinned by the hook (trace: uspace_root), want %d" % (len(pinned), n)
    if not any(re.match(r"^bench: user_switch_hypercalls_avg=2 min=2 max=2 backend=xen-pv ", l) for l in lines):
        return "missing: every switch two hypercalls (bench: user_switch_hypercalls_avg=2 min=2 max=2)"
    freed = sum(int(m.group(1)) for m in (re.match(r"^trace: uspace_free .* tables=(\d+) ", l) for l in lines) if m)
    released = sum(1 for l in lines if l.startswith("trace: xenpv table_released "))
    if not freed or released != freed:
        return "%d tables of freed address spaces, %d released to Xen (trace: xenpv table_released)" % (freed, released)
    return None


TARGET = {"domu": "run-xen", "dom0": "run-xen-dom0", "pv-dom0": "run-xen-pv-dom0"}
# Cases run XEN_JOBS at a time (default 2: each QEMU is one TCG thread); what a case
# prints is held and printed with its result line, so cases never interleave.
_out = threading.local()


def say(text):
    buf = getattr(_out, "buf", None)
    if buf is None:
        print(text, flush=True)
    else:
        buf.append(text)


KEYS = {"mode", "extra", "cfg", "vcpus", "make", "judge", "panic~", "fail~", "compare", "match", "inspect", "wait", "xenview~",
        "memory", "xenopts"}


def load_cases(path=HERE / "cases.txt"):
    out = []
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        words = shlex.split(line, comments=True)
        if not words:
            continue
        c = {"name": words[0], "mode": "domu", "extra": "", "make": "", "match": []}
        for k, eq, v in (w.partition("=") for w in words[1:]):
            if not eq or k not in KEYS:
                sys.exit("%s:%d: bad field %r (known: %s)" % (path, n, k + eq + v, " ".join(sorted(KEYS))))
            if k == "match":
                c[k].append(v)
            else:
                c[k] = v
        c["make"] += "".join(" %s=%s" % (v, shlex.quote(c[k])) for k, v in
                             (("cfg", "XEN_CFG"), ("vcpus", "XEN_VCPUS"), ("inspect", "XEN_INSPECT"), ("memory", "XEN_MEMORY"),
                              ("wait", "XEN_WAIT"), ("xenopts", "XEN_OPTS")) if k in c)
        if c["mode"] not in TARGET or not ("panic~" in c or "fail~" in c or "xenview~" in c or c.get("judge") in NEED or
                                                     c.get("compare") in [x["name"] for x in out]):
            sys.exit("%s:%d: want mode=%s and judge=%s, panic~=REGEX, fail~=REGEX, xenview~=REGEX or compare=(an earlier case)"
                     % (path, n, "|".join(TARGET), "|".join(NEED)))
        out.append(c)
    return out


def status(run_dir):
    """The runner's key=value status file of a run ({} if none)."""
    p = Path(run_dir, "status")
    return dict(l.split("=", 1) for l in p.read_text().splitlines() if "=" in l) if p.exists() else {}


def make(*args, out, timeout=None):
    with open(out, "w") as f:
        p = subprocess.Popen(["make", "--no-print-directory"] + list(args), stdout=f, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            return p.wait()


def judge(c, run_dir, rc):
    """None when the run passed, else why not."""
    want = EXIT["crashed"] if "panic~" in c or "fail~" in c else EXIT["ran"]
    if "xenview~" in c and rc == EXIT["crashed"]:
        want = rc               # a planted bug: the guest may see it too and stop as crashed
    if rc != want:
        return "runner exit %d (%s), want %d" % (rc, MEANING.get(rc, "?"), want)
    try:
        lines = Path(run_dir, "guest.log").read_text(errors="replace").splitlines()
    except OSError as e:
        return "no guest log: %s" % e
    results = [l for l in lines if l.startswith("topdown: result: ")]
    if "xenview~" in c:         # a planted bug: Xen's own view must catch it, whatever the guest says
        why = xen_view_problem(c, run_dir, lines)
        if not why or not re.search(c["xenview~"], why):
            return "want Xen's view to fail with %r, got %r (result lines %r)" % (c["xenview~"], why, results[:2])
        say("xen-check: caught by Xen's view, as expected: %s" % why)
        return None
    if "fail~" in c:            # a negative control: the run must FAIL, showing why
        shown = [l for l in lines if re.search(c["fail~"], l)]
        missing = [rx for rx in c["match"] if not any(re.search(rx, l) for l in lines)]
        if len(results) != 1 or not results[0].startswith("topdown: result: FAIL: ") or not shown or missing:
            return "want one FAIL result line and lines matching %r %s, got %r (matching: %r)" % (
                c["fail~"], c["match"], results[:2], shown[:1])
        say("xen-check: failed as it must: %s" % shown[0])
        return None
    if "panic~" in c:
        panics = [l for l in lines if l.startswith("PANIC: ")]
        if len(panics) != 1 or not re.fullmatch(c["panic~"], panics[0][len("PANIC: "):]):
            return "want one PANIC line matching %r, got %r" % (c["panic~"], panics)
        return None if results == ["topdown: result: " + panics[0]] else \
            "result lines %r do not repeat the panic" % results
    if results != ["topdown: result: PASS"]:
        return "result lines %r, want exactly one PASS" % results[:3]
    need = NEED[c["judge"]] + [(rx, "a line matching %r" % rx) for rx in c["match"]]
    missing = [what for rx, what in need if not any(re.search(rx, l) for l in lines)]
    if missing:
        return "missing: " + ", ".join(missing)
    hooks = [l for l in lines if l.startswith("trace: hook ")]
    pinned = " backend=xen-pv action=pin result=ok " if c["judge"].startswith("pv") else \
        " backend=xen-pvh action=pin-ro result=ok "
    unpinned = [h for h in hooks if pinned not in h]
    if not hooks or unpinned:
        return "hook did not pin: %s" % (unpinned[0] if unpinned else "no hook records")
    batches = [l for l in lines if l.startswith("trace: batch ")]
    if len(batches) != len(hooks):
        return "%d batches but %d hook calls" % (len(batches), len(hooks))
    # every vCPU the run gave the guest (a PVH dom0 too: dom0_max_vcpus, its MADT from Xen)
    why = smp_problem(lines, int(status(run_dir).get("vcpus") or 1)
                      if c["mode"] in ("domu", "dom0") else 1)
    if why:
        return why
    # ring 3 on PV: every run that gets that far (a kernel self-test ends the run before it)
    if c["judge"] in ("pv", "pvdom0") and not re.search(r"(^| )selftest=(?!user-)", c["extra"]):
        why = user_problem(c, lines, 1 if c["mode"] != "domu" else int(status(run_dir).get("vcpus") or 1))
        if why:
            return why
    p = subprocess.run([TRACECMP, "-q", run_dir + "/guest.log"], capture_output=True, text=True)
    out = (p.stderr.strip() or p.stdout.strip()).splitlines()      # complete, checksummed, as planned
    if p.returncode:
        return "tracecmp exit %d: %s" % (p.returncode, out[-1] if out else "no output")
    return xen_view_problem(c, run_dir, lines)


def xl_dmesg_about(run_dir, domid):
    """The lines of `xl dmesg` (Xen's console ring, collected after the run)
    about domain DOMID: its port-0xE9 lines "(dN)" and Xen's own "dN" / "dNvM"."""
    try:
        text = Path(run_dir, "xl-dmesg.log").read_text(errors="replace")
    except OSError:
        return None
    rx = re.compile(r"\(d%s\)|\bd%sv?\d*\b|[Dd]om(ain)? ?%s\b" % (domid, domid, domid))
    return [l for l in text.splitlines() if rx.search(l)]


def table_pfns(lines):
    """The guest's own list of its page-table pages, from its trace: {pfn: level
    or None} and {level: count}.  Per-page levels come from the PV backend's
    records "trace: xenpv table_pfns batch=ID level=N pfns=A-B,C,...", when the
    kernel writes them, less the pages "trace: xenpv table_released pfn=P" gave
    back later (a freed address space); else the pages are the ranges of "trace: tables id=N ...
    [mem A-B] pages=P" and "trace: percpu_batch ... pa=[A-B]", and the levels
    only counted (the l4..l1 of "trace: batch" and "trace: percpu_batch")."""
    pfns, per_level = {}, {1: 0, 2: 0, 3: 0, 4: 0}
    for l in lines:
        m = re.match(r"^trace: xenpv table_pfns batch=\d+ level=([1-4]) pfns=(\S+)$", l)
        if m:
            for part in m.group(2).split(","):
                a, _, b = part.partition("-")
                for pfn in range(int(a, 16), int(b or a, 16) + 1):
                    pfns[pfn] = int(m.group(1))
        # a freed address space's table (issue 19): unpinned and writable again, RAM
        m = re.match(r"^trace: xenpv table_released pfn=(0x[0-9a-f]+) ", l)
        if m and pfns.pop(int(m.group(1), 16), "none") == "none":
            raise ValueError("the trace releases pfn %s, which it never listed as a table" % m.group(1))
    if pfns:
        for lvl in pfns.values():
            per_level[lvl] += 1
        return pfns, per_level, "per page"
    for l in lines:
        m = (re.match(r"^trace: tables id=\d+ src=\S+ \[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\] pages=(\d+)$", l) or
             re.match(r"^trace: percpu_batch .* pa=\[(0x[0-9a-f]+)-(0x[0-9a-f]+)\]()", l))
        if m:
            a, b = int(m.group(1), 16) >> 12, int(m.group(2), 16) >> 12
            if m.group(3) and int(m.group(3)) != b - a + 1:
                raise ValueError("trace range %s is not %s pages" % (l, m.group(3)))
            pfns.update((pfn, None) for pfn in range(a, b + 1))
        if l.startswith("trace: batch ") or l.startswith("trace: percpu_batch "):
            for lvl in (1, 2, 3, 4):
                per_level[lvl] += int(re.search(r"\bl%d=(\d+)" % lvl, l).group(1))
    return pfns, per_level, "ranges, levels counted"


P2M_LINE = re.compile(r"^\s*pfn=(0x[0-9a-f]+) ==> mfn=(0x[0-9a-f]+) \(type (0x[0-9a-f]+)\) ?(pinned )?(L[1-4])?\s*$")


def p2m_types(path):
    """xen-mfndump dump-p2m as dom0-init.sh sent it (its exit code and line
    count, the header, and only the pages whose type is a table):
    (exit, p2m size, {pfn: (level, pinned)})."""
    text = Path(path).read_text(errors="replace").splitlines()
    head = re.match(r"^dump-p2m exit=(\d+) lines=(\d+)$", text[0]) if text else None
    if not head:
        raise ValueError("%s: no 'dump-p2m exit=' line" % path)
    size = next((int(m.group(1)) for m in (re.search(r"P2M size: = (\d+)", l) for l in text) if m), None)
    typed = {}
    for l in text[1:]:
        m = P2M_LINE.match(l)
        if m and m.group(5):
            typed[int(m.group(1), 16)] = (int(m.group(5)[1]), bool(m.group(4)))
    return int(head.group(1)), size, typed


def xen_view_problem(c, run_dir, lines):
    """Xen's own view of the guest (inspect=p2m[,core]): dom0 ran xen-mfndump
    dump-p2m on the live or preserved domain.  Every page the guest's trace
    lists as a table must be typed at its level and pinned; no other page may
    carry a table type; the counts per level must equal the trace's.  With core:
    `xl dump-core` worked and its ELF holds every page and the p2m list.  Also
    shows what `xl dmesg` says about the domain."""
    st = status(run_dir)
    domid = st.get("domid")
    about = xl_dmesg_about(run_dir, domid) if domid else None
    if about:
        say("xen-check: xl dmesg about d%s:\n  %s" % (domid, "\n  ".join(about[-20:])))
        bad = [l for l in about if re.search(r"crash|Triple fault|Bad |Error", l)]
        if bad:
            return "xl dmesg about d%s: %s" % (domid, bad[0])
    what = c.get("inspect", "").split()
    if "p2m" in what:
        try:
            rc, size, typed = p2m_types(Path(run_dir, "out-main-p2m.log"))
            want, per_level, how = table_pfns(lines)
        except (OSError, ValueError) as e:
            return "Xen's view: %s" % e
        if rc != 0:
            return "xen-mfndump dump-p2m exit %d: %s" % (rc, Path(run_dir, "out-main-p2m.log").read_text()[:300])
        nr = next((int(m.group(1)) for m in (re.search(r"\bnr_pages=(\d+)", l) for l in lines) if m), None)
        if size != nr:
            return "xen-mfndump: P2M size %s, the guest's nr_pages %s" % (size, nr)
        untyped = sorted(set(want) - set(typed))
        extra = sorted(set(typed) - set(want))
        unpinned = sorted(p for p in want if p in typed and not typed[p][1])
        wrong = sorted(p for p, lvl in want.items() if lvl and p in typed and typed[p][0] != lvl)
        xen_levels = {lvl: sum(1 for t in typed.values() if t[0] == lvl) for lvl in (1, 2, 3, 4)}
        say("xen-check: Xen's view (xen-mfndump dump-p2m d%s): %d table pages (L4..L1 %s), %d pinned; "
              "the guest's trace (%s): %d (L4..L1 %s)" %
              (domid, len(typed), "/".join(str(xen_levels[l]) for l in (4, 3, 2, 1)),
               sum(1 for t in typed.values() if t[1]), how, len(want),
               "/".join(str(per_level[l]) for l in (4, 3, 2, 1))))
        fmt = lambda ps: ", ".join("pfn 0x%x%s" % (p, " (Xen: %spinned L%d)" % ("" if typed[p][1] else "un",
                                                                               typed[p][0]) if p in typed else "")
                                   for p in ps[:5])
        # unpinned first: with skip-pin the user run's tables, never pinned, are untyped too
        for ps, why in ((unpinned, "tables Xen holds unpinned"),
                        (untyped, "listed as tables by the trace but untyped in Xen"),
                        (wrong, "typed at another level than the trace's"),
                        (extra, "typed as tables by Xen but not in the trace")):
            if ps:
                return "Xen's view: %d page(s) %s: %s" % (len(ps), why, fmt(ps))
        if xen_levels != per_level:
            return "Xen's view: tables per level L4..L1 %s, the trace's %s" % (
                "/".join(str(xen_levels[l]) for l in (4, 3, 2, 1)), "/".join(str(per_level[l]) for l in (4, 3, 2, 1)))
    if "core" in what:
        why = dump_core_problem(run_dir, lines)
        if why:
            return why
    return None


def dump_core_problem(run_dir, lines):
    """`xl dump-core` of the domain: exit 0, an ELF whose sections (headers in
    its first 64 KiB, names at its end: sizes only here) include the pages,
    nr_pages * 4 KiB, and the PV p2m list, nr_pages (pfn, gmfn) pairs, and whose
    size is where its last section ends."""
    try:
        log = Path(run_dir, "out-main-dump-core.log").read_text()
        head = Path(run_dir, "main-core.head").read_bytes()
    except OSError as e:
        return "xl dump-core: %s" % e
    m = re.search(r"dump-core exit=(\d+)", log)
    size = re.search(r"dump-core bytes=(\d+)", log)
    if not m or m.group(1) != "0" or not size:
        return "xl dump-core failed: %s" % log.strip().replace("\n", " | ")[:300]
    nr = next((int(x.group(1)) for x in (re.search(r"\bnr_pages=(\d+)", l) for l in lines) if x), 0)
    if head[:4] != b"\x7fELF" or len(head) < 64:
        return "xl dump-core: not an ELF file"
    shoff, = struct.unpack_from("<Q", head, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", head, 0x3A)
    if shoff + shnum * shentsize > len(head):
        return "xl dump-core: section headers beyond the first 64 KiB"
    secs = [struct.unpack_from("<QQ", head, shoff + i * shentsize + 0x18) for i in range(shnum)]  # offset, size
    sizes = [sz for _, sz in secs]
    end = max(off + sz for off, sz in secs)
    say("xen-check: xl dump-core: %s bytes, %d sections (sizes %s)" % (size.group(1), shnum, sizes))
    if nr * 4096 not in sizes or nr * 16 not in sizes or end != int(size.group(1)):
        return "xl dump-core: want sections of %d (pages) and %d (p2m) bytes ending at %s, got %s ending at %d" % (
            nr * 4096, nr * 16, size.group(1), sizes, end)
    return None


def run_xen(c):
    name, run_dir = c["name"], "%s/xen/check-%s" % (BUILD, c["name"])
    target = TARGET[c["mode"]]
    say("xen-check: %s: make %s XEN_EXTRA=%s" % (name, target, shlex.quote(c["extra"])))
    out = "%s/xen-check-%s.out" % (BUILD, name)
    rc = make(target, "XEN_RUN=check-" + name, "XEN_EXTRA=" + c["extra"], *shlex.split(c["make"]), out=out)
    st = status(run_dir)
    if st:                      # make reports a failed recipe as 2; the runner's own code is here
        rc = int(st.get("exit", EXIT["transfer"]))
        say("xen-check: phases (s): " + " ".join("%s=%s" % (k[6:], v) for k, v in st.items()
                                                 if k.startswith("phase_")))
    elif rc:
        say("".join(open(out).readlines()[-5:]).rstrip("\n"))
        rc = EXIT["usage"]
    why = judge(c, run_dir, rc)
    return why and "%s (%s)" % (why, run_dir)


def compare(c):
    """A native boot with the Xen run's RAM and options (the Makefile's own
    `make run`, under TCG like every test: never dependent on /dev/kvm) against
    that run's trace: expected differences only."""
    run_dir = "%s/xen/check-%s" % (BUILD, c["compare"])
    st = status(run_dir)
    log, report = run_dir + "-native.log", "%s/xen/check-%s.txt" % (BUILD, c["name"])
    # ACCEL=tcg: tests never depend on KVM (make run's auto takes it on a CPU with vmx or
    # svm; the /dev/kvm of the build machines is PVM, ~100x slower on table-heavy boots).
    make("-s", "run", "BUILD=" + BUILD, "ACCEL=tcg", "MEM=%sM" % st.get("memory"), "CMDLINE=" + st.get("cmdline", ""),
         "SMP=" + (st.get("vcpus") or "1"), out=log, timeout=120)
    with open(report, "w") as f:
        rc = subprocess.run([TRACECMP, "-q", log, run_dir + "/guest.log"], stdout=f, stderr=subprocess.STDOUT)
    return rc.returncode and "tracecmp found unexpected differences or bad input (%s)" % report


def main():
    ap = argparse.ArgumentParser(description="topdown's Xen suite")
    ap.add_argument("--only", default="*", help="names or shell patterns, comma separated")
    a = ap.parse_args()
    pats = a.only.split(",")
    cases = load_cases()
    selected = [c for c in cases if any(fnmatch.fnmatchcase(c["name"], p) for p in pats)]
    if not selected:
        print("check.py: no case matches %r" % a.only, file=sys.stderr)
        return 2
    Path(RESULTS).mkdir(parents=True, exist_ok=True)
    results = open(Path(RESULTS) / "xen.txt", "a")

    def record(line):
        print(line, flush=True)
        results.write(line + "\n")
        results.flush()

    by = ("XEN_ONLY='%s'" if os.environ.get("XEN_ONLY") == a.only else "--only '%s'") % a.only
    for c in cases:                     # a case left out is counted, with why
        if c not in selected:
            record("SKIP xen/%s: not selected by %s" % (c["name"], by))

    for target, what in (("xenlab", "lab"), (TRACECMP, "tracecmp")):   # the lab, and tracecmp for judge()
        if subprocess.run(["make", "--no-print-directory", target]).returncode:
            record("FAIL xen/%s: make %s failed" % (what, target))
            return 1
    finished = {c["name"]: threading.Event() for c in selected}
    lock = threading.Lock()

    def one(c):
        _out.buf = []
        if c.get("compare") in finished:        # its Xen run first (queued before it: no deadlock)
            finished[c["compare"]].wait()
        t0 = time.monotonic()
        try:
            why = compare(c) if "compare" in c else run_xen(c)
        except Exception as e:                  # a broken case fails alone
            why = "check.py: %s: %s" % (type(e).__name__, e)
        with lock:
            for l in _out.buf:
                print(l, flush=True)
            record("%s xen/%s%s %ds" % ("FAIL" if why else "PASS", c["name"], ": " + why if why else "",
                                         time.monotonic() - t0))
        finished[c["name"]].set()
        return bool(why)

    jobs = max(1, int(os.environ.get("XEN_JOBS") or 2))
    with ThreadPoolExecutor(jobs) as ex:
        failed = sum(ex.map(one, selected))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
