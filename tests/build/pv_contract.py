#!/usr/bin/env python3
"""pv_contract.py — design §4's contract table is the whole of struct paravirt_ops.

    tests/build/pv_contract.py [OPS_H DESIGN_MD]
        (default: include/paravirt/ops.h docs/design.md; the files that may
         use pv_ops come from `git ls-files`)

Checks, reading the source as text:
  - every member of struct paravirt_ops (with those of its sub-structs,
    e.g. mmu.batch_built) is named in the first column of the table in
    "## 4." of the design document, and the table names no member the
    struct does not have;
  - outside paravirt/ and include/paravirt/ops.h, no C or asm code (comments
    and string literals aside) names pv_ops, but for the host builds' own
    recording backend, tests/unit/hostpv.c: the rest of the tree calls the
    wrappers (design §4).
Prints one line per finding; exit status 1 if any, else 0.
"""
import re
import subprocess
import sys


def strip(text):
    """Comments and string/char literals out (kept line by line)."""
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(\\.|[^"\\\n])*"|\'(\\.|[^\'\\\n])*\'', '""', text)


def struct_members(text, name):
    m = re.search(r"\bstruct\s+%s\s*\{(.*?)\n\};" % re.escape(name), text, re.S)
    if not m:
        return None
    out = []
    for decl in m.group(1).split(";"):
        decl = " ".join(decl.split())
        if not decl:
            continue
        fp = re.search(r"\(\s*\*\s*(\w+)\s*\)", decl)
        if fp:
            out.append((fp.group(1), decl))
            continue
        decl = re.sub(r"__attribute__\s*\(\(.*?\)\)", "", decl)
        for part in decl.split(","):
            ids = re.findall(r"\w+", part.split("[")[0])
            if ids:
                out.append((ids[-1], decl))
    return out


def ops_members(text):
    """['name', 'mmu.batch_built', ...] of struct paravirt_ops."""
    top = struct_members(text, "paravirt_ops")
    if top is None:
        return None
    res = []
    for name, decl in top:
        sub = re.match(r"struct (\w+) \w+$", decl)
        if sub:
            inner = struct_members(text, sub.group(1))
            if inner is None:
                return None
            res += ["%s.%s" % (name, n) for n, _ in inner]
        else:
            res.append(name)
    return res


def table_members(design):
    """Members named (in backticks) in the first column of §4's table."""
    m = re.search(r"^## 4\. .*?(?=^## 5\. |\Z)", design, re.S | re.M)
    if not m:
        return None
    res = []
    for line in m.group(0).split("\n"):
        if not line.startswith("| `"):
            continue
        first = line.split("|")[1]
        res += re.findall(r"`([\w.]+)`", first)
    return res


def main():
    ops_h, design_md = (sys.argv[1:3] if len(sys.argv) >= 3
                        else ("include/paravirt/ops.h", "docs/design.md"))
    bad = []
    ops = ops_members(strip(open(ops_h).read()))
    table = table_members(open(design_md).read())
    if not ops:
        bad.append("%s: no struct paravirt_ops (or a sub-struct) found" % ops_h)
    if table is None:
        bad.append("%s: no section \"## 4.\"" % design_md)
    if ops and table is not None:
        for o in ops:
            if o not in table:
                bad.append("%s: struct paravirt_ops member %s is not in design §4's table (%s)"
                           % (design_md, o, ops_h))
        for t in table:
            if t not in ops:
                bad.append("%s: design §4's table names %s, which struct paravirt_ops has not"
                           % (design_md, t))
    if len(sys.argv) < 3:
        files = subprocess.run(["git", "ls-files", "*.c", "*.h", "*.asm"], capture_output=True,
                               text=True, check=True).stdout.split()
        for f in files:
            if f.startswith("paravirt/") or f in ("include/paravirt/ops.h", "tests/unit/hostpv.c"):
                continue
            text = open(f, encoding="utf-8", errors="replace").read()
            if f.endswith(".asm"):
                text = re.sub(r";[^\n]*", "", text)
            else:
                text = strip(text)
            for no, line in enumerate(text.split("\n"), 1):
                if re.search(r"\bpv_ops\b", line):
                    bad.append("%s:%d: names pv_ops outside paravirt/ (call the wrappers of <paravirt/ops.h>)"
                               % (f, no))
    for b in bad:
        print(b)
    print("pv_contract: %d members of struct paravirt_ops, %d named in design §4's table, %d findings"
          % (len(ops or []), len(table or []), len(bad)), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
