#!/usr/bin/env python3
"""test_checktrace.py — does the harness fail a trace when it must?

    tests/boot/test_checktrace.py LOG

LOG must be a passing run's output whose trace has at least two step-5
batches below the start point S and an "above" batch (RAM above S, mapped
last), with 4 KiB leaves: e.g. build/tests/boot/checktrace-mutations.log,
pc 1G 4k with an initrd at the top of RAM.  The script
  - checks that checktrace.check_text (tools/tracecmp) passes LOG as it is;
  - applies mutations to copies of the trace (the console lines around it
    kept), each aimed at one rule, and re-signs them (records= and fnv1a=
    recomputed) unless the mutation is about the signature, so that
    tracecmp must find the change itself: as an input error (exit 2), or as
    a record that differs from mm_init's replay (UNEXPECTED); a trace
    without start= (an older format) must still pass;
  - checks run.check_plausible() on real and broken QEMU memory maps, and
    that run.judge() turns broken runs (no result line, two result lines, a
    wrong exit status, a wrong panic) into failures.
Prints one line per failed expectation; exit status 0 when none failed.
run.py calls errors() on the log of its case checktrace-mutations.
"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True     # keep tests/ free of __pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent))
import checktrace as ct  # noqa: E402

PAGE = 0x1000
MiB = 1 << 20


# ------------------------------------------------------------- trace edits

class Record:
    """A record's kind and key=value fields."""
    def __init__(self, line):
        body = line[len("trace: "):]
        self.kind = body.split(" ", 1)[0]
        self.kv = dict(re.findall(r"(\w+)=(\[[^\]]*\]|\S+)", body))

    def num(self, key):
        return int(self.kv[key], 0)


def sign(body):
    """body (records before the end record) + a correct end record, made by
    tracecmp --reseal (the one FNV-1a: kernel/fnv.c)."""
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.log"), os.path.join(d, "out.log")
        with open(src, "w", encoding="latin-1") as f:
            f.write(text(body + ["trace: end records=0 fnv1a=0x0"]))
        subprocess.run([ct.TRACECMP, "--reseal", src, dst], check=True)
        with open(dst, encoding="latin-1") as f:
            return f.read().splitlines()


def text(lines):
    return "\n".join(lines) + "\n"


def find(body, kind, **kv):
    for i, l in enumerate(body):
        r = Record(l)
        if r.kind == kind and all(r.kv.get(k) == str(v) for k, v in kv.items()):
            return i
    raise LookupError("no %s record with %s" % (kind, kv))


def getnum(line, key):
    return int(re.search(r"\b%s=(\S+)" % key, line).group(1), 0)


def setkv(line, key, value):
    new, n = re.subn(r"\b(%s=)(\[[^\]]*\]|\S+)" % re.escape(key), lambda m: m.group(1) + value, line, count=1)
    assert n == 1, (key, line)
    return new


def addnum(line, key, delta):
    return setkv(line, key, str(getnum(line, key) + delta))


def rng(line, key=None):
    if key:
        v = re.search(r"\b%s=\[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]" % key, line)
    else:
        v = re.search(r"(?:^|\s)\[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]", line)
    return int(v.group(1), 16), int(v.group(2), 16) + 1


def setrng(line, s, e, key=None):
    r = "[mem 0x%010x-0x%010x]" % (s, e - 1)
    if key:
        return setkv(line, key, r)
    new, n = re.subn(r"(^|\s)\[mem 0x[0-9a-f]+-0x[0-9a-f]+\]", lambda m: m.group(1) + r, line, count=1)
    assert n == 1
    return new


def move_extent(line, new_start):
    s, e = rng(line)
    return setrng(line, new_start, new_start + (e - s))


# ------------------------------------------------------------- mutations

