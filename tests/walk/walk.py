"""walk.py — an independent judge of topdown's live page tables.

It shares nothing with mm/: its own decoder of x86-64 4- and 5-level entries
(Intel SDM vol. 3A, 4.5; the depth from each CPU's CR4.LA57), its own reader of the ELF file, its own reader of the
trace.  Given the guest's physical memory (a read_page(pa) function) and
every CPU's registers, as QEMU reports them, it walks the tables and judges
what the kernel claims in its trace and its ELF file:

  cpu         every CPU runs on the root the trace gives it, paging with
              CR0.WP (supervisor writes obey R/O), CR0.CD/NW clear (caches on),
              EFER.NXE as the trace's nx
  kernel-half every CPU's L4 has the same kernel half (slots 256-511) but
              the globaldata slot, which maps that CPU's own page; at 5
              levels every CPU's L5 the same kernel half but slot 511, which
              points at that CPU's own L4 (docs/la57.md)
  slot0       slots 0-255 empty once the user run is over
  user-bit    no entry of the kernel half, at any level, has U/S set
  wx          no leaf is both writable and executable
  image       every page of every ELF section in the image mapped at the
              physical address its segment gives, writable only where the
              section is, executable only where it is; nothing else mapped
  guard       the boot stack's guard page and every CPU stack's guards unmapped
  direct-map  exactly the usable RAM (trace `mem ... usable`), at
              DIRECT_MAP + pa, NX, never user, no leaf larger than maxpage,
              and in each batch's window as many leaves of each size as the
              batch's record says
  tables      every table page (reachable from any CPU's root) is claimed
              by the batch record that says it built it, lies above 1 MiB,
              in usable RAM below the start point S and outside every
              reserve (or in brk, for brk batches), is used at one level
              only, and the batches' ranges go top-down; each main batch
              has as many tables per level as its record says
  layout      no leaf outside the regions of the layout
  entry       no reserved bit set in a present entry

Violations are (category, message) pairs.
"""
import re
import struct

PAGE = 4096
P, RW, US, PWT, PCD, A, D, PS, G = (1 << i for i in range(9))
NX = 1 << 63
SIZES = {1: 1 << 12, 2: 1 << 21, 3: 1 << 30, 4: 1 << 39, 5: 1 << 48}
SIZE_NAME = {1: "4k", 2: "2m", 3: "1g"}

# The layout the kernel documents (include/mm/layout.h, README's table):
# restated here as the claims being judged, not included from the kernel.
KERNEL_HALF = 256
GLOBALDATA_SLOT = 510
KMAP_SLOT = 509
DIRECT_SLOTS = range(273, 401)          # ffff888000000000-ffffc87fffffffff
FIXMAP_SIZE = 2 << 20
CPU_STACK_PAGES = 4                     # guard | 4 stack pages | guard | IST


def canon(va, bits=48):
    """Sign-extend bit bits-1 (48 VA bits, 57 with CR4.LA57): the virtual
    address a slot's base stands for."""
    return va | ((1 << 64) - (1 << bits)) if va & (1 << (bits - 1)) else va


def rng(s):
    """'[mem 0xA-0xB]' or '[0xA-0xB]' -> (A, B + 1); '[none]' -> None."""
    m = re.search(r"\[(?:mem )?(0x[0-9a-f]+)-(0x[0-9a-f]+)\]", s)
    return (int(m.group(1), 16), int(m.group(2), 16) + 1) if m else None


def ranges(s):
    """'[0xA-0xB,0xC-0xD]' -> [(A, B + 1), (C, D + 1)]; '[none]' -> []."""
    return [(int(a, 16), int(b, 16) + 1) for a, b in re.findall(r"(0x[0-9a-f]+)-(0x[0-9a-f]+)", s)]


# ------------------------------------------------------------------ trace

