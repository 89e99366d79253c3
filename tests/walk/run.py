#!/usr/bin/env python3
"""run.py — the outside walker's cases (tests/walk/cases.txt).

    tests/walk/run.py --build build --results build/results/walk.txt [-j N] [--only PAT,...]

Each case boots topdown under QEMU (TCG) with end=wait, waits for the result
line on the serial port, stops the VM and takes from QEMU itself, over QMP,
every CPU's registers (`info registers -a`) and the table pages (`pmemsave`,
2 MiB at a time, only where the walk goes).  tests/walk/walk.py then walks
the tables with its own decoder and judges them against the trace and the
ELF file.  A case passes when the guest said PASS and the walker found
nothing — or, for a planted bug (walk.plant=), when the guest still said
PASS and the walker found exactly the expected kinds of violation.
Logs: build/tests/walk/<name>.{log,cmd,walk}.
"""
import argparse
import concurrent.futures
import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "lib"))
import walk  # noqa: E402
from qmp import Qmp  # noqa: E402

CHUNK = 2 << 20


def parse_cases(path):
    cases = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = shlex.split(line)
        c = {"name": words[0], "mem": "128M", "machine": "pc", "cpu": "qemu64", "boot": "pvh",
             "smp": "4", "cmdline": "", "expect": "pass", "timeout": "90", "perturb": "0"}
        for w in words[1:]:
            k, _, val = w.partition("=")
            if k not in c:
                raise SystemExit("%s: case %s: unknown key %r" % (path, c["name"], k))
            c[k] = val
        cases.append(c)
    return cases


def registers(text):
    """[{'index', 'cr0', 'cr3', 'cr4', 'efer'}] from `info registers -a`."""
    cpus = []
    for block in re.split(r"^CPU#", text, flags=re.M)[1:]:
        idx = int(re.match(r"(\d+)", block).group(1))
        regs = dict((k, int(v, 16)) for k, v in re.findall(r"\b(CR0|CR3|CR4|EFER)=([0-9a-f]+)", block))
        cpus.append({"index": idx, "cr0": regs["CR0"], "cr3": regs["CR3"], "cr4": regs["CR4"],
                     "efer": regs["EFER"]})
    return cpus