def mutations(body):
    """[(name, expected failure, maxpage option, lines)]; body is the trace
    without its end record.  The failures (checktrace.check_text): "input"
    (tracecmp refuses the trace: exit 2), "plan" (it differs from mm_init's
    replay: UNEXPECTED), "maxpage" (not the case's), None (valid)."""
    out = []

    def m(name, check, fn, resign=True, maxpage=None):
        b = list(body)
        b = fn(b)
        out.append((name, check, maxpage, sign(b) if resign else b))

    def edit(kind, key_match, f):
        def fn(b):
            i = find(b, kind, **key_match)
            b[i] = f(b[i])
            return b
        return fn

    ram_batches = [Record(l).num("id") for l in body
                   if Record(l).kind == "batch" and Record(l).kv.get("src") == "ram"]
    assert len(ram_batches) >= 2, "the trace needs two step-5 batches"
    b1, b2, blast = ram_batches[0], ram_batches[1], ram_batches[-1]
    t1 = body[find(body, "tables", id=b1)]
    tlast = body[find(body, "tables", id=blast)]
    w1 = rng(body[find(body, "batch", id=b1)], "pa")
    w2 = rng(body[find(body, "batch", id=b2)], "pa")
    brk = rng(body[find(body, "step1", what="brk")], "pa")
    usable = [rng(l) for l in body if Record(l).kind == "mem" and l.endswith(" usable")]
    top = max(e for s, e in usable)
    begin = Record(body[find(body, "begin")])
    start = begin.num("start")
    assert begin.kv.get("maxpage") == "4k", "the trace needs maxpage=4k"
    above = [bid for bid in ram_batches if rng(body[find(body, "batch", id=bid)], "pa")[0] >= start]
    assert start < top and above, "the trace needs reserved data at the top of RAM (an above batch)"
    below = [bid for bid in ram_batches if bid not in above]
    assert b1 in below and b2 in below, "the trace needs two step-5 batches below S"
    ab = above[-1]
    wa = rng(body[find(body, "batch", id=ab)], "pa")

    # signature
    def flip_fnv(b):
        b = sign(b)
        h = getnum(b[-1], "fnv1a") ^ 0x10
        b[-1] = setkv(b[-1], "fnv1a", "0x%08x" % h)
        return b
    m("fnv altered", "input", flip_fnv, resign=False)
    m("records= off by one", "input", lambda b: sign(b)[:-1] + [addnum(sign(b)[-1], "records", 1)], resign=False)
    m("truncated (no end)", "input", lambda b: b, resign=False)
    m("record lost", "input", lambda b: (lambda s: s[:3] + s[4:])(sign(b)), resign=False)
    m("record after end", "input", lambda b: sign(b) + ["trace: cr3 step=4 root=0x0"], resign=False)
    m("record text altered", "input",
      lambda b: (lambda s: [s[0].replace("nx=1", "nx=0")] + s[1:])(sign(b)), resign=False)
    # begin
    m("version 2", "input", edit("begin", {}, lambda l: setkv(l, "v", "2")))
    m("begin not first", "input", lambda b: [b[1], b[0]] + b[2:])
    m("unknown maxpage", "input", edit("begin", {}, lambda l: setkv(l, "maxpage", "8k")))
    m("maxpage not the expected", "maxpage", lambda b: b, maxpage="1g")
    # mem
    def overlap_mem(b):
        i = [j for j, l in enumerate(b) if Record(l).kind == "mem"][1]
        s, e = rng(b[i])
        b[i] = setrng(b[i], s - PAGE, e)
        return b
    m("mem ranges overlap", "plan", overlap_mem)
    def unaligned_mem(b):
        i = [j for j, l in enumerate(b) if Record(l).kind == "mem" and l.endswith(" usable")][-1]
        s, e = rng(b[i])
        b[i] = setrng(b[i], s, e - 0x800)
        return b
    m("usable not page aligned", "plan", unaligned_mem)
    # step1
    m("image pa is not va - KERNEL_VMA", "plan",
      edit("step1", {"what": "text"}, lambda l: setrng(l, *[x + PAGE for x in rng(l, "pa")], key="pa")))
    m("image outside the kernel reservation", "plan",
      lambda b: [setrng(l, rng(l)[0], rng(l)[0] + PAGE) if l.endswith(" kernel") else l for l in b])
    m("no fixmap", "plan", lambda b: [l for l in b if "what=fixmap" not in l])
    m("brk section not brk_pages long", "plan",
      edit("step1", {"what": "brk"}, lambda l: setrng(l, rng(l, "pa")[0], rng(l, "pa")[1] - PAGE, key="pa")))
    # order
    m("batch id skipped", "input", edit("batch", {"id": b2}, lambda l: setkv(l, "id", str(b2 + 1))))
    m("hook missing", "plan", lambda b: [l for l in b if not (l.startswith("trace: hook id=%d " % b1))])
    m("link missing", "plan", lambda b: [l for l in b if not l.startswith("trace: link id=%d " % b1)])
    def cr3_late(b):
        i = find(b, "cr3")
        c = b.pop(i)
        j = find(b, "link", id=b1)
        b.insert(j + 1, c)
        return b
    m("cr3 after batch 1", "plan", cr3_late)
    m("ram batch claims brk", "plan", edit("batch", {"id": b1}, lambda l: setkv(l, "src", "brk")))
    # windows
    m("windows overlap", "plan",
      edit("batch", {"id": b2}, lambda l: setrng(l, w2[0], w1[0] + 2 * MiB, key="pa")))
    m("window gap (RAM not covered)", "plan",
      edit("batch", {"id": b2}, lambda l: addnum(setrng(l, w2[0], w2[1] - 2 * MiB, key="pa"), "ram", -2 * MiB)))
    m("window ram= wrong", "plan", edit("batch", {"id": b1}, lambda l: addnum(l, "ram", PAGE)))
    def swap_windows(b):
        i, j = find(b, "batch", id=b1), find(b, "batch", id=b2)
        r1, r2 = getnum(b[i], "ram"), getnum(b[j], "ram")
        b[i] = setkv(setrng(b[i], w2[0], w2[1], key="pa"), "ram", str(r2))
        b[j] = setkv(setrng(b[j], w1[0], w1[1], key="pa"), "ram", str(r1))
        return b
    m("windows not downward", "plan", swap_windows)
    # start point and above batches
    m("start= is ram_top (the old rule)", "plan", edit("begin", {}, lambda l: setkv(l, "start", "0x%x" % top)))
    m("start= one page lower", "plan", edit("begin", {}, lambda l: setkv(l, "start", "0x%x" % (start - PAGE))))
    m("reserved data at the top dropped (start= is not the start point)", "plan",
      lambda b: [l for l in b if not (Record(l).kind == "reserve" and rng(l)[1] > start)])
    m("start= dropped (an older trace: not compared, the windows still are)", None, edit("begin", {}, lambda l: l.replace(" start=0x%x" % start, "")))
    m("above batch reaches below S", "plan",
      edit("batch", {"id": ab}, lambda l: setrng(l, start - 2 * MiB, wa[1], key="pa")))

    # extents
    def one_page_to(bid, target):
        """Take the lowest page off batch bid's first extent and put it at
        target as an extent of its own: counts stay consistent."""
        def fn(b):
            i = find(b, "tables", id=bid)
            s, e = rng(b[i])
            b[i] = addnum(setrng(b[i], s + PAGE, e), "pages", -1)
            b.insert(i + 1, setrng(addnum(b[i], "pages", 1 - getnum(b[i], "pages")), target, target + PAGE))
            return b
        return fn
    m("ram table in lowmem", "plan", one_page_to(b2, 0x50000))
    m("ram table in the kernel image", "plan", one_page_to(b2, 0x120000))
    m("ram table not yet mapped", "plan", one_page_to(b1, w1[0] - 8 * MiB))
    m("ram table above RAM", "plan", one_page_to(b2, top + 64 * MiB))
    m("ram table in a RAM hole", "plan", one_page_to(b2, 0x9f000))
    m("ram table used twice", "plan", one_page_to(b2, rng(t1)[0]))
    m("brk tables outside brk", "plan", edit("tables", {"id": 0}, lambda l: move_extent(l, brk[1])))
    m("cr3 root not in batch 0", "plan", edit("cr3", {}, lambda l: setkv(l, "root", "0x%010x" % w1[0])))
    m("extent pages= wrong", "plan", edit("tables", {"id": b1}, lambda l: addnum(l, "pages", 1)))
    m("tables not the topmost", "plan",
      edit("tables", {"id": blast}, lambda l: move_extent(l, rng(tlast)[0] - PAGE)))

    def swap_pages(b):
        """Batch b1's lowest table page and batch b2's highest change places:
        the same pages, each still mapped, but not taken downward."""
        i, j = find(b, "tables", id=b1), find(b, "tables", id=b2)
        (s1, e1), (s2, e2) = rng(b[i]), rng(b[j])
        assert e1 - s1 > PAGE and e2 - s2 > PAGE
        ti = addnum(setrng(b[i], s1 + PAGE, e1), "pages", -1)
        tj = addnum(setrng(b[j], s2, e2 - PAGE), "pages", -1)
        b[i:i + 1] = [ti, setkv(setrng(ti, e2 - PAGE, e2), "pages", "1")]
        j = find(b, "tables", id=b2)
        b[j:j + 1] = [tj, setkv(setrng(tj, s1, s1 + PAGE), "pages", "1")]
        return b
    m("tables not taken downward", "plan", swap_pages)
    # counts and summary
    m("batch levels do not add up", "plan", edit("batch", {"id": b1}, lambda l: addnum(l, "l1", 1)))
    m("batch links != link entries", "plan", edit("link", {"id": b1}, lambda l: addnum(l, "entries", 1)))
    m("ram_mapped wrong", "plan", edit("summary", {}, lambda l: addnum(l, "ram_mapped", -PAGE)))
    m("summary tables wrong", "plan", edit("summary", {}, lambda l: addnum(l, "tables", 1)))
    m("brk_used > brk_reserved", "plan", edit("summary", {}, lambda l: addnum(l, "brk_used", 100)))
    m("hook_calls != batches", "plan", edit("summary", {}, lambda l: addnum(l, "hook_calls", -1)))
    m("batches wrong", "plan", edit("summary", {}, lambda l: addnum(l, "batches", 1)))
    m("links wrong", "plan", edit("summary", {}, lambda l: addnum(l, "links", 1)))
    m("leaves wrong", "plan", edit("summary", {}, lambda l: addnum(l, "leaves_4k", 1)))

    def one_more_table(b):
        """A consistent trace that uses one table page more than needed."""
        i = find(b, "batch", id=blast)
        b[i] = addnum(addnum(b[i], "tables", 1), "l1", 1)
        i = find(b, "tables", id=blast)
        s, e = rng(b[i])
        b[i] = addnum(setrng(b[i], s - PAGE, e), "pages", 1)
        i = find(b, "summary")
        b[i] = addnum(addnum(b[i], "tables", 1), "l1", 1)
        i = find(b, "selfcheck")
        b[i] = addnum(b[i], "tables", 1)
        return b
    m("one table more than the minimum", "plan", one_more_table)
    m("selfcheck violations", "plan", edit("selfcheck", {}, lambda l: setkv(l, "violations", "1")))
    m("selfcheck tables", "plan", edit("selfcheck", {}, lambda l: addnum(l, "tables", -1)))
    m("garbage number", "input", edit("batch", {"id": b1}, lambda l: setkv(l, "tables", "many")))
    return out