class Trace:
    """The trace records of a log: kind -> list of {key: value} (value
    strings; 'range' = the record's bare [mem ...] range, if any)."""

    def __init__(self, lines):
        self.recs = []
        for line in lines:
            if not line.startswith("trace: "):
                continue
            body = line[len("trace: "):].rstrip("\n")
            kind, _, rest = body.partition(" ")
            if kind == "xen":
                kind2, _, rest = rest.partition(" ")
                kind = "xen " + kind2
            d = {k: v for k, v in re.findall(r'([\w.]+)=("[^"]*"|\[[^\]]*\]|\S+)', rest)}
            bare = re.sub(r'[\w.]+=("[^"]*"|\[[^\]]*\]|\S+)', "", rest)
            r = rng(bare)
            if r:
                d["range"] = r
                d["word"] = bare.split("]")[-1].strip()
            self.recs.append((kind, d))

    def all(self, kind):
        return [d for k, d in self.recs if k == kind]

    def one(self, kind):
        a = self.all(kind)
        if len(a) != 1:
            raise ValueError("trace: %d '%s' records, want 1" % (len(a), kind))
        return a[0]


def num(s):
    return int(s, 0)


# -------------------------------------------------------------------- ELF

class Elf:
    """Sections (name, addr, size, flags) and PT_LOAD segments (vaddr,
    paddr, memsz) and symbols of an ELF64 little-endian file."""

    def __init__(self, path):
        b = open(path, "rb").read()
        if b[:4] != b"\x7fELF" or b[4] != 2 or b[5] != 1:
            raise ValueError("%s: not an ELF64 little-endian file" % path)
        phoff, shoff = struct.unpack_from("<QQ", b, 0x20)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", b, 0x36)
        self.segments = []
        for i in range(phnum):
            p_type, p_flags, p_off, p_vaddr, p_paddr, p_filesz, p_memsz, p_align = \
                struct.unpack_from("<IIQQQQQQ", b, phoff + i * phentsize)
            if p_type == 1:
                self.segments.append((p_vaddr, p_paddr, p_memsz))
        sh = [struct.unpack_from("<IIQQQQIIQQ", b, shoff + i * shentsize) for i in range(shnum)]
        strtab = sh[shstrndx]

        def name(table, off):
            start = table[4] + off
            return b[start:b.index(b"\0", start)].decode()
        self.sections = []
        self.symbols = {}
        for s in sh:
            nm = name(strtab, s[0])
            if s[2] & 2:                                # SHF_ALLOC
                self.sections.append((nm, s[3], s[5], s[2]))
            if s[1] == 2:                               # SHT_SYMTAB
                st = sh[s[6]]
                for off in range(s[4], s[4] + s[5], 24):
                    n, info, other, shndx, value, size = struct.unpack_from("<IBBHQQ", b, off)
                    if n:
                        self.symbols[name(st, n)] = value

    def paddr(self, va):
        for v, p, sz in self.segments:
            if v <= va < v + sz:
                return p + va - v
        return None


# ----------------------------------------------------------------- walker

class Leaf:
    """n leaves of one level, contiguous in va and pa, with one permission."""
    __slots__ = ("va", "level", "pa", "w", "u", "nx", "entry", "n")

    def __init__(self, va, level, pa, w, u, nx, entry, n=1):
        self.va, self.level, self.pa, self.w, self.u, self.nx, self.entry, self.n = \
            va, level, pa, w, u, nx, entry, n

    @property
    def size(self):
        return SIZES[self.level] * self.n