def run_case(c, build, out):
    name = c["name"]
    elf = build / "topdown.elf"
    log, cmdf, walkf = out / (name + ".log"), out / (name + ".cmd"), out / (name + ".walk")
    cmdline = (c["cmdline"] + " end=wait").strip()
    tmp = Path(tempfile.mkdtemp(prefix="walk-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    sock = tmp / "qmp.sock"
    args = ["qemu-system-x86_64", "-M", c["machine"], "-m", c["mem"], "-cpu", c["cpu"],
            "-smp", c["smp"], "-accel", "tcg", "-display", "none", "-no-reboot",
            "-serial", "file:%s" % log, "-device", "isa-debug-exit,iobase=0x501,iosize=2",
            "-qmp", "unix:%s,server=on,wait=off" % sock]
    if c["boot"] == "iso":
        iso = out / "iso" / (name + ".iso")
        iso.parent.mkdir(parents=True, exist_ok=True)
        r = subprocess.run([str(REPO / "tools/mkiso.sh"), str(elf), str(iso), cmdline],
                           capture_output=True, text=True)
        if r.returncode:
            return "FAIL walk/%s: mkiso.sh exited %d: %s" % (name, r.returncode, r.stderr.strip()[-200:])
        args += ["-cdrom", str(iso)]
    else:
        args += ["-kernel", str(elf), "-append", cmdline]
    for stale in (log, walkf):          # never read the last run's output
        if stale.exists():
            stale.unlink()
    cmdf.write_text(" ".join(shlex.quote(a) for a in args) + "\n")
    t0 = time.monotonic()
    q = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=open(out / (name + ".stderr"), "w"))
    try:
        deadline = t0 + int(c["timeout"])
        result = None
        while time.monotonic() < deadline and q.poll() is None:
            text = log.read_text(errors="replace") if log.exists() else ""
            m = re.search(r"^topdown: result: (.*)$", text, re.M)
            if m:
                result = m.group(1)
                break
            time.sleep(0.2)
        if result is None:
            rc = q.poll()
            return "FAIL walk/%s: %s" % (name, "QEMU exited %s before a result line" % rc if rc is not None
                                         else "no result line within %s s" % c["timeout"])
        boot_s = time.monotonic() - t0
        if result != "PASS":
            return "FAIL walk/%s: the guest said %s" % (name, result)
        if "topdown: end=wait:" not in text:
            return "FAIL walk/%s: no end=wait line: the guest is not waiting" % name
        qmp = Qmp(sock, deadline)
        qmp.cmd("stop")
        cpus = registers(qmp.hmp("info registers -a"))
        chunks = {}
        dump = tmp / "chunk"

        def read_page(pa):
            base = pa & ~(CHUNK - 1)
            if base not in chunks:
                qmp.cmd("pmemsave", val=base, size=CHUNK, filename=str(dump))
                chunks[base] = dump.read_bytes()
            off = pa - base
            return chunks[base][off:off + walk.PAGE]

        t1 = time.time()
        trace = walk.Trace(text.splitlines())
        user_done = bool(trace.all("user_run") or trace.all("user_skip")) or "user: not run" in text
        cache = {}
        violations, facts = walk.judge(trace, walk.Elf(elf), cpus, read_page, user_done, cache)
        walk_s = time.time() - t1
        extra = []
        if c["perturb"] == "1" and not violations:
            import perturb
            for pname, want, regs, pcache in perturb.cases(trace, walk.Elf(elf), cpus, cache):
                pv, _ = walk.judge(trace, walk.Elf(elf), regs, read_page, user_done, pcache)
                got = sorted({cat for cat, _ in pv})
                extra.append("%s walk/%s/perturb-%s %s" % (
                    "PASS" if got == sorted(want) else "FAIL", name, pname,
                    "caught [%s]: %s" % (" ".join(got), pv[0][1]) if got == sorted(want) else
                    ": want [%s], the walker found [%s]%s" % (" ".join(want), " ".join(got),
                                                            ", first: " + pv[0][1] if pv else "")))
        qmp.cmd("quit")
    except Exception as e:      # a broken walk is a failure, never a pass
        return "FAIL walk/%s: %s: %s" % (name, type(e).__name__, e)
    finally:
        if q.poll() is None:
            q.kill()
        q.wait()
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
    with open(walkf, "w") as f:
        f.write("cpus: %s\n" % json.dumps(cpus))
        f.write("facts: %s\n" % json.dumps(facts))
        f.write("pmemsave: %d chunks of %d bytes\n" % (len(chunks), CHUNK))
        for cat, msg in violations:
            f.write("VIOLATION [%s] %s\n" % (cat, msg))
    cats = sorted({cat for cat, _ in violations})
    timing = "boot %.1fs, walk %.1fs, %d pmemsave" % (boot_s, walk_s, len(chunks))
    if c["expect"] == "pass":
        if violations:
            return "FAIL walk/%s: %d violations [%s], first: [%s] %s (see %s)" % (
                name, len(violations), " ".join(cats), violations[0][0], violations[0][1], walkf)
        return "\n".join(["PASS walk/%s cpus=%d tables=%d direct_bytes=%d leaves_4k/2m/1g=%s image_pages=%d (%s)" % (
            name, facts["cpus"], facts["tables"], facts["direct_bytes"], facts["leaves"],
            facts["image_pages"], timing)] + extra)
    want = sorted(c["expect"].split(","))
    if cats != want:
        return "FAIL walk/%s: planted bug: want violations [%s], the walker found [%s]%s (see %s)" % (
            name, " ".join(want), " ".join(cats),
            ", first: %s" % violations[0][1] if violations else "", walkf)
    return "PASS walk/%s guest said PASS, the walker caught [%s]: %s (%s)" % (
        name, " ".join(cats), violations[0][1], timing)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(REPO / "build"))
    ap.add_argument("--results", required=True)
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--only", default="")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    cases = parse_cases(HERE / "cases.txt")
    if a.list:
        for c in cases:
            print(c["name"])
        return 0
    skipped = []
    if a.only:
        pats = a.only.split(",")
        left = [c for c in cases if not any(fnmatch.fnmatch(c["name"], p) for p in pats)]
        cases = [c for c in cases if c not in left]
        if not cases:
            print("walk: --only %s matches no case" % a.only, file=sys.stderr)
            return 1
        by = ("WALK_ONLY='%s'" if os.environ.get("WALK_ONLY") == a.only else "--only '%s'") % a.only
        skipped = ["SKIP walk/%s: not selected by %s" % (c["name"], by) for c in left]
    build = Path(a.build).resolve()
    out = build / "tests" / "walk"
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    lines = []
    with concurrent.futures.ThreadPoolExecutor(a.j) as ex:
        for text in ex.map(lambda c: run_case(c, build, out), cases):
            print(text, flush=True)
            lines += text.split("\n")
    with open(a.results, "a") as f:
        for line in lines + skipped:   # a case left out is counted, with why
            f.write(line + "\n")
    npass = sum(line.startswith("PASS") for line in lines)
    print("walk: %d passed, %d failed, %d skipped, %.0fs wall"
          % (npass, len(lines) - npass, len(skipped), time.time() - t0))
    return 0 if npass == len(lines) else 1


if __name__ == "__main__":
    sys.exit(main())