# ------------------------------------------------------------ run.py examples

def judge_examples(good_text):
    """run.judge() on broken copies of a passing run."""
    import run
    errs = []
    case = run.Case("x", mem="1G", cmdline="pt.maxpage=4k", maxpage="4k")
    res = "topdown: result: PASS"
    if run.judge(case, 33, good_text, False, ""):
        errs.append("judge fails the good log: %s" % run.judge(case, 33, good_text, False, ""))
    body = good_text.replace(res + "\r\n", "").replace(res + "\n", "")
    panic = "PANIC: f: boom\ntopdown: result: PANIC: f: boom\n"
    bad = [
        ("no result line", 33, body, False),
        ("two result lines", 33, good_text + res + "\n", False),
        ("output after the result", 33, good_text + "more\n", False),
        ("exit status 1 with PASS line", 1, good_text, False),
        ("exit status 35 with PASS line", 35, good_text, False),
        ("timeout", -9, good_text, True),
        ("panic instead of pass", 37, body + panic, False),
        ("result glued to other text", 33, body + "xx" + res + "\n", False),
        ("selfcheck violations", 33, good_text.replace("violations=0\r", "violations=1\r")
         .replace("violations=0\n", "violations=1\n"), False),
        ("wrong command line", 33, good_text.replace('cmdline="pt.maxpage=4k"', 'cmdline=""'), False),
    ]
    for name, rc, t, to in bad:
        if not run.judge(case, rc, t, to, ""):
            errs.append("judge passes a run with %s" % name)
    pcase = run.Case("y", expect="PANIC", reason=r"f: boom")
    if run.judge(pcase, 37, "x\n" + panic, False, ""):
        errs.append("judge fails a good panic: %s" % run.judge(pcase, 37, "x\n" + panic, False, ""))
    for name, rc, t in (("panic with the wrong reason", 37, "PANIC: f: bang\ntopdown: result: PANIC: f: bang\n"),
                        ("panic without its PANIC line", 37, "x\ntopdown: result: PANIC: f: boom\n"),
                        ("panic with exit status 33", 33, panic),
                        ("reset (exit 0, no result)", 0, "PANIC: f: boom\n")):
        if not run.judge(pcase, rc, t, False, ""):
            errs.append("judge passes a %s" % name)
    return errs


