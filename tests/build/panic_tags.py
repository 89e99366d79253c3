#!/usr/bin/env python3
"""panic_tags.py — every PANIC tag names the function that panics.

    tests/build/panic_tags.py [FILE ...]     (default: the tree's sources,
                                              from `git ls-files`)

A run ends with "PANIC: <func>: <reason>" (include/kernel/panic.h); <func>
is what a reader greps for, so it must be the function the panic happens
in.  Checked, without compiling (a reader's view of the source):

  C        panic_at(TAG, ...) and every call of a function that takes a
           `const char *func` tag parameter (xen_pv_pfn_to_mfn, map_args ...):
           TAG must be __func__, the enclosing function's own `func`
           parameter (passed on: it names the caller that asked), or a
           string literal equal to the enclosing function's name.
           panic(...) is panic_at(__func__, ...): always right.  A literal
           "PANIC: NAME:" inside a function must name that function.
  asm      a message "PANIC: NAME: ..." must name the label (not a .local
           one) of the code that loads the message.
  expected tags: tests/boot/cases.txt, tests/xen/cases.txt (panic=,
           panic~=), README.md and docs/*.md ("PANIC: NAME:") must name a
           function (or asm label) that exists in the tree.

Prints one line per violation; exit status 1 if there is any, else 0.
"""
import os
import re
import subprocess
import sys

CODE_EXT = (".c", ".h")


def strip_comments(s):
    """Comments and preprocessor lines become blanks; strings are kept."""
    out, i, n = [], 0, len(s)
    while i < n:
        c = s[i]
        if s.startswith("/*", i):
            j = s.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", s[i:j]))
            i = j
        elif s.startswith("//", i):
            j = s.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and s[j] != c:
                j += 2 if s[j] == "\\" else 1
            out.append(s[i:j + 1])
            i = j + 1
        elif c == "#" and (i == 0 or s[i - 1] == "\n"):
            j = i
            while True:                 # a directive, with its continuations
                k = s.find("\n", j)
                if k < 0:
                    k = n
                    break
                if s[k - 1] != "\\":
                    break
                j = k + 1
            out.append(re.sub(r"[^\n]", " ", s[i:k]))
            i = k
        else:
            out.append(c)
            i += 1
    return "".join(out)


ATTR = re.compile(r"__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)")


def functions(text):
    """[(name, params, body_start, body_end)] of the function definitions."""
    res, depth, i, n, last = [], 0, 0, len(text), 0
    start = None
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == "{":
            if depth == 0:
                head = ATTR.sub("", text[last:i])
                m = re.search(r"\b(\w+)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*$", head)
                start = (m.group(1), m.group(2), i) if m and "=" not in head[:m.start()] else None
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                if start:
                    res.append((start[0], start[1], start[2], i))
                start = None
                last = i + 1
        elif c == ";" and depth == 0:
            last = i + 1
        i += 1
    return res


def tag_params(text):
    """{function: index of its `const char *func` parameter} (prototypes too)."""
    res = {}
    for m in re.finditer(r"\b(\w+)\s*\(([^()]*\bconst\s+char\s*\*\s*func\b[^()]*)\)", text):
        params = [p.strip() for p in m.group(2).split(",")]
        for k, p in enumerate(params):
            if re.fullmatch(r"const\s+char\s*\*\s*func", p):
                res[m.group(1)] = k
    return res


def call_args(text, i):
    """The top-level arguments of the call whose '(' is at text[i]."""
    args, depth, j, cur = [], 0, i, i + 1
    while j < len(text):
        c = text[j]
        if c in "\"'":
            k = j + 1
            while k < len(text) and text[k] != c:
                k += 2 if text[k] == "\\" else 1
            j = k + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(text[cur:j].strip())
                return args
        elif c == "," and depth == 1:
            args.append(text[cur:j].strip())
            cur = j + 1
        j += 1
    return args


def line_of(text, i):
    return text.count("\n", 0, i) + 1


def check_c(path, text, taggers, bad):
    for name, params, lo, hi in functions(text):
        body = text[lo:hi]
        own_func = re.search(r"\bconst\s+char\s*\*\s*func\b", params) is not None
        for m in re.finditer(r"\b(\w+)\s*\(", body):
            callee = m.group(1)
            if callee not in taggers:
                continue
            args = call_args(body, m.end() - 1)
            k = taggers[callee]
            if k >= len(args):
                continue
            a = args[k]
            where = "%s:%d" % (path, line_of(text, lo + m.start()))
            if a == "__func__" or (a == "func" and own_func):
                continue
            lit = re.fullmatch(r'"(\w+)"', a)
            if lit and lit.group(1) == name:
                continue
            bad.append("%s: %s(... %s ...) in %s(): the tag must be __func__ (or \"%s\")"
                       % (where, callee, a, name, name))
        for m in re.finditer(r'"PANIC: (\w+):', body):
            if m.group(1) != name:
                bad.append("%s:%d: \"PANIC: %s:\" in %s()" % (path, line_of(text, lo + m.start()),
                                                             m.group(1), name))


def check_asm(path, text, bad):
    lines = text.split("\n")
    msgs = {}                           # label -> tag of its PANIC string
    label = None
    for ln in lines:
        m = re.match(r"^([A-Za-z_]\w*):", ln)
        if m:
            label = m.group(1)
        t = re.search(r'"PANIC: (\w+):', ln)
        if t and label:
            msgs[label] = t.group(1)
    code = None
    for no, ln in enumerate(lines, 1):
        m = re.match(r"^([A-Za-z_]\w*):", ln)
        if m:
            code = m.group(1)
        for msg, tag in msgs.items():
            if re.search(r"\b(mov|lea)\b[^;]*\b%s\b" % re.escape(msg), ln) and tag != code:
                bad.append("%s:%d: message %s says \"PANIC: %s:\", loaded in %s"
                           % (path, no, msg, tag, code))


def main():
    files = sys.argv[1:]
    if not files:
        files = subprocess.run(["git", "ls-files"], capture_output=True, text=True,
                               check=True).stdout.split()
    bad, texts, known = [], {}, set()
    for f in files:
        if f.endswith(CODE_EXT) or f.endswith(".asm"):
            try:
                texts[f] = open(f, encoding="utf-8", errors="replace").read()
            except OSError as e:
                bad.append("%s: %s" % (f, e))
    taggers = {"panic_at": 0}
    code = {f: strip_comments(t) for f, t in texts.items() if f.endswith(CODE_EXT)}
    for f, t in code.items():
        taggers.update(tag_params(t))
        known.update(name for name, _, _, _ in functions(t))
    for f, t in code.items():
        check_c(f, t, taggers, bad)
    for f, t in texts.items():
        if f.endswith(".asm"):
            check_asm(f, t, bad)
            known.update(re.findall(r"^([A-Za-z_]\w*):", t, re.M))
    # the tags the tests expect and the docs quote
    for f in files:
        if f in ("tests/boot/cases.txt", "tests/xen/cases.txt"):
            pat = r"\bpanic~?=['\"](\w+): "
        elif f == "README.md" or (f.startswith("docs/") and f.endswith(".md")):
            pat = r"PANIC: (\w+): "
        else:
            continue
        for no, ln in enumerate(open(f, encoding="utf-8"), 1):
            for m in re.finditer(pat, ln):
                if m.group(1) not in known and m.group(1) not in ("func", "function"):
                    bad.append("%s:%d: expects a PANIC from %s(), which no source defines"
                               % (f, no, m.group(1)))
    for b in bad:
        print(b)
    print("panic_tags: %d files, %d tag-taking functions, %d violations"
          % (len(texts), len(taggers), len(bad)), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
