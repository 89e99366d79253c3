#!/usr/bin/env python3
"""test_checktrace.py — does every check of the harness fail when it must?

    tests/boot/test_checktrace.py LOG

LOG must be a passing run's output whose trace has at least two step-5
batches below the start point S and an "above" batch (RAM above S, mapped
last), with 4 KiB leaves: e.g. build/tests/boot/checktrace-mutations.log,
pc 1G 4k with an initrd at the top of RAM.  The script
  - checks that checktrace passes LOG as it is;
  - applies mutations to copies of the trace, each aimed at one check, and
    re-signs them (records= and fnv1a= recomputed) unless the mutation is
    about the signature, so that the aimed check, not the checksum, is what
    must report it; a few edits that keep the trace valid (the above batch
    split in two, in the right order) must pass;
  - checks min_tables(), start_point() and normalise() on hand-computed
    examples, and
    run.check_plausible() on real and broken QEMU memory maps;
  - checks that run.judge() turns broken runs (no result line, two result
    lines, a wrong exit status, a wrong panic) into failures.
Prints one line per failed expectation; exit status 0 when none failed.
run.py calls errors() on the log of its case checktrace-mutations.
"""
import re
import sys
from pathlib import Path

sys.dont_write_bytecode = True     # keep tests/ free of __pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent))
import checktrace as ct  # noqa: E402

PAGE = 0x1000
MiB = 1 << 20


# ------------------------------------------------------------- trace edits

def sign(body):
    """body (records before the end record) + a correct end record."""
    h = ct.fnv1a32(b"".join((l + "\n").encode("latin-1") for l in body))
    return body + ["trace: end records=%d fnv1a=0x%08x" % (len(body), h)]


def text(lines):
    return "\n".join(lines) + "\n"


def find(body, kind, **kv):
    for i, l in enumerate(body):
        r = ct.Record(l)
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


def batch_groups(body):
    """{batch id: (first, end)}: the records of each batch, from its batch
    record up to the next batch or summary record (batch 0's include cr3)."""
    starts = [(i, ct.Record(l).num("id")) for i, l in enumerate(body) if ct.Record(l).kind == "batch"]
    stop = find(body, "summary")
    return {bid: (i, starts[k + 1][0] if k + 1 < len(starts) else stop)
            for k, (i, bid) in enumerate(starts)}


def renumber(lines, bid):
    return [setkv(l, "id", str(bid)) if ct.Record(l).kind in ("batch", "hook", "tables", "link") else l
            for l in lines]


def reorder_batches(body, order):
    """The batches' record groups in the given order of old ids, renumbered
    0, 1, ...  (batch 0 must stay first: its group holds cr3)."""
    g = batch_groups(body)
    first = min(a for a, _ in g.values())
    last = max(e for _, e in g.values())
    out = body[:first]
    for new, old in enumerate(order):
        a, e = g[old]
        out += renumber(body[a:e], new)
    return out + body[last:]


def set_window(line, s, e, ram):
    line = setrng(line, s, e, key="pa")
    line = setkv(line, "va", "[0x%016x-0x%016x]" % (ct.DIRECT_MAP_BASE + s, ct.DIRECT_MAP_BASE + e - 1))
    return setkv(line, "ram", str(ram))


def usable_in(usable, s, e):
    return sum(max(0, min(ue, e) - max(us, s)) for us, ue in usable)


# ------------------------------------------------------------- mutations