def plausible_examples():
    """run.check_plausible() on real and broken QEMU memory maps."""
    import run
    errs = []
    G4 = 4 << 30
    pc_low = [(0, 0x9fc00), (0x100000, 0xbffe0000)]
    cases = [
        ("pc", "1G", [(0, 0x9fc00), (0x100000, 0x3ffe0000)], True),
        ("pc", "1G", [(0, 0x9fc00), (0x100000, 0x3fde0000)], False),     # 2 MiB short
        ("pc", "1G", [(0, 0x9fc00), (0x100000, 0x40100000)], False),     # more than -m
        ("pc", "4G", pc_low + [(G4, G4 + (1 << 30))], True),
        ("pc", "4G", [(0, 0x9fc00), (0x100000, 0xfffe0000)], False),     # no split
        ("pc", "4G", pc_low + [(G4 + MiB, G4 + (1 << 30) + MiB)], False),  # high part moved
        ("pc", "3583M", [(0, 0x9fc00), (0x100000, 0xdfee0000)], True),
        ("q35", "4G", [(0, 0x9fc00), (0x100000, 0x7ffdf000), (G4, G4 + (2 << 30))], True),
        ("q35", "4G", pc_low + [(G4, G4 + (1 << 30))], False),           # pc's split on q35
        ("q35", "2816M", [(0, 0x9fc00), (0x100000, 0xaffdf000)], False),  # q35 must split here
    ]
    for machine, mem, usable, ok in cases:
        e = run.check_plausible(machine, mem, usable)
        if bool(e) == ok:
            errs.append("check_plausible(%s, %s, %s) %s" % (machine, mem, usable,
                        "fails: %s" % e if ok else "passes"))
    return errs