class Walker:
    """Walks 4- or 5-level tables in guest memory; collects table pages (pa ->
    set of levels), leaves, and entry violations."""

    def __init__(self, read_page, phys_limit, nxe, va_bits=48):
        self.read_page = read_page
        self.va_bits = va_bits
        self.phys_limit = phys_limit
        self.nxe = nxe
        self.cache = {}
        self.violations = []

    def entries(self, pa):
        e = self.cache.get(pa)
        if e is None:
            e = struct.unpack("<512Q", self.read_page(pa))
            self.cache[pa] = e
        return e

    def bad(self, cat, msg):
        self.violations.append((cat, msg))

    def walk(self, table, level, base, w, u, nx, tables, leaves, slots=range(512), path=""):
        tables.setdefault(table, set()).add(level)
        ents = self.entries(table)
        step = SIZES[level]
        e0 = ents[0]
        if (level == 1 and len(slots) == 512 and e0 & P and e0 & 0x000ffffffffff000 < self.phys_limit - (511 << 12)
                and (not e0 & NX or self.nxe) and ents == tuple(range(e0, e0 + (512 << 12), 1 << 12))):
            # a whole L1 of consecutive frames with one set of flags: one run
            # (the same decoding as below, done once: 4 KiB walks stay fast)
            leaves.append(Leaf(canon(base, self.va_bits), 1, e0 & 0x000ffffffffff000, w and bool(e0 & RW),
                               u and bool(e0 & US), nx or bool(e0 & NX), e0, 512))
            return
        for i in slots:
            e = ents[i]
            if not e & P:
                continue
            va = canon(base + i * step, self.va_bits)
            addr = e & 0x000ffffffffff000
            if addr >= self.phys_limit:
                self.bad("entry", "L%d entry %d of table 0x%x (va 0x%016x) = 0x%016x: address beyond MAXPHYADDR"
                         % (level, i, table, va, e))
                continue
            if e & NX and not self.nxe:
                self.bad("entry", "L%d entry 0x%016x at va 0x%016x: NX set but EFER.NXE clear" % (level, e, va))
            ew, eu, enx = w and bool(e & RW), u and bool(e & US), nx or bool(e & NX and self.nxe)
            leaf = level == 1 or (level in (2, 3) and e & PS)
            if level >= 4 and e & PS:
                self.bad("entry", "L%d entry %d of 0x%x = 0x%016x: PS set (reserved)" % (level, i, table, e))
                continue
            if leaf:
                pa = addr
                if level > 1:
                    lowmask = SIZES[level] - 1
                    if addr & lowmask & ~0x1000:      # bit 12 is PAT
                        self.bad("entry", "L%d large leaf at va 0x%016x = 0x%016x: reserved address bits set"
                                 % (level, va, e))
                    pa = addr & ~lowmask
                leaves.append(Leaf(va, level, pa, ew, eu, enx, e))
            else:
                self.walk(addr, level - 1, va, ew, eu, enx, tables, leaves)


# ------------------------------------------------------------------ judge

def runs(leaves):
    """Merge leaves into runs (va, va_end, pa, level, w, u, nx) of the same
    size and permissions, contiguous in va and pa."""
    out = []
    for lf in sorted(leaves, key=lambda x: x.va):
        if out:
            r = out[-1]
            if (r[1] == lf.va and r[2] + (r[1] - r[0]) == lf.pa and r[3] == lf.level
                    and r[4:] == [lf.w, lf.u, lf.nx]):
                r[1] += lf.size
                continue
        out.append([lf.va, lf.va + lf.size, lf.pa, lf.level, lf.w, lf.u, lf.nx])
    return out


def subtract(a, b):
    """Intervals of a minus intervals of b (both lists of (s, e))."""
    out = []
    for s, e in a:
        cur = s
        for bs, be in sorted(b):
            if be <= cur or bs >= e:
                continue
            if bs > cur:
                out.append((cur, bs))
            cur = max(cur, be)
        if cur < e:
            out.append((cur, e))
    return out


def merge(iv):
    out = []
    for s, e in sorted(iv):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [tuple(x) for x in out]


def fmt_iv(iv, n=4):
    s = ", ".join("[0x%x-0x%x]" % (a, b - 1) for a, b in iv[:n])
    return s + (" ... (%d ranges)" % len(iv) if len(iv) > n else "")


