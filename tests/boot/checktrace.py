#!/usr/bin/env python3
"""checktrace.py — host checker of topdown's setup trace (mm/trace.c, mm/init.c).

    tests/boot/checktrace.py LOG [--maxpage 4k|2m|1g] [-v]

LOG is a run's serial output.  The trace is every line that starts with
"trace: ".  The serial driver turns "\\n" into "\\r\\n"; the checker undoes
that, so a record's bytes are exactly what trace() checksummed: from
"trace: " through "\\n".  Exit status 0 when every check holds, 1 when one
fails (each failure printed as "checktrace: FAIL [check]: detail"), 2 on
usage errors.

What is checked (the [ids] are what the failures are tagged with):
  [begin]    one begin record, first, v=1, a known maxpage (and the expected
             one with --maxpage)
  [start]    the begin record's start= (where step 2 starts, S) equal to the
             start point computed here (start_point()): the end of the
             highest free range (usable minus every reservation) of at least
             2 MiB, rounded up to the largest leaf, capped at ram_top (the
             end of usable RAM); ram_top when no free range is that long.
             A trace without start= is taken as S = ram_top.
  [end]      one end record, the last trace line, records= equal to the
             number of records before it
  [fnv]      fnv1a= equal to FNV-1a 32 over the bytes of those records
  [syntax]   every known record kind has its fields
  [mem]      mem lines sorted, disjoint, usable ranges page aligned, some
             usable RAM
  [step1]    the image ranges: page aligned, pa = va - KERNEL_VMA, inside the
             kernel reservation; a brk range and the fixmap present
  [order]    batch ids 0..n-1; each batch followed by its hook and its table
             extents, step-5 batches by their link; cr3 right after batch 0
  [window]   batch 0's window ends at S; then the "below" batches, each
             window directly below the previous one, while usable RAM is
             left below; then, when S < ram_top, the "above" batches: the
             first window ends at ram_top, each next one directly below the
             previous above batch, none below S.  Each window holds usable
             RAM, ram= equals the usable bytes in it, and together they
             cover all usable RAM exactly once
  [extent]   table extents page aligned, pages= consistent, of their
             batch's source; [extent-overlap] disjoint; [extent-usable] in
             usable RAM; [extent-reserved] clear of every reservation (brk
             extents: but the kernel's, since brk is part of the image);
             [extent-brk] brk extents (and the cr3 root) inside the brk
             range; [extent-mapped] ram extents inside RAM mapped by earlier
             batches (brk extents are exempt)
  [topmost]  the RAM table pages are the highest free pages (usable minus
             reservations) below S, taken downward batch after batch (the
             above batches' too): low memory is kept
  [count]    per batch: tables = l4+l3+l2+l1 = extent pages - split tables
  [summary]  ram_mapped = usable RAM = sum of batch ram; tables, links,
             leaves, levels = the sums over batches; brk_used = brk extent
             pages <= brk_reserved = begin's brk_pages; batches = hook_calls
             = number of batch and hook records
  [minimum]  tables (less the hook's split tables) = the minimum computed
             here from the usable ranges and maxpage, per level too
  [selfcheck] the selfcheck record, when present: violations=0, its tables
             and direct_bytes equal the summary's

min_tables() and normalise() are also used by tests/boot/run.py and
tests/bench/bench.py; test_checktrace.py checks start_point() too.
"""
import argparse
import re
import sys

KERNEL_VMA = 0xffffffff80000000
DIRECT_MAP_BASE = 0xffff888000000000
FIXMAP_BASE = 0xffffffffbfe00000
PAGE = 1 << 12
SIZE_2M = 1 << 21
SIZE_1G = 1 << 30
SIZE_512G = 1 << 39
MAXPAGE_LEVEL = {"4k": 1, "2m": 2, "1g": 3}

FNV_BASIS = 0x811c9dc5
FNV_PRIME = 0x01000193