def mutations(body):
    """[(name, expected check, maxpage option, lines)]; body is the trace
    without its end record."""
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

    ram_batches = [ct.Record(l).num("id") for l in body
                   if ct.Record(l).kind == "batch" and ct.Record(l).kv.get("src") == "ram"]
    assert len(ram_batches) >= 2, "the trace needs two step-5 batches"
    b1, b2, blast = ram_batches[0], ram_batches[1], ram_batches[-1]
    t1 = body[find(body, "tables", id=b1)]
    tlast = body[find(body, "tables", id=blast)]
    w1 = rng(body[find(body, "batch", id=b1)], "pa")
    w2 = rng(body[find(body, "batch", id=b2)], "pa")
    brk = rng(body[find(body, "step1", what="brk")], "pa")
    usable = [rng(l) for l in body if ct.Record(l).kind == "mem" and l.endswith(" usable")]
    top = max(e for s, e in usable)
    begin = ct.Record(body[find(body, "begin")])
    start = begin.num("start")
    assert begin.kv.get("maxpage") == "4k", "the trace needs maxpage=4k"
    above = [bid for bid in ram_batches if rng(body[find(body, "batch", id=bid)], "pa")[0] >= start]
    assert start < top and above, "the trace needs reserved data at the top of RAM (an above batch)"
    below = [bid for bid in ram_batches if bid not in above]
    assert b1 in below and b2 in below, "the trace needs two step-5 batches below S"
    ab = above[-1]
    wa = rng(body[find(body, "batch", id=ab)], "pa")
    reserved = [rng(l) for l in body if ct.Record(l).kind == "reserve"]

    # signature
    def flip_fnv(b):
        b = sign(b)
        h = getnum(b[-1], "fnv1a") ^ 0x10
        b[-1] = setkv(b[-1], "fnv1a", "0x%08x" % h)
        return b
    m("fnv altered", "fnv", flip_fnv, resign=False)
    m("records= off by one", "end", lambda b: sign(b)[:-1] + [addnum(sign(b)[-1], "records", 1)], resign=False)
    m("truncated (no end)", "end", lambda b: b, resign=False)
    m("record lost", "fnv", lambda b: (lambda s: s[:3] + s[4:])(sign(b)), resign=False)
    m("record after end", "end", lambda b: sign(b) + ["trace: cr3 step=4 root=0x0"], resign=False)
    m("record text altered", "fnv",
      lambda b: (lambda s: [s[0].replace("nx=1", "nx=0")] + s[1:])(sign(b)), resign=False)
    # begin
    m("version 2", "begin", edit("begin", {}, lambda l: setkv(l, "v", "2")))
    m("begin not first", "begin", lambda b: [b[1], b[0]] + b[2:])
    m("unknown maxpage", "begin", edit("begin", {}, lambda l: setkv(l, "maxpage", "8k")))
    m("maxpage not the expected", "begin", lambda b: b, maxpage="1g")
    # mem
    def overlap_mem(b):
        i = [j for j, l in enumerate(b) if ct.Record(l).kind == "mem"][1]
        s, e = rng(b[i])
        b[i] = setrng(b[i], s - PAGE, e)
        return b
    m("mem ranges overlap", "mem", overlap_mem)
    def unaligned_mem(b):
        i = [j for j, l in enumerate(b) if ct.Record(l).kind == "mem" and l.endswith(" usable")][-1]
        s, e = rng(b[i])
        b[i] = setrng(b[i], s, e - 0x800)
        return b
    m("usable not page aligned", "mem", unaligned_mem)
    # step1
    m("image pa is not va - KERNEL_VMA", "step1",
      edit("step1", {"what": "text"}, lambda l: setrng(l, *[x + PAGE for x in rng(l, "pa")], key="pa")))
    m("image outside the kernel reservation", "step1",
      lambda b: [setrng(l, rng(l)[0], rng(l)[0] + PAGE) if l.endswith(" kernel") else l for l in b])
    m("no fixmap", "step1", lambda b: [l for l in b if "what=fixmap" not in l])
    # order
    m("batch id skipped", "order", edit("batch", {"id": b2}, lambda l: setkv(l, "id", str(b2 + 1))))
    m("hook missing", "order", lambda b: [l for l in b if not (l.startswith("trace: hook id=%d " % b1))])
    m("link missing", "order", lambda b: [l for l in b if not l.startswith("trace: link id=%d " % b1)])
    def cr3_late(b):
        i = find(b, "cr3")
        c = b.pop(i)
        j = find(b, "link", id=b1)
        b.insert(j + 1, c)
        return b
    m("cr3 after batch 1", "order", cr3_late)
    m("ram batch claims brk", "order", edit("batch", {"id": b1}, lambda l: setkv(l, "src", "brk")))
    # windows
    m("windows overlap", "window",
      edit("batch", {"id": b2}, lambda l: setrng(l, w2[0], w1[0] + 2 * MiB, key="pa")))
    m("window gap (RAM not covered)", "window",
      edit("batch", {"id": b2}, lambda l: addnum(setrng(l, w2[0], w2[1] - 2 * MiB, key="pa"), "ram", -2 * MiB)))
    m("window ram= wrong", "window", edit("batch", {"id": b1}, lambda l: addnum(l, "ram", PAGE)))
    def swap_windows(b):
        i, j = find(b, "batch", id=b1), find(b, "batch", id=b2)
        r1, r2 = getnum(b[i], "ram"), getnum(b[j], "ram")
        b[i] = setkv(setrng(b[i], w2[0], w2[1], key="pa"), "ram", str(r2))
        b[j] = setkv(setrng(b[j], w1[0], w1[1], key="pa"), "ram", str(r1))
        return b
    m("windows not downward", "window", swap_windows)
    # start point and above batches
    m("start= is ram_top (the old rule)", "start", edit("begin", {}, lambda l: setkv(l, "start", "0x%x" % top)))
    m("start= one page lower", "start", edit("begin", {}, lambda l: setkv(l, "start", "0x%x" % (start - PAGE))))
    m("reserved data at the top dropped (start= is not the start point)", "start",
      lambda b: [l for l in b if not (ct.Record(l).kind == "reserve" and rng(l)[1] > start)])
    m("start= dropped (taken as ram_top)", "window", edit("begin", {}, lambda l: l.replace(" start=0x%x" % start, "")))
    m("above batch before the batches below S", "window",
      lambda b: reorder_batches(b, [0, b1, ab] + [x for x in ram_batches if x not in (b1, ab)]))

    mid = (wa[0] // (2 * MiB) + 1) * 2 * MiB
    assert wa[0] < mid < wa[1] and usable_in(usable, wa[0], mid) and usable_in(usable, mid, wa[1])
    free_up = ct._subtract([(max(s, mid), min(e, wa[1])) for s, e in usable if min(e, wa[1]) > max(s, mid)],
                           reserved)
    assert free_up, "no free page in the upper part of the above batch"
    page_above = free_up[-1][1] - PAGE

    def split_above(lower_first=False, table_above_s=False):
        """Split the last above batch [lo, hi) at a 2 MiB boundary into two
        above batches, upper [mid, hi) then lower [lo, mid): the upper keeps
        the tables, links and leaves.  lower_first: the lower one first (out
        of order).  table_above_s: one of the upper's L1 tables goes to the
        lower batch, on the highest free page of the upper window (mapped,
        free, but above S)."""
        def fn(b):
            g = batch_groups(b)
            a, e = g[ab]
            grp = b[a:e]
            bi = find(grp, "batch", id=ab)
            hi_ = find(grp, "hook", id=ab)
            li = find(grp, "link", id=ab)
            up = set_window(grp[bi], mid, wa[1], usable_in(usable, mid, wa[1]))
            lo = set_window(grp[bi], wa[0], mid, usable_in(usable, wa[0], mid))
            for k in ("leaves_4k", "leaves_2m", "leaves_1g", "tables", "l4", "l3", "l2", "l1", "links"):
                lo = setkv(lo, k, "0")
            up_tables = [l for l in grp if ct.Record(l).kind == "tables"]
            lo_tables = []
            if table_above_s:
                assert getnum(up, "l1") >= 1 and up_tables
                up = addnum(addnum(up, "tables", -1), "l1", -1)
                lo = setkv(setkv(lo, "tables", "1"), "l1", "1")
                ts, te = rng(up_tables[-1])
                if te - ts == PAGE:
                    up_tables = up_tables[:-1]
                else:
                    up_tables[-1] = addnum(setrng(up_tables[-1], ts + PAGE, te), "pages", -1)
                lo_tables = [setkv(setrng(grp[find(grp, "tables", id=ab)], page_above, page_above + PAGE),
                                   "pages", "1")]
            upper = [up, grp[hi_]] + up_tables + [grp[li]]
            lower = [lo, grp[hi_]] + lo_tables + [setkv(grp[li], "entries", "0")]
            first, second = (lower, upper) if lower_first else (upper, lower)
            b = b[:a] + renumber(first, ab) + renumber(second, ab + 1) + b[e:]
            i = find(b, "summary")
            b[i] = addnum(addnum(b[i], "batches", 1), "hook_calls", 1)
            return b
        return fn
    m("above batch split in two, in order (valid)", None, split_above())
    m("above batches out of order (the lower one first)", "window", split_above(lower_first=True))
    m("ram table above S (free, mapped by an earlier above batch)", "topmost", split_above(table_above_s=True))
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
    m("ram table in lowmem", "extent-reserved", one_page_to(b2, 0x50000))
    m("ram table in the kernel image", "extent-reserved", one_page_to(b2, 0x120000))
    m("ram table not yet mapped", "extent-mapped", one_page_to(b1, w1[0] - 8 * MiB))
    m("ram table above RAM", "extent-usable", one_page_to(b2, top + 64 * MiB))
    m("ram table in a RAM hole", "extent-usable", one_page_to(b2, 0x9f000))
    m("ram table used twice", "extent-overlap", one_page_to(b2, rng(t1)[0]))
    m("brk tables outside brk", "extent-brk", edit("tables", {"id": 0}, lambda l: move_extent(l, brk[1])))
    m("cr3 root not in batch 0", "extent-brk", edit("cr3", {}, lambda l: setkv(l, "root", "0x%010x" % w1[0])))
    m("extent pages= wrong", "extent", edit("tables", {"id": b1}, lambda l: addnum(l, "pages", 1)))
    m("tables not the topmost", "topmost",
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
    m("tables not taken downward", "topmost", swap_pages)
    # counts and summary
    m("batch levels do not add up", "count", edit("batch", {"id": b1}, lambda l: addnum(l, "l1", 1)))
    m("batch links != link entries", "count", edit("link", {"id": b1}, lambda l: addnum(l, "entries", 1)))
    m("ram_mapped wrong", "summary", edit("summary", {}, lambda l: addnum(l, "ram_mapped", -PAGE)))
    m("summary tables wrong", "summary", edit("summary", {}, lambda l: addnum(l, "tables", 1)))
    m("brk_used > brk_reserved", "summary", edit("summary", {}, lambda l: addnum(l, "brk_used", 100)))
    m("hook_calls != batches", "summary", edit("summary", {}, lambda l: addnum(l, "hook_calls", -1)))
    m("batches wrong", "summary", edit("summary", {}, lambda l: addnum(l, "batches", 1)))
    m("links wrong", "summary", edit("summary", {}, lambda l: addnum(l, "links", 1)))
    m("leaves wrong", "summary", edit("summary", {}, lambda l: addnum(l, "leaves_4k", 1)))

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
    m("one table more than the minimum", "minimum", one_more_table)
    m("selfcheck violations", "selfcheck", edit("selfcheck", {}, lambda l: setkv(l, "violations", "1")))
    m("selfcheck tables", "selfcheck", edit("selfcheck", {}, lambda l: addnum(l, "tables", -1)))
    m("garbage number", "syntax", edit("batch", {"id": b1}, lambda l: setkv(l, "tables", "many")))
    return out


# ------------------------------------------------------------ unit examples

G, M2, T = 1 << 30, 2 * MiB, 1 << 40
IMG = [(0xffffffff80101000, 0xffffffff8014d000)]   # one image L1 + the fixmap's


def min_examples():
    errs = []
    # (usable, max_level, expected total): image part = L4 + L3 + L2 + 2 L1 = 5
    cases = [
        ([(0, PAGE)], 1, 5 + 3),                          # one page: L3, L2, L1
        ([(0, PAGE)], 3, 5 + 3),
        ([(0, 1 << 40)], 3, 5 + 2),                       # 1 TiB of 1g leaves: 2 L3s
        ([(0, 1 << 40)], 2, 5 + 2 + 1024),                # ... of 2m leaves: + 1024 L2s
        ([(0, G)], 1, 5 + 1 + 1 + 512),
        ([(M2 - PAGE, M2 + PAGE)], 2, 5 + 1 + 1 + 2),     # straddles two 2M regions
        ([(G - M2, G + M2)], 3, 5 + 1 + 2 + 0),           # two 2M leaves in two L2s
        ([(0, MiB), (MiB, M2)], 2, 5 + 1 + 1 + 0),        # touching ranges merge to a 2M leaf
        ([(512 * G - G, 512 * G + G)], 3, 5 + 2),         # crosses a 512G slot
        ([(0, 0x9f000), (0x100000, 0x3ffe0000)], 1, 519 - 0),   # the pc 1G 4k sample
        ([(0, 0x9f000), (0x100000, 0x3ffdf000)], 3, 9),         # the q35 1G 1g sample
    ]
    for usable, level, want in cases:
        got = ct.min_tables(usable, level, IMG)["total"]
        if got != want:
            errs.append("min_tables(%s, %d) = %d, want %d" % (usable, level, got, want))
    # start_point(usable, reserved, max_level)
    low = [(0, MiB), (MiB, MiB + 0x5b000)]                     # lowmem, kernel
    q = [(0, 0x9f000), (0x100000, 0x7fe0000)]                   # pc 128M
    initrd = [(0x7dd7000, 0x7fd7000)]
    starts = [
        (q, low, 1, 0x7fe0000),                                 # nothing at the top: ram_top
        (q, low + initrd, 1, 0x7dd7000),                        # below the initrd
        (q, low + initrd, 2, 0x7e00000),                        # ... rounded up to 2 MiB
        (q, low + initrd, 3, 0x7fe0000),                        # ... to 1 GiB, capped at ram_top
        ([(0, 32 * MiB)], [(0, MiB), (8 * MiB, 14 * MiB), (16 * MiB, 32 * MiB)], 1, 16 * MiB),  # 2 MiB exactly
        ([(0, 32 * MiB)], [(0, MiB), (8 * MiB, 14 * MiB + PAGE), (16 * MiB, 32 * MiB)], 1, 8 * MiB),
        ([(0, 32 * MiB)], [(0, MiB), (20 * MiB, 30 * MiB), (25 * MiB, 32 * MiB)], 2, 20 * MiB),  # overlapping
        ([(0, 32 * MiB)], [(0, MiB), (MiB + PAGE, 32 * MiB - PAGE)], 3, 32 * MiB),  # nothing 2 MiB long
        ([(0, 0x9f000), (MiB, 8 * MiB), (16 * MiB, 17 * MiB)], low, 2, 8 * MiB),   # a short top range
        ([(0, 0x9f000), (MiB, 8 * MiB), (16 * MiB, 17 * MiB)], low, 3, 17 * MiB),  # ... 1g: capped
    ]
    for usable, res, level, want in starts:
        got = ct.start_point(usable, res, level)
        if got != want:
            errs.append("start_point(%s, %s, %d) = 0x%x, want 0x%x" % (usable, res, level, got, want))
    norm = [
        ([(0x1000, 0x1000, 1), (0, 0x3000, 2), (0x3000, 0x1000, 1)], [(0, 0x3000, 2), (0x3000, 0x4000, 1)]),
        ([(0, 0x2800, 1)], [(0, 0x2000, 1), (0x2000, 0x2800, 2)]),
        ([(0x800, 0x2000, 1)], [(0x800, 0x1000, 2), (0x1000, 0x2000, 1), (0x2000, 0x2800, 2)]),
        ([(0x2000, 0x1000, 1), (0, 0x1000, 1), (0x1000, 0x1000, 1)], [(0, 0x3000, 1)]),
        ([(0, 0x3000, 1), (0x1000, 0x1000, 9), (0x1000, 0x1000, 3)], [(0, 0x1000, 1), (0x1000, 0x2000, 2), (0x2000, 0x3000, 1)]),
    ]
    for entries, want in norm:
        got = ct.normalise(entries)
        if got != want:
            errs.append("normalise(%s) = %s, want %s" % (entries, got, want))
    for entries, why in (([((1 << 64) - PAGE, 2 * PAGE, 1)], "wraps"), ([(0, 0, 1)], "all zero length"),
                         ([(0, 0x800, 1)], "no usable RAM")):
        try:
            ct.normalise(entries)
            errs.append("normalise(%s) did not refuse (%s)" % (entries, why))
        except ValueError as e:
            if str(e) != why:
                errs.append("normalise(%s) refused with %s, want %s" % (entries, e, why))
    return errs


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
        return ["the unmutated trace fails: %s" % e]
    lines = ct.trace_lines(log_text)
    body = lines[:-1]
    for name, check, maxpage, mlines in mutations(body):
        got, _ = ct.check_text(text(mlines), maxpage)
        ids = sorted({c for c, _ in got})
        if check is None:
            if got:
                errs.append("mutation '%s' keeps the trace valid, but checktrace fails it: %s" % (name, got))
        elif check not in ids:
            errs.append("mutation '%s': expected a [%s] failure, got %s" % (name, check, ids or "none"))
    errs += min_examples()
    errs += plausible_examples()
    errs += judge_examples(log_text)
    return errs


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2])
        return 2
    t = open(sys.argv[1], "rb").read().decode("latin-1")
    errs = errors(t)
    n = len(mutations(ct.trace_lines(t)[:-1]))
    for e in errs:
        print("test_checktrace: FAIL: %s" % e)
    print("test_checktrace: %d mutations, %d failed expectations" % (n, len(errs)))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
