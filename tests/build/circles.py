#!/usr/bin/env python3
"""tests/build/circles.py OBJDIR — no import circles between the kernel's files.

Reads the kernel's objects under OBJDIR (build/k) with nm: an object that
uses a symbol another object defines depends on it.  Prints every circle
(strongly connected set of objects) whose files are not all in one
directory, and exits 1 if there is one.  A circle inside one directory is
one module split into files (mm/*.c share mm/internal.h; entry.asm and
traps.c are the two halves of the trap path); a circle across directories
is two layers calling each other.

One symbol is not a dependency on the file that defines it: pv_ops, the
paravirt ops table.  Its users depend on the contract (<paravirt/ops.h>);
paravirt/native.c only holds the table's initial value, whose native
entries may well point back at arch/ (serial output, PIT calibration).
"""
import collections
import glob
import os
import subprocess
import sys

CONTRACT = {"pv_ops"}   # reached through <paravirt/ops.h>: see above


def graph(objdir):
    objs = sorted(glob.glob(os.path.join(objdir, "**", "*.o"), recursive=True))
    if not objs:
        sys.exit("circles: no objects under %s" % objdir)
    defined, used = {}, {}
    for o in objs:
        out = subprocess.run(["nm", o], capture_output=True, text=True, check=True).stdout
        d, u = set(), set()
        for line in out.splitlines():
            f = line.split()
            if len(f) == 2 and f[0] == "U":
                u.add(f[1])
            elif len(f) == 3 and f[1].isupper() and f[1] not in "UVW" \
                    and f[2] not in CONTRACT:
                d.add(f[2])
        name = os.path.relpath(o, objdir)
        defined[name], used[name] = d, u
    owner = {s: o for o, d in defined.items() for s in d}
    return {o: sorted({owner[s] for s in u if s in owner and owner[s] != o})
            for o, u in used.items()}


def circles(g):
    """Tarjan's strongly connected components (recursive: a kernel has some
    sixty objects).  The iterative version it replaces reported a circle
    that a plain reachability check refutes (arch/x86_64/smp.o with
    paravirt/xen/*.o once paravirt/xen/smp_pv.o came: nothing there reaches
    arch/x86_64/smp.o), so its low-link bookkeeping was wrong somewhere."""
    index, low, on, stack, out = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(1000, 4 * len(g)))
    for v in g:
        if v not in index:
            visit(v)
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    g = graph(sys.argv[1])
    bad = [c for c in circles(g) if len({os.path.dirname(o) for o in c}) > 1]
    for c in bad:
        print("circle: " + " <-> ".join(c))
    print("circles: %d objects, %d circle(s) across directories" % (len(g), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