# Memory types (mm/memmap.c)
MEM_USABLE, MEM_RESERVED, MEM_PMEM = 1, 2, 7
MEM_TYPE_NAMES = {1: "usable", 2: "reserved", 3: "ACPI data", 4: "ACPI NVS",
                  5: "unusable", 6: "disabled", 7: "persistent"}
MEM_TYPE_BY_NAME = {v: k for k, v in MEM_TYPE_NAMES.items()}

RANGE = r"\[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]"
KV = re.compile(r"(\w+)=(\[mem 0x[0-9a-f]+-0x[0-9a-f]+\]|\[0x[0-9a-f]+-0x[0-9a-f]+\]|\S+)")


def fnv1a32(data, h=FNV_BASIS):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xffffffff
    return h


# ------------------------------------------------------------ computations

def merge(ranges):
    """Sort [start, end) ranges and merge overlapping or touching ones."""
    out = []
    for s, e in sorted(r for r in ranges if r[1] > r[0]):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [tuple(r) for r in out]


def _touched(ranges, size):
    """Number of distinct size-aligned regions that merged ranges touch."""
    n, last = 0, -1
    for s, e in ranges:
        first, end = s // size, (e - 1) // size
        first = max(first, last + 1)
        if end >= first:
            n += end - first + 1
            last = end
    return n


