"""perturb.py — every check of walk.py shown able to fail, on real memory.

After a clean walk of a live guest (its table pages cached), each
perturbation changes one entry of that cache (or one register) the way a
kernel bug would, and walk.judge must report exactly the expected categories
of violation.  No extra boot: the guest's own tables, changed on the host.
"""
import copy

import walk
from walk import P, RW, US, PWT, NX, num


def locate(cache, root, va, depth=4):
    """[(table pa, index, level, entry)] from the root (L4, or L5 at depth 5)
    down to va's leaf."""
    path, t = [], root
    for level in range(depth, 0, -1):
        i = (va >> (12 + 9 * (level - 1))) & 511
        e = cache[t][i]
        path.append((t, i, level, e))
        if not e & P or level == 1 or (level in (2, 3) and e & 0x80):
            break
        t = e & 0x000ffffffffff000
    return path


def setent(cache, t, i, val):
    ents = list(cache[t])
    ents[i] = val
    cache[t] = tuple(ents)


def cases(trace, elf, cpus, cache):
    """[(name, expected categories, cpus, cache)]."""
    layout = trace.one("layout")
    dm = num(layout["direct_map"])
    # at 5 levels (CR4.LA57) the slot perturbations below go to each CPU's
    # L4 below L5 slot 511 (docs/la57.md), the user slot to the L5 itself
    depth = 5 if min(cpus, key=lambda c: c["index"])["cr4"] & (1 << 12) else 4
    top = sorted((c["index"], c["cr3"] & 0x000ffffffffff000) for c in cpus)
    roots = [(i, cache[r][511] & 0x000ffffffffff000 if depth == 5 else r) for i, r in top]
    r0 = roots[0][1]
    rodata = [s for s in elf.sections if s[0] == ".rodata"][0]
    guard = elf.symbols["__stack_guard"]
    usable = [d["range"] for d in trace.all("mem") if d.get("word") == "usable"]
    ram = max(usable, key=lambda r: r[1] - r[0])
    out = []

    def one(name, cats, edit, regs=None):
        c = {pa: e for pa, e in cache.items()}
        edit(c)
        out.append((name, cats, regs or cpus, c))

    # the image's L3 entry (shared by every CPU) with U/S
    def user_bit(c):
        t, i, lvl, e = locate(c, top[0][1], num(layout["kernel"]), depth)[depth - 3]
        setent(c, t, i, e | US)
    one("user-bit", ["user-bit"], user_bit)

    # one direct-map leaf (in the middle of the largest usable range) gone
    def dm_hole(c):
        t, i, lvl, e = locate(c, top[0][1], dm + (ram[0] + ram[1]) // 2 & ~0xfff, depth)[-1]
        setent(c, t, i, e & ~P)
    one("direct-map-hole", ["direct-map"], dm_hole)

    # a direct-map leaf executable: W+X
    def dm_exec(c):
        t, i, lvl, e = locate(c, top[0][1], dm + (ram[0] + ram[1]) // 2 & ~0xfff, depth)[-1]
        setent(c, t, i, e & ~NX)
    one("direct-map-exec", ["direct-map", "wx"], dm_exec)

    # the boot stack's guard page mapped
    def guard_map(c):
        t, i, lvl, e = locate(c, top[0][1], guard + 0x1000, depth)[-1]
        setent(c, t, (i - 1) % 512 if lvl == 1 else i, e)
    one("guard-mapped", ["guard"], guard_map)

    # a rodata page executable
    def ro_exec(c):
        t, i, lvl, e = locate(c, top[0][1], rodata[1], depth)[-1]
        setent(c, t, i, e & ~NX)
    one("rodata-exec", ["image"], ro_exec)

    if len(roots) > 1:
        r1 = roots[1][1]

        # CPU 1's kernel half differs in one slot
        def half(c):
            setent(c, r1, 511, c[r1][511] | PWT)
        one("kernel-half", ["kernel-half"], half)

        # CPU 1's globaldata slot points at CPU 0's
        def gd(c):
            setent(c, r1, 510, c[r0][510])
        one("globaldata-shared", ["globaldata"], gd)

        # slot 0 left pointing at a user tree on CPU 1
        def slot0(c):
            setent(c, top[1][1], 0, c[top[0][1]][511])
        one("slot0", ["slot0"], slot0)

        if depth == 5:
            # CPU 1's L5 slot 511 at CPU 0's L4: its globaldata is CPU 0's
            def shared_l4(c):
                setent(c, top[1][1], 511, c[top[0][1]][511])
            one("l5-shared-l4", ["kernel-half", "globaldata"], shared_l4)

            # CR4.LA57 clear on the last CPU: not the depth the trace says
            regs5 = copy.deepcopy(cpus)
            regs5[-1]["cr4"] &= ~(1 << 12)
            one("la57-differs", ["cpu"], lambda c: None, regs5)

    # something mapped in the vmalloc area, on every CPU alike
    def vmalloc(c):
        for _, r in roots:
            setent(c, r, 402, c[r][273])
    one("vmalloc-mapped", ["layout"], vmalloc)

    # CR0.WP clear on the last CPU
    regs = copy.deepcopy(cpus)
    regs[-1]["cr0"] &= ~(1 << 16)
    one("cr0-wp", ["cpu"], lambda c: None, regs)

    # CR0.CD set on the last CPU (an AP left uncached)
    regs = copy.deepcopy(cpus)
    regs[-1]["cr0"] |= 1 << 30
    one("cr0-cd", ["cpu"], lambda c: None, regs)
    return out