def judge(trace, elf, cpus, read_page, user_done=True, cache=None):
    """cpus: [{'index': n, 'cr0':, 'cr3':, 'cr4':, 'efer':}] from QEMU.
    cache: {pa: 512 entries}, filled as pages are read (and read first).
    Returns (violations, facts) — facts are counts for the PASS line."""
    v = []

    def bad(cat, msg):
        v.append((cat, msg))

    begin = trace.one("begin")
    levels = int(begin.get("levels", "4"))
    layout = trace.one("layout")
    nx = begin["nx"] == "1"
    maxlevel = {"4k": 1, "2m": 2, "1g": 3}[begin["maxpage"]]
    phys_limit = num(begin["phys_limit"])
    S = num(begin["start"])
    DM = num(layout["direct_map"])
    KBASE = num(layout["kernel"])
    FIX = num(layout["fixmap"])
    usable = merge([d["range"] for d in trace.all("mem") if d.get("word") == "usable"])
    reserves = [(d["range"], d["word"]) for d in trace.all("reserve")]
    brk = [d for d in trace.all("step1") if d["what"] == "brk"]
    brk_pa = rng(brk[0]["pa"]) if brk else None

    # --- CPUs: registers and roots
    percpu = {num(d["apic"]): d for d in trace.all("percpu")}
    roots = {}
    for c in cpus:
        cr3 = c["cr3"] & 0x000ffffffffff000
        if not c["cr0"] & (1 << 31):
            bad("cpu", "CPU#%d: paging off (CR0=0x%x)" % (c["index"], c["cr0"]))
            continue
        if not c["cr0"] & (1 << 16):
            bad("cpu", "CPU#%d: CR0.WP clear: supervisor writes ignore read-only entries" % c["index"])
        if c["cr0"] & (3 << 29):
            bad("cpu", "CPU#%d: CR0.CD or CR0.NW set (CR0=0x%x): caches off (docs/smp.md)" % (c["index"], c["cr0"]))
        if bool(c["cr4"] & (1 << 12)) != (levels == 5):
            bad("cpu", "CPU#%d: CR4.LA57=%d but the trace says levels=%d"
                % (c["index"], bool(c["cr4"] & (1 << 12)), levels))
        if bool(c["efer"] & (1 << 11)) != nx:
            bad("cpu", "CPU#%d: EFER.NXE=%d but the trace says nx=%d" % (c["index"], bool(c["efer"] & 2048), nx))
        p = percpu.get(c["index"])
        if p is None:
            bad("cpu", "CPU#%d (CR3 0x%x): no percpu record with apic=%d" % (c["index"], cr3, c["index"]))
        elif num(p["root"]) != cr3:
            bad("cpu", "CPU#%d: CR3 0x%x but its percpu record says root=%s" % (c["index"], cr3, p["root"]))
        roots[c["index"]] = cr3
    if len(percpu) != len(cpus):
        bad("cpu", "%d percpu records, QEMU has %d CPUs" % (len(percpu), len(cpus)))
    if not roots:
        return v, {}

    # the depth: what the first CPU runs (CR4.LA57); each CPU's is judged
    # against the trace's levels= above
    depth = 5 if min(cpus, key=lambda c: c["index"])["cr4"] & (1 << 12) else 4
    bits = 12 + 9 * depth
    TOP = 511 << 48 if depth == 5 else 0    # VA base of the L4 holding the kernel half
    w = Walker(read_page, phys_limit, nx, bits)
    if cache is not None:
        w.cache = cache
    tables = {}                         # pa -> set(levels)
    first = min(roots)
    leaves = []
    l4root = dict(roots)                # the L4 of the kernel half, per CPU
    if depth == 5:
        # --- the L5s: user half empty, kernel half the same but slot 511,
        # which is each CPU's own L4
        l5s = {i: w.entries(r) for i, r in roots.items()}
        for i, ents in sorted(l5s.items()):
            tables.setdefault(roots[i], set()).add(5)
            for s in range(0, KERNEL_HALF):
                if ents[s] & P and (s or user_done):
                    bad("slot0", "CPU#%d: L5 slot %d = 0x%016x, want empty%s" % (
                        i, s, ents[s], " after the user run" if s == 0 else ""))
            for s in range(KERNEL_HALF, 511):
                if (ents[s] ^ l5s[first][s]) & ~(A | D):
                    bad("kernel-half", "CPU#%d: L5 slot %d = 0x%016x, CPU#%d has 0x%016x"
                        % (i, s, ents[s], first, l5s[first][s]))
            if not ents[511] & P or ents[511] & PS:
                bad("kernel-half", "CPU#%d: L5 slot 511 = 0x%016x, want its L4" % (i, ents[511]))
                del l4root[i]
                continue
            l4root[i] = ents[511] & 0x000ffffffffff000
        owners = {}
        for i, r in sorted(l4root.items()):
            if r in owners:
                bad("kernel-half", "CPU#%d runs on CPU#%d's L4 0x%x below L5 slot 511: globaldata is not its own"
                    % (i, owners[r], r))
            owners.setdefault(r, i)
        w.walk(roots[first], 5, 0, True, True, False, tables, leaves, slots=range(KERNEL_HALF, 511))
        if first not in l4root:
            return v + w.violations, {}
    l4s = {i: w.entries(r) for i, r in l4root.items()}

    # --- the top level, per CPU (at 5 levels: the L4 below L5 slot 511,
    # kernel-only, so all its slots are judged as the kernel half)
    half = KERNEL_HALF if depth == 4 else 0
    for i, ents in sorted(l4s.items()):
        for s in range(0, half):
            if ents[s] & P and (s or user_done):
                bad("slot0", "CPU#%d: L4 slot %d = 0x%016x, want empty%s" % (
                    i, s, ents[s], " after the user run" if s == 0 else ""))
        for s in range(half, 512):
            # A and D are the CPU's own marks, not the kernel's entries
            if s != GLOBALDATA_SLOT and (ents[s] ^ l4s[first][s]) & ~(A | D):
                bad("kernel-half", "CPU#%d: L4 slot %d = 0x%016x, CPU#%d has 0x%016x"
                    % (i, s, ents[s], first, l4s[first][s]))
        tables.setdefault(l4root[i], set()).add(4)

    # --- the kernel half, once (the shared slots) + each CPU's globaldata slot
    shared = [s for s in range(half, 512) if s != GLOBALDATA_SLOT]
    w.walk(l4root[first], 4, TOP, True, True, False, tables, leaves, slots=shared)
    gd_pages = {}
    for i, r in sorted(l4root.items()):
        gl = []
        w.walk(r, 4, TOP, True, True, False, tables, gl, slots=[GLOBALDATA_SLOT])
        gbase = canon(TOP + (GLOBALDATA_SLOT << 39), bits)
        hit = [lf for lf in gl if lf.va == gbase]
        for lf in gl:
            if lf.u:
                bad("user-bit", "CPU#%d globaldata leaf va 0x%016x is user-accessible" % (i, lf.va))
            if nx and not lf.nx:
                bad("wx" if lf.w else "layout", "CPU#%d globaldata leaf va 0x%016x is executable" % (i, lf.va))
        if not hit:
            bad("globaldata", "CPU#%d: globaldata va 0x%016x not mapped" % (i, gbase))
            continue
        gd_pages[i] = hit[0].pa
        p = percpu.get(i)
        if p and num(p["globaldata"]) != hit[0].pa:
            bad("globaldata", "CPU#%d: globaldata va maps 0x%x, its percpu record says %s"
                % (i, hit[0].pa, p["globaldata"]))
    if len(set(gd_pages.values())) != len(gd_pages):
        bad("globaldata", "CPUs share a globaldata page: %s" % gd_pages)
    # user-bit: every entry of the kernel half, at every level (only the
    # kernel half is walked below the L4s: slots 0-255 are judged empty)
    for pa, levels in tables.items():
        ents = w.entries(pa)
        for s in range(KERNEL_HALF, 512) if depth in levels else range(512):
            if ents[s] & P and ents[s] & US:
                bad("user-bit", "L%d table 0x%x entry %d = 0x%016x has U/S in the kernel half"
                    % (max(levels), pa, s, ents[s]))
    v += w.violations

    # --- leaves, region by region
    allruns = runs(leaves)
    for r in allruns:
        if r[4] and not r[6]:
            bad("wx", "va [0x%016x-0x%016x] -> pa 0x%x is writable and executable" % (r[0], r[1] - 1, r[2]))
        if r[5]:
            bad("user-bit", "va [0x%016x-0x%016x] is user-accessible in the kernel half" % (r[0], r[1] - 1))

    dm_end = canon(TOP + (DIRECT_SLOTS.stop << 39), bits)
    direct = [r for r in allruns if DM <= r[0] < dm_end]
    image = [r for r in allruns if KBASE <= r[0] < FIX]
    fixmap = [r for r in allruns if FIX <= r[0] < FIX + FIXMAP_SIZE]
    kmap = [r for r in allruns if canon(TOP + (KMAP_SLOT << 39), bits) <= r[0] < canon(TOP + ((KMAP_SLOT + 1) << 39), bits)]
    other = [r for r in allruns if r not in direct and r not in image and r not in fixmap and r not in kmap]
    for r in other:
        bad("layout", "va [0x%016x-0x%016x] mapped outside the direct map, image, fixmap, kmap and globaldata"
            % (r[0], r[1] - 1))

    # direct map
    cover = []
    for r in direct:
        if r[2] != r[0] - DM:
            bad("direct-map", "va 0x%016x maps pa 0x%x, want 0x%x" % (r[0], r[2], r[0] - DM))
        if nx and not r[6]:
            bad("direct-map", "va [0x%016x-0x%016x] executable" % (r[0], r[1] - 1))
        if r[3] > maxlevel:
            bad("direct-map", "va 0x%016x: a %s leaf, maxpage=%s" % (r[0], SIZE_NAME[r[3]], begin["maxpage"]))
        cover.append((r[0] - DM, r[1] - DM))
    cover = merge(cover)
    extra, missing = subtract(cover, usable), subtract(usable, cover)
    if extra:
        bad("direct-map", "maps pa not in usable RAM: %s" % fmt_iv(extra))
    if missing:
        bad("direct-map", "usable RAM not mapped: %s" % fmt_iv(missing))
    leaves_by_size = {1: 0, 2: 0, 3: 0}
    for b in trace.all("batch"):
        win = rng(b["va"])
        got = {1: 0, 2: 0, 3: 0}
        for r in direct:
            lo, hi = max(r[0], win[0]), min(r[1], win[1])
            if lo < hi:
                got[r[3]] += (hi - lo) // SIZES[r[3]]
        want = {1: num(b["leaves_4k"]) - num(b["image_leaves"]), 2: num(b["leaves_2m"]),
                3: num(b["leaves_1g"])}
        for k in want:
            leaves_by_size[k] += got[k]
        if got != want:
            bad("direct-map", "batch %s window %s: leaves 4k/2m/1g %d/%d/%d, its record says %d/%d/%d"
                % (b["id"], b["va"], got[1], got[2], got[3], want[1], want[2], want[3]))

    # image, per ELF section
    judge_image(elf, image, bad, nx)

    # fixmap and kmap: never executable, 4k
    for r in fixmap + kmap:
        if nx and not r[6]:
            bad("layout", "va [0x%016x-0x%016x] (fixmap/kmap) executable" % (r[0], r[1] - 1))
    kmapped = set()
    for r in kmap:
        kmapped.update(range(r[0], r[1], PAGE))
    for i, p in sorted(percpu.items()):
        top = num(p["stack_top"])
        if not canon(TOP + (KMAP_SLOT << 39), bits) <= top < canon(TOP + ((KMAP_SLOT + 1) << 39), bits):
            continue                                    # the boot stack: judged with the image
        for pg in range(top - CPU_STACK_PAGES * PAGE, top, PAGE):
            if pg not in kmapped:
                bad("guard", "cpu %s stack page va 0x%016x not mapped" % (p["cpu"], pg))
        for g in (top - (CPU_STACK_PAGES + 1) * PAGE, top):
            if g in kmapped:
                bad("guard", "cpu %s stack guard page va 0x%016x is mapped" % (p["cpu"], g))

    # --- table pages
    judge_tables(trace, tables, bad, usable, reserves, brk_pa, S, roots, percpu)

    facts = {"cpus": len(roots), "tables": len(tables), "direct_bytes": sum(e - s for s, e in cover),
             "leaves": "%d/%d/%d" % (leaves_by_size[1], leaves_by_size[2], leaves_by_size[3]),
             "image_pages": sum((r[1] - r[0]) // PAGE for r in image)}
    return v, facts


def judge_image(elf, image, bad, nx):
    """Every page of an allocated ELF section above the image base: mapped at
    its segment's paddr, W iff the section is SHF_WRITE, X iff SHF_EXECINSTR;
    the stack guard unmapped; nothing else mapped."""
    want = {}                                       # va -> (w, x, section)
    guard = set()
    g0, g1 = elf.symbols.get("__stack_guard"), elf.symbols.get("__stack_bottom")
    if g0 is None or g1 is None:
        bad("guard", "the ELF has no __stack_guard/__stack_bottom symbols")
    else:
        guard = set(range(g0 & ~(PAGE - 1), g1, PAGE))
    for name, addr, size, flags in elf.sections:
        if addr < (1 << 63) or not size:
            continue                                # the physical boot stub
        for pg in range(addr & ~(PAGE - 1), addr + size, PAGE):
            if pg in guard:
                continue
            wr, x = bool(flags & 1), bool(flags & 4)
            if pg in want and want[pg][:2] != (wr, x):
                bad("image", "page va 0x%016x shared by %s and %s with different permissions"
                    % (pg, want[pg][2], name))
            want[pg] = (wr or want.get(pg, (0, 0))[0], x or want.get(pg, (0, 0))[1], name)
    got = {}
    for r in image:
        for k in range(0, r[1] - r[0], PAGE):
            got[r[0] + k] = (r[2] + k, r[4], not r[6] if nx else True)
    for pg in sorted(guard):
        if pg in got:
            bad("guard", "boot stack guard page va 0x%016x is mapped" % pg)
    for pg, (wr, x, name) in sorted(want.items()):
        if pg not in got:
            bad("image", "%s page va 0x%016x not mapped" % (name, pg))
            continue
        pa, gw, gx = got[pg]
        if pa != elf.paddr(pg):
            bad("image", "%s page va 0x%016x maps pa 0x%x, the ELF says 0x%x" % (name, pg, pa, elf.paddr(pg)))
        if gw != wr:
            bad("wx" if gw and gx else "image", "%s page va 0x%016x is %s, the section is %s"
                % (name, pg, "writable" if gw else "read-only", "writable" if wr else "read-only"))
        if nx and gx != x:
            bad("image", "%s page va 0x%016x is %s, the section is %s"
                % (name, pg, "executable" if gx else "NX", "executable" if x else "not"))
    for pg in sorted(set(got) - set(want) - guard):
        bad("image", "va 0x%016x (pa 0x%x) mapped in the image region but in no ELF section"
            % (pg, got[pg][0]))


def judge_tables(trace, tables, bad, usable, reserves, brk_pa, S, roots, percpu):
    """Every table page claimed by the batch that built it, where the kernel
    says its tables go."""
    claims = []             # (start, end, kind, id, src, {level: count} or None)
    for d in trace.all("tables"):
        claims.append((d["range"][0], d["range"][1], "batch", d["id"], d["src"]))
    # An AP's root must lie below 4 GiB (the trampoline loads CR3 in 32-bit
    # mode): a range holding only AP roots is outside the top-down order.
    ap_roots = {num(p["root"]) for p in percpu.values()} - {roots.get(min(roots))}
    for r in ap_roots:
        if r >= 1 << 32:
            bad("tables", "AP root 0x%x above 4 GiB" % r)
    for d in trace.all("percpu_batch"):
        for r in ranges(d["pa"]):
            src = "ap-root" if set(range(r[0], r[1], PAGE)) <= ap_roots else "ram"
            claims.append((r[0], r[1], "percpu_batch", d["id"], src))
    # an address space's top table: l3= at 4 levels, l4= at 5
    freed = {d.get("l3", d.get("l4")) for d in trace.all("uspace_free")}
    for d in trace.all("uspace"):
        for r in ranges(d["pa"]):
            if d.get("l3", d.get("l4")) not in freed:
                claims.append((r[0], r[1], "uspace", d["id"], d.get("src", "ram")))

    def claim_of(pa):
        for c in claims:
            if c[0] <= pa < c[1]:
                return c
        return None

    live = {}               # ("batch", id) -> {level: n}
    for pa, levels in sorted(tables.items()):
        if len(levels) > 1:
            bad("tables", "table page 0x%x used at levels %s" % (pa, sorted(levels)))
        lvl = max(levels)
        c = claim_of(pa)
        if pa < 1 << 20:
            bad("tables", "L%d table page 0x%x below 1 MiB" % (lvl, pa))
        if c is None:
            bad("tables", "L%d table page 0x%x claimed by no batch record" % (lvl, pa))
            continue
        live.setdefault((c[2], c[3]), {}).setdefault(lvl, 0)
        live[(c[2], c[3])][lvl] += 1
        if c[4] == "ap-root":
            continue
        if c[4] == "brk":
            if not brk_pa or not brk_pa[0] <= pa < brk_pa[1]:
                bad("tables", "L%d table page 0x%x of brk batch %s outside brk %s" % (lvl, pa, c[3], brk_pa))
            continue
        if not any(s <= pa < e for s, e in usable):
            bad("tables", "L%d table page 0x%x not in usable RAM" % (lvl, pa))
        if pa >= S:
            bad("tables", "L%d table page 0x%x at or above the start point S=0x%x" % (lvl, pa, S))
        for (s, e), why in reserves:
            if s <= pa < e:
                bad("tables", "L%d table page 0x%x in reserved range [0x%x-0x%x] %s" % (lvl, pa, s, e - 1, why))
    # top-down: RAM claims, in the order the trace gives them, go down
    prev = None
    for c in claims:
        if c[4] != "ram":
            continue
        if prev and c[1] > prev[0]:
            bad("tables", "%s %s tables [0x%x-0x%x] not below %s %s's [0x%x-0x%x]: not top-down"
                % (c[2], c[3], c[0], c[1] - 1, prev[2], prev[3], prev[0], prev[1] - 1))
        prev = c
    # each main batch: exactly its record's tables, by level, all live
    for b in trace.all("batch"):
        want = {k: num(b.get("l%d" % k, "0")) for k in (5, 4, 3, 2, 1) if num(b.get("l%d" % k, "0"))}
        got = live.get(("batch", b["id"]), {})
        hooks = [h for h in trace.all("hook") if h["id"] == b["id"]]
        splits = sum(num(h.get("split_tables", "0")) for h in hooks)
        if not splits and got != want:
            bad("tables", "batch %s: live tables by level %s, its record says %s" % (b["id"], got, want))
    for d in trace.all("percpu_batch"):
        for k in (5, 4, 3, 2, 1):
            n = live.get(("percpu_batch", d["id"]), {}).get(k, 0)
            if n > num(d.get("l%d" % k, "0")):
                bad("tables", "percpu_batch %s: %d live L%d tables, its record says %s" % (d["id"], n, k, d["l%d" % k]))