def _full(ranges, size):
    """Number of size-aligned regions lying wholly inside merged ranges."""
    n = 0
    for s, e in ranges:
        first, end = -(-s // size), e // size
        n += max(0, end - first)
    return n


def min_tables(usable, max_level, image_ranges):
    """The fewest table pages that can map `usable` ([start, end) physical
    ranges) in the direct map with leaves up to max_level (1 = 4 KiB,
    2 = 2 MiB, 3 = 1 GiB), plus the image (4 KiB pages; `image_ranges` are
    its step-1 VA ranges [start, end)) and the fixmap's L1.

    Direct map, VA = DIRECT_MAP_BASE + PA (DIRECT_MAP_BASE is 512 GiB
    aligned, so PA regions are VA regions): one L3 per 512 GiB slot
    touched; one L2 per 1 GiB region holding usable RAM unless a 1 GiB leaf
    covers it (1g allowed and the region all usable); one L1 per 2 MiB
    region holding usable RAM unless a leaf covers it (2m or 1g allowed and
    the region all usable; a region under a 1 GiB leaf is all usable).
    Image: the L4, one L3 and one L2 for the -2 GiB slot (not shared with
    the direct map's L3s), the L1s of the 2 MiB regions its ranges touch,
    and the fixmap's L1 (the fixmap shares the image's L2)."""
    ram = merge(usable)
    l3 = _touched(ram, SIZE_512G)
    l2 = _touched(ram, SIZE_1G) - (_full(ram, SIZE_1G) if max_level >= 3 else 0)
    l1 = _touched(ram, SIZE_2M) - (_full(ram, SIZE_2M) if max_level >= 2 else 0)
    assert all(DIRECT_MAP_BASE + e - 1 < KERNEL_VMA for s, e in ram)
    img = set()
    for s, e in image_ranges:
        img.update(range(s // SIZE_2M, (e - 1) // SIZE_2M + 1))
    img.add(FIXMAP_BASE // SIZE_2M)
    levels = {4: 1, 3: 1 + l3, 2: 1 + l2, 1: len(img) + l1}
    levels["total"] = sum(levels[l] for l in (1, 2, 3, 4))
    levels["direct"] = l3 + l2 + l1
    return levels


START_MIN_FREE = SIZE_2M       # mm/init.c: the shortest free range step 2 starts at
LEAF_SIZE = {1: PAGE, 2: SIZE_2M, 3: SIZE_1G}


def start_point(usable, reserved, max_level):
    """Where step 2 starts (S, mm/init.c start_point()): free RAM is usable
    RAM ([start, end) ranges) minus every reserved range (they may overlap),
    as maximal ranges.  S is the end of the highest free range at least
    START_MIN_FREE long, rounded up to the largest leaf (max_level: 1 =
    4 KiB, 2 = 2 MiB, 3 = 1 GiB) and capped at ram_top, the end of usable
    RAM; ram_top when no free range is that long."""
    ram = merge(usable)
    ram_top = ram[-1][1]
    align = LEAF_SIZE[max_level]
    for s, e in reversed(_subtract(ram, reserved)):
        if e - s >= START_MIN_FREE:
            return min(-(-e // align) * align, ram_top)
    return ram_top


def _rank(t):
    """usable < E820 types 2..7 by number < no E820 type (0 or > 7)."""
    if t == MEM_USABLE:
        return 0
    return t if 2 <= t <= MEM_PMEM else 1 << 32


def _stricter(a, b):
    return a if _rank(a) >= _rank(b) else b


def normalise(entries, phys_limit=1 << 52):
    """An independent model of memmap_normalise(): entries are (start,
    size, type).  Returns [(start, end, type)] or raises ValueError with
    the reason the kernel must panic for."""
    pts, live = [], []
    for i, (s, size, t) in enumerate(entries):
        if size == 0:
            continue
        if s + size > 1 << 64:
            raise ValueError("wraps")
        if s + size > phys_limit:
            raise ValueError("above phys_limit")
        pts += [s, s + size]
        live.append((s, s + size, t))
    if not entries:
        raise ValueError("empty")
    if not pts:
        raise ValueError("all zero length")
    pts = sorted(set(pts))
    out = []

    def push(lst, a, b, t):
        if b <= a:
            return
        if lst and lst[-1][2] == t and lst[-1][1] == a:
            lst[-1] = (lst[-1][0], b, t)
        else:
            lst.append((a, b, t))

    for a, b in zip(pts, pts[1:]):
        t = None
        for s, e, et in live:
            if s <= a and b <= e:
                t = _stricter(t, et) if t is not None else et
        if t is None:
            continue
        if _rank(t) > MEM_PMEM:
            t = MEM_RESERVED
        push(out, a, b, t)
    aligned = []
    for s, e, t in out:
        if t == MEM_USABLE:
            as_, ae = -(-s // PAGE) * PAGE, e // PAGE * PAGE
            if as_ >= ae:
                push(aligned, s, e, MEM_RESERVED)
                continue
            push(aligned, s, as_, MEM_RESERVED)
            push(aligned, as_, ae, MEM_USABLE)
            push(aligned, ae, e, MEM_RESERVED)
        else:
            push(aligned, s, e, t)
    if not any(t == MEM_USABLE for _, _, t in aligned):
        raise ValueError("no usable RAM")
    return aligned


# ------------------------------------------------------------------ parsing

def trace_lines(text):
    """The trace records of a run's output: (line without newline)."""
    out = []
    for line in text.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        if line.startswith("trace: "):
            out.append(line)
    return out


class Record:
    def __init__(self, line):
        self.line = line
        body = line[len("trace: "):]
        self.kind = body.split(" ", 1)[0]
        self.kv = {k: v for k, v in KV.findall(body)}
        # the bare range of mem/reserve/tables lines ("[mem a-b] type")
        m = re.search(r"(?:^|\s)" + RANGE + r"(?:\s+(.*?))?(?:\s+\w+=\S+)*$", body)
        self.range = None
        self.tail = None
        if m and self.kind in ("mem", "reserve", "tables"):
            self.range = (int(m.group(1), 16), int(m.group(2), 16) + 1)
            self.tail = m.group(3)

    def num(self, key):
        v = self.kv[key]
        return int(v, 0)

    def rng(self, key):
        m = re.fullmatch(r"\[(?:mem )?0x([0-9a-f]+)-0x([0-9a-f]+)\]", self.kv[key])
        if not m:
            raise KeyError(key)
        return int(m.group(1), 16), int(m.group(2), 16) + 1


class Checker:
    def __init__(self, text, maxpage=None):
        self.text = text
        self.expect_maxpage = maxpage
        self.errors = []
        self.info = {}

    def fail(self, check, msg):
        self.errors.append((check, msg))

    def run(self):
        lines = trace_lines(self.text)
        if not lines:
            self.fail("begin", "no trace records at all")
            return self.errors
        try:
            self._run(lines)
        except (KeyError, ValueError, IndexError, TypeError) as e:
            self.fail("syntax", "unparseable record field: %r" % (e,))
        return self.errors

    # ----------------------------------------------------------------
    def _run(self, lines):
        recs = [Record(l) for l in lines]
        ends = [i for i, r in enumerate(recs) if r.kind == "end"]
        if len(ends) != 1:
            self.fail("end", "%d end records (want exactly 1)" % len(ends))
            body = recs if not ends else recs[:ends[0]]
        else:
            body = recs[:ends[0]]
            if ends[0] != len(recs) - 1:
                self.fail("end", "%d trace lines after the end record" % (len(recs) - 1 - ends[0]))
            end = recs[ends[0]]
            if end.num("records") != len(body):
                self.fail("end", "records=%d but %d records precede the end record"
                          % (end.num("records"), len(body)))
            want = fnv1a32(b"".join((r.line + "\n").encode("latin-1") for r in body))
            if end.num("fnv1a") != want:
                self.fail("fnv", "fnv1a=%s but the records hash to 0x%08x" % (end.kv["fnv1a"], want))

        begins = [r for r in body if r.kind == "begin"]
        if len(begins) != 1 or body[0].kind != "begin":
            self.fail("begin", "want exactly one begin record, first (found %d)" % len(begins))
            if not begins:
                return
        begin = begins[0]
        if begin.kv.get("v") != "1":
            self.fail("begin", "trace version v=%s, this checker knows v=1" % begin.kv.get("v"))
        maxpage = begin.kv.get("maxpage")
        if maxpage not in MAXPAGE_LEVEL:
            self.fail("begin", "maxpage=%s is not 4k, 2m or 1g" % maxpage)
            return
        if self.expect_maxpage and maxpage != self.expect_maxpage:
            self.fail("begin", "maxpage=%s, expected %s" % (maxpage, self.expect_maxpage))
        level = MAXPAGE_LEVEL[maxpage]
        brk_pages = begin.num("brk_pages")

        by = {}
        for r in body:
            by.setdefault(r.kind, []).append(r)

        # ---- mem
        mem = by.get("mem", [])
        usable, prev_end = [], None
        for r in mem:
            if r.range is None or r.tail is None:
                self.fail("syntax", "mem record without a range and type: %s" % r.line)
                continue
            s, e = r.range
            if prev_end is not None and s < prev_end:
                self.fail("mem", "mem ranges overlap or are unsorted at %s" % r.line)
            prev_end = e
            if r.tail == "usable":
                if s % PAGE or e % PAGE:
                    self.fail("mem", "usable range not page aligned: %s" % r.line)
                usable.append((s, e))
            elif r.tail not in MEM_TYPE_BY_NAME and r.tail != "unknown":
                self.fail("syntax", "unknown memory type %r" % r.tail)
        usable = merge(usable)
        total = sum(e - s for s, e in usable)
        if not total:
            self.fail("mem", "no usable RAM in the mem records")
        self.info["usable"] = usable
        self.info["ram"] = total

        reserves = []
        for r in by.get("reserve", []):
            if r.range is None:
                self.fail("syntax", "reserve record without a range: %s" % r.line)
                continue
            reserves.append((r.range[0], r.range[1], r.tail or ""))
        kernel_res = [x for x in reserves if x[2] == "kernel"]

        # ---- start point S
        ram_top = usable[-1][1] if usable else 0
        start = ram_top
        if usable:
            want_start = start_point(usable, [(s, e) for s, e, _ in reserves], level)
            if "start" in begin.kv:
                start = begin.num("start")
                if start != want_start:
                    self.fail("start", "start=0x%x but the start point computed from the mem and reserve "
                              "records is 0x%x (ram_top 0x%x)" % (start, want_start, ram_top))
        self.info["start"] = start

        # ---- step1
        image, brk_range = [], None
        fixmap = False
        for r in by.get("step1", []):
            what = r.kv.get("what")
            if what == "fixmap":
                fixmap = True
                va = r.rng("va")
                if va[0] != FIXMAP_BASE:
                    self.fail("step1", "fixmap at 0x%x, not 0x%x" % (va[0], FIXMAP_BASE))
                continue
            va, pa = r.rng("va"), r.rng("pa")
            image.append(va)
            if va[0] % PAGE or va[1] % PAGE or pa[0] % PAGE or pa[1] % PAGE:
                self.fail("step1", "%s range not page aligned" % what)
            if (va[0] - KERNEL_VMA, va[1] - KERNEL_VMA) != pa:
                self.fail("step1", "%s: pa [0x%x-0x%x) is not va - KERNEL_VMA" % (what, pa[0], pa[1]))
            if not any(ks <= pa[0] and pa[1] <= ke for ks, ke, _ in kernel_res):
                self.fail("step1", "%s [mem 0x%x-0x%x) lies outside the kernel reservation"
                          % (what, pa[0], pa[1] - 1))
            if what == "brk":
                brk_range = pa
        if not fixmap:
            self.fail("step1", "no fixmap step1 record")
        if brk_range is None:
            self.fail("step1", "no brk step1 record")
        elif (brk_range[1] - brk_range[0]) // PAGE != brk_pages:
            self.fail("step1", "brk range holds %d pages, begin says brk_pages=%d"
                      % ((brk_range[1] - brk_range[0]) // PAGE, brk_pages))

        # ---- order: batch, hook, tables..., [link]; cr3 after batch 0
        batches, hooks, links, extents = [], {}, {}, {}
        expect = None
        cr3_seen = False
        for r in body:
            k = r.kind
            if k == "batch":
                bid = r.num("id")
                if bid != len(batches):
                    self.fail("order", "batch id=%d, expected %d" % (bid, len(batches)))
                if expect is not None:
                    self.fail("order", "batch %d starts, but batch %d has no %s record"
                              % (bid, expect[0], "hook" if expect[1] == "hook" else
                                 "cr3" if expect[0] == 0 else "link"))
                if bid == 1 and not cr3_seen:
                    self.fail("order", "batch 1 before the cr3 record")
                batches.append(r)
                expect = (bid, "hook")
            elif k == "hook":
                bid = r.num("id")
                if expect != (bid, "hook"):
                    self.fail("order", "hook id=%d out of place" % bid)
                hooks[bid] = r
                expect = (bid, "more")      # zero or more extents
            elif k == "tables":
                bid = r.num("id")
                if expect != (bid, "more"):
                    self.fail("order", "tables id=%d out of place" % bid)
                extents.setdefault(bid, []).append(r)
                expect = (bid, "more")
            elif k in ("cr3", "link", "summary", "selfcheck"):
                if expect is not None and expect[1] != "more":
                    self.fail("order", "%s record while batch %d has no hook record" % (k, expect[0]))
                if expect is not None and expect[1] == "more" and expect[0] > 0 and k != "link":
                    self.fail("order", "batch %d has no link record" % expect[0])
                if k == "cr3":
                    if expect is None or expect[0] != 0 or cr3_seen:
                        self.fail("order", "cr3 record not right after batch 0")
                    cr3_seen = True
                    root = r.num("root")
                if k == "link":
                    bid = r.num("id")
                    if expect is None or expect[0] != bid or bid == 0:
                        self.fail("order", "link id=%d out of place" % bid)
                    links[bid] = r
                expect = None
        if not batches:
            self.fail("order", "no batch record")
            return
        if not cr3_seen:
            self.fail("order", "no cr3 record")

        # ---- windows: batch 0 ends at S; below batches chain down from it
        # while usable RAM is left below; then above batches chain down from
        # ram_top to S.
        covered = 0
        windows = []
        below_lo, above_lo = start, ram_top
        for b in batches:
            bid = b.num("id")
            src = b.kv.get("src")
            if (bid == 0) != (src == "brk") or b.kv.get("step") != ("1-2" if bid == 0 else "5"):
                self.fail("order", "batch %d has src=%s step=%s" % (bid, src, b.kv.get("step")))
            lo, hi = b.rng("pa")
            if bid == 0:
                if hi != start:
                    self.fail("window", "batch 0 window [mem 0x%x-0x%x] does not end at the start point S=0x%x"
                              % (lo, hi - 1, start))
                below_lo = lo
            elif any(s < below_lo for s, e in usable):
                if hi != below_lo:
                    self.fail("window", "batch %d window [mem 0x%x-0x%x] is not directly below the batches "
                              "before it (lowest 0x%x), with usable RAM left below" % (bid, lo, hi - 1, below_lo))
                below_lo = lo
            else:
                if start >= ram_top:
                    self.fail("window", "batch %d window [mem 0x%x-0x%x]: all RAM below S=0x%x = ram_top is "
                              "mapped, there is nothing above" % (bid, lo, hi - 1, start))
                else:
                    if hi != above_lo:
                        self.fail("window", "above batch %d window [mem 0x%x-0x%x] does not end at 0x%x (%s)"
                                  % (bid, lo, hi - 1, above_lo, "ram_top" if above_lo == ram_top else
                                     "the previous above batch's start"))
                    if lo < start:
                        self.fail("window", "above batch %d window [mem 0x%x-0x%x] reaches below S=0x%x"
                                  % (bid, lo, hi - 1, start))
                above_lo = lo
            inwin = sum(max(0, min(e, hi) - max(s, lo)) for s, e in usable)
            if inwin == 0:
                self.fail("window", "batch %d window [mem 0x%x-0x%x] holds no usable RAM" % (bid, lo, hi - 1))
            if b.num("ram") != inwin:
                self.fail("window", "batch %d ram=%d but its window holds %d bytes of usable RAM"
                          % (bid, b.num("ram"), inwin))
            covered += inwin
            windows.append((lo, hi))
        # disjoint (two chains of non-empty windows, below S and from ram_top
        # down to S, checked above) + sum = total <=> exactly once
        if covered != total:
            self.fail("window", "batch windows cover %d bytes of usable RAM, there are %d" % (covered, total))

        # ---- extents
        used = []
        brk_used = 0
        ram_pages = []
        ram_order = []              # (batch id, lowest, highest) of each RAM batch's tables
        for b in batches:
            bid = b.num("id")
            src = b.kv["src"]
            hook = hooks.get(bid)
            split = hook.num("split_tables") if hook else 0
            pages = 0
            mapped = merge([(max(s, lo), min(e, hi)) for (lo, hi) in windows[:bid] for s, e in usable
                            if min(e, hi) > max(s, lo)])
            for r in extents.get(bid, []):
                if r.range is None:
                    self.fail("syntax", "tables record without a range: %s" % r.line)
                    continue
                s, e = r.range
                n = r.num("pages")
                pages += n
                if r.kv.get("src") != src:
                    self.fail("extent", "batch %d (src=%s) has an extent with src=%s" % (bid, src, r.kv.get("src")))
                if s % PAGE or e % PAGE or (e - s) // PAGE != n:
                    self.fail("extent", "extent [mem 0x%x-0x%x] pages=%d is not %d whole pages"
                              % (s, e - 1, n, (e - s) // PAGE))
                for us, ue in used:
                    if s < ue and us < e:
                        self.fail("extent-overlap", "extent [mem 0x%x-0x%x] overlaps an earlier one" % (s, e - 1))
                used.append((s, e))
                if not any(us <= s and e <= ue for us, ue in usable):
                    self.fail("extent-usable", "batch %d tables [mem 0x%x-0x%x] not in usable RAM" % (bid, s, e - 1))
                for rs, re_, why in reserves:
                    if s < re_ and rs < e and not (src == "brk" and why == "kernel"):
                        self.fail("extent-reserved", "batch %d tables [mem 0x%x-0x%x] lie in reserved %s [mem 0x%x-0x%x]"
                                  % (bid, s, e - 1, why, rs, re_ - 1))
                if src == "brk":
                    brk_used += n
                    if brk_range and not (brk_range[0] <= s and e <= brk_range[1]):
                        self.fail("extent-brk", "brk tables [mem 0x%x-0x%x] outside the brk range" % (s, e - 1))
                else:
                    ram_pages.append((s, e))
                    if not any(ms <= s and e <= me for ms, me in mapped):
                        self.fail("extent-mapped", "batch %d tables [mem 0x%x-0x%x] are not in RAM mapped by earlier batches"
                                  % (bid, s, e - 1))
            mine = [x.range for x in extents.get(bid, []) if x.range]
            if src == "ram" and mine:
                ram_order.append((bid, min(s for s, e in mine), max(e for s, e in mine)))
            levels = sum(b.num(k) for k in ("l4", "l3", "l2", "l1"))
            if b.num("tables") != levels:
                self.fail("count", "batch %d tables=%d but l4+l3+l2+l1=%d" % (bid, b.num("tables"), levels))
            if pages != b.num("tables") + split:
                self.fail("count", "batch %d extents hold %d pages, tables=%d split_tables=%d"
                          % (bid, pages, b.num("tables"), split))
            if bid > 0 and bid in links and links[bid].num("entries") != b.num("links"):
                self.fail("count", "batch %d links=%d but its link record says entries=%d"
                          % (bid, b.num("links"), links[bid].num("entries")))
        if cr3_seen and not any(s <= root < e for s, e in
                                (x.range for x in extents.get(0, []) if x.range)):
            self.fail("extent-brk", "cr3 root 0x%x is not a page of batch 0" % root)

        # ---- topmost: RAM tables are the highest free pages below S, taken
        # downward from one RAM batch to the next
        if ram_pages:
            free = _subtract(usable, [(s, e) for s, e, _ in reserves] + [(start, 1 << 64)])
            n = sum(e - s for s, e in ram_pages)
            top = _top_bytes(free, n)
            if merge(ram_pages) != top:
                self.fail("topmost", "the %d RAM table pages are not the highest free pages below S=0x%x (want %s)"
                          % (n // PAGE, start, ", ".join("[mem 0x%x-0x%x]" % (s, e - 1) for s, e in top[:3])))
        for (pid, plo, _), (bid, lo, hi) in zip(ram_order, ram_order[1:]):
            if hi > plo:
                self.fail("topmost", "batch %d tables reach 0x%x, above batch %d's lowest table 0x%x: "
                          "RAM table pages are taken downward" % (bid, hi - 1, pid, plo))

        # ---- summary
        sums = by.get("summary", [])
        if len(sums) != 1:
            self.fail("summary", "%d summary records (want 1)" % len(sums))
            return
        sm = sums[0]

        def eq(key, want, what):
            if sm.num(key) != want:
                self.fail("summary", "%s=%d but %s is %d" % (key, sm.num(key), what, want))

        split_total = sum(h.num("split_tables") for h in hooks.values())
        eq("ram_mapped", total, "usable RAM")
        eq("ram_mapped", sum(b.num("ram") for b in batches), "the sum of batch ram")
        eq("tables", sum(b.num("tables") for b in batches) + split_total,
           "the sum over batches (+ split tables)")
        eq("brk_used", brk_used, "the brk extents' page count")
        eq("brk_reserved", brk_pages, "begin's brk_pages")
        if sm.num("brk_used") > sm.num("brk_reserved"):
            self.fail("summary", "brk_used=%d > brk_reserved=%d" % (sm.num("brk_used"), sm.num("brk_reserved")))
        eq("batches", len(batches), "the number of batch records")
        eq("hook_calls", len(hooks), "the number of hook records")
        if sm.num("hook_calls") != sm.num("batches"):
            self.fail("summary", "hook_calls=%d != batches=%d" % (sm.num("hook_calls"), sm.num("batches")))
        eq("links", sum(r.num("entries") for r in links.values()), "the sum of link entries")
        eq("split_tables", split_total, "the sum of the hooks' split_tables")
        for lv in ("1g", "2m", "4k"):
            eq("leaves_" + lv, sum(b.num("leaves_" + lv) for b in batches), "the sum over batches")
        if split_total == 0:
            for l in ("l4", "l3", "l2", "l1"):
                eq(l, sum(b.num(l) for b in batches), "the sum over batches")

        # ---- minimum
        m = min_tables(usable, level, image)
        self.info["min"] = m
        self.info["tables"] = sm.num("tables")
        got = sm.num("tables") - split_total
        if got != m["total"]:
            self.fail("minimum", "tables=%d (less %d split) but the minimum for maxpage=%s is %d (l4=%d l3=%d l2=%d l1=%d)"
                      % (sm.num("tables"), split_total, maxpage, m["total"], m[4], m[3], m[2], m[1]))
        elif split_total == 0:
            for l in (4, 3, 2, 1):
                if sm.num("l%d" % l) != m[l]:
                    self.fail("minimum", "l%d=%d but the minimum is %d" % (l, sm.num("l%d" % l), m[l]))

        # ---- selfcheck record
        for r in by.get("selfcheck", []):
            if r.num("violations") != 0:
                self.fail("selfcheck", "selfcheck violations=%d" % r.num("violations"))
            if r.num("tables") != sm.num("tables"):
                self.fail("selfcheck", "selfcheck tables=%d, summary tables=%d" % (r.num("tables"), sm.num("tables")))
            if r.num("direct_bytes") != total:
                self.fail("selfcheck", "selfcheck direct_bytes=%d, usable RAM %d" % (r.num("direct_bytes"), total))


def _subtract(ranges, holes):
    out = []
    holes = merge(holes)
    for s, e in ranges:
        cur = s
        for hs, he in holes:
            if he <= cur or hs >= e:
                continue
            if hs > cur:
                out.append((cur, hs))
            cur = max(cur, he)
        if cur < e:
            out.append((cur, e))
    return merge(out)


def _top_bytes(free, n):
    """The highest n bytes of the merged ranges `free`, as merged ranges."""
    out = []
    for s, e in reversed(free):
        if n <= 0:
            break
        take = min(n, e - s)
        out.append((e - take, e))
        n -= take
    return merge(out)


def check_text(text, maxpage=None):
    c = Checker(text, maxpage)
    errors = c.run()
    return errors, c.info


def main(argv=None):
    ap = argparse.ArgumentParser(description="Check a topdown setup trace.")
    ap.add_argument("log", help="a run's serial output ('-' for stdin)")
    ap.add_argument("--maxpage", choices=sorted(MAXPAGE_LEVEL), help="the maxpage the begin record must state")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    data = sys.stdin.buffer.read() if a.log == "-" else open(a.log, "rb").read()
    errors, info = check_text(data.decode("latin-1"), a.maxpage)
    for check, msg in errors:
        print("checktrace: FAIL [%s]: %s" % (check, msg))
    if errors:
        return 1
    m = info.get("min", {})
    print("checktrace: OK ram=%d tables=%d minimum=%d (l4=%d l3=%d l2=%d l1=%d)"
          % (info["ram"], info["tables"], m["total"], m[4], m[3], m[2], m[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