def errors(log_text):
    errs = []
    e, _ = ct.check_text(log_text)
    if e:
        return ["the unmutated log fails: %s" % e]
    lines = [l[:-1] if l.endswith("\r") else l for l in log_text.split("\n")]
    idx = [i for i, l in enumerate(lines) if l.startswith("trace: ")]
    head, tail = lines[:idx[0]], lines[idx[-1] + 1:]     # the console lines around the trace
    body = [lines[i] for i in idx[:-1]]
    muts = mutations(body)
    muts.insert(0, ("the trace as it is, re-signed", None, None, sign(body)))
    for name, want, maxpage, mlines in muts:
        got, _ = ct.check_text(text(head + mlines + tail), maxpage)
        kinds = sorted({c for c, _ in got})
        if want is None:
            if got:
                errs.append("mutation '%s' keeps the trace valid, but it fails: %s" % (name, got[:2]))
        elif want not in kinds:
            errs.append("mutation '%s': expected a [%s] failure, got %s" % (name, want, got[:2] or "none"))
    errs += plausible_examples()
    errs += judge_examples(log_text)
    return errs


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2])
        return 2
    t = open(sys.argv[1], "rb").read().decode("latin-1")
    errs = errors(t)
    for e in errs:
        print("test_checktrace: FAIL: %s" % e)
    print("test_checktrace: %d failed expectations" % len(errs))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
