#!/usr/bin/env python3
"""tests/build/links.py [FILE.md...] — every relative link in the tree's
Markdown files names a file that exists, and every #anchor a heading of that
file (GitHub's slugs).  Prints one line per broken link; exit 1 if any."""
import os, re, subprocess, sys

def slug(h):
    h = re.sub(r"[`*_]|\[|\]\([^)]*\)", lambda m: "" , h.strip().lower())
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")

def anchors(path):
    out, seen, fence = set(), {}, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
        if fence:
            continue
        m = re.match(r"#{1,6} (.*)", line)
        if m:
            s = slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else "%s-%d" % (s, n))
    return out

def main():
    files = sys.argv[1:] or subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "*.md"], capture_output=True,
                                           text=True, check=True).stdout.split()
    bad = n = 0
    for f in files:
        fence = False
        for i, line in enumerate(open(f, encoding="utf-8"), 1):
            if line.startswith("```"):
                fence = not fence
            if fence:
                continue
            for target in re.findall(r"\]\(([^)\s]+)\)", re.sub(r"`[^`]*`", "", line)):
                if re.match(r"[a-z]+:", target):
                    continue
                n += 1
                path, _, anchor = target.partition("#")
                dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
                if not os.path.exists(dest):
                    print("%s:%d: %s: no such file" % (f, i, target)); bad += 1
                elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
                    print("%s:%d: %s: no heading #%s in %s" % (f, i, target, anchor, dest)); bad += 1
    print("links: %d checked in %d files, %d broken" % (n, len(files), bad))
    return 1 if bad else 0

sys.exit(main())
