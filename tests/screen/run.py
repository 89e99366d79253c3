#!/usr/bin/env python3
"""run.py — the screen test: boot the ISO, read the screen, find the result line.

    tests/screen/run.py [--build build] [--results FILE] [--only NAME[,NAME...]] [-j N] [--list]

Each case boots build/tests/screen/<iso> in QEMU (TCG) under SeaBIOS or OVMF
*without* isa-debug-exit, so that after the result line the kernel halts and
the screen stays as it is.  Once the result line is on the serial port the
script asks QEMU's monitor (QMP) for a `screendump` (PPM), keeps it as
build/tests/screen/<name>.png, turns it into a black-on-white page and reads it
with tesseract (Debian's tesseract-ocr).  A case passes only when

  - the serial log ends with the expected result line and says which
    screen console the kernel used (vga-text / framebuffer), and
  - the OCR'd screen has a line containing the expected result line, both
    read with the classes of glyphs OCR confuses in this font folded into
    one (1/l/I/i/|, 0/O): "PASS" never reads as "FAIL" that way, but "1g"
    read as "ig" is not a failure of the kernel.

The screen is read up to three times (0.5 s, 2 s and 5 s after the result
line) before the case fails: the screen is painted right after the serial
line, but the host may be slow.  Exit status 0 when every case passed.
"""
import argparse
import concurrent.futures
import fnmatch
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "lib"))
import image  # noqa: E402
from qmp import Qmp  # noqa: E402

QEMU = "qemu-system-x86_64"
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
TIMEOUT = 120

# name, firmware, machine, mem, ISO cmdline, gfxpayload, console, result line
CASES = [
    ("bios-text", "bios", "pc", "1G", "", "", "vga-text", "topdown: result: PASS"),
    ("bios-vbe", "bios", "q35", "1G", "", "800x600x32", "framebuffer", "topdown: result: PASS"),
    ("uefi-q35", "ovmf", "q35", "1G", "", "", "framebuffer", "topdown: result: PASS"),
    ("uefi-pc", "ovmf", "pc", "512M", "pt.maxpage=4k", "", "framebuffer", "topdown: result: PASS"),
    # A panic before mm_init: the screen comes up through the boot tables.
    ("bios-text-early-panic", "bios", "pc", "128M", "pt.maxpage=8k", "", "vga-text",
     "topdown: result: PANIC: set_maxpage: pt.maxpage=8k: want 4k, 2m or 1g"),
    ("uefi-early-panic", "ovmf", "q35", "128M", "pt.maxpage=8k", "", "framebuffer",
     "topdown: result: PANIC: set_maxpage: pt.maxpage=8k: want 4k, 2m or 1g"),
]


OCR_FOLD = str.maketrans("lIi|O", "11110")


def ocr_has(text, want):
    want = want.translate(OCR_FOLD)
    return any(want in line.translate(OCR_FOLD) for line in text.splitlines())


def iso_for(build, out, cmdline, gfx):
    key = re.sub(r"[^A-Za-z0-9]+", "_", "%s_%s" % (cmdline, gfx)).strip("_") or "default"
    iso = out / ("topdown-%s.iso" % key)
    if not iso.exists():
        subprocess.run([str(REPO / "tools" / "mkiso.sh"), str(build / "topdown.elf"), str(iso),
                        cmdline, gfx], check=True, stdout=subprocess.DEVNULL)
    return iso


def ocr(ppm, png, page):
    w, h, rgb = image.read_ppm(ppm)
    image.write_png(png, w, h, rgb)
    image.write_ocr_page(page, w, h, rgb)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    r = subprocess.run(["tesseract", str(page), "-", "--psm", "6"], capture_output=True, env=env)
    if r.returncode:
        raise RuntimeError("tesseract failed: %s" % r.stderr.decode(errors="replace").strip()[-200:])
    return r.stdout.decode(errors="replace")


def run_case(case, build, out):
    name, fw, machine, mem, cmdline, gfx, console, want = case
    iso = iso_for(build, out, cmdline, gfx)
    log, qmp_path = out / (name + ".log"), out / (name + ".qmp")
    ppm, png, page, txt = (out / (name + ext) for ext in (".ppm", ".png", ".ocr.pgm", ".ocr.txt"))
    for p in (log, qmp_path, ppm, png, txt):
        if p.exists():
            p.unlink()
    args = [QEMU, "-accel", "tcg", "-M", machine, "-m", mem, "-display", "none",
            "-serial", "file:%s" % log, "-qmp", "unix:%s,server=on,wait=off" % qmp_path,
            "-no-reboot", "-cdrom", str(iso)]
    if fw == "ovmf":
        vars_copy = out / (name + ".vars.fd")
        vars_copy.write_bytes(Path(OVMF_VARS).read_bytes())
        args += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
                 "-drive", "if=pflash,format=raw,unit=1,file=%s" % vars_copy]
    (out / (name + ".cmd")).write_text(" ".join(args) + "\n")
    q = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        t0 = time.monotonic()
        deadline = t0 + TIMEOUT
        qmp = Qmp(qmp_path, deadline)
        while True:
            text = log.read_bytes().decode(errors="replace") if log.exists() else ""
            if "topdown: result:" in text and text.endswith("\n"):
                break
            if q.poll() is not None:
                return "QEMU exited (status %d) before the result line" % q.returncode
            if time.monotonic() > deadline:
                return "timeout after %ds: no result line on serial" % TIMEOUT
            time.sleep(0.2)
        lines = [l.rstrip("\r") for l in text.splitlines()]
        results = [l for l in lines if l.startswith("topdown: result:")]
        if results != [want]:
            return "serial result line(s) %r, want %r" % (results, want)
        if not any(l.startswith("screen: %s " % console) for l in lines):
            return "serial log has no 'screen: %s' line" % console
        got = ""
        for delay in (0.5, 1.5, 3.0):
            time.sleep(delay)
            qmp.cmd("screendump", filename=str(ppm))
            for _ in range(50):                     # written asynchronously
                if ppm.exists() and ppm.stat().st_size > 0:
                    break
                time.sleep(0.1)
            got = ocr(ppm, png, page)
            txt.write_text(got)
            if ocr_has(got, want):
                return None
        return "OCR of %s did not find %r (read %d lines, see %s)" % (png.name, want,
                                                                     len(got.splitlines()), txt)
    finally:
        if q.poll() is None:
            q.kill()
        q.wait()
        for p in (qmp_path, ppm, page):
            if p.exists():
                p.unlink()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--results", help="append PASS/FAIL lines here")
    ap.add_argument("--only", help="comma-separated names or shell patterns")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="QEMUs at once (default 2)")
    a = ap.parse_args()
    build = Path(a.build).resolve()
    cases, skipped = CASES, []
    if a.only:
        pats = a.only.split(",")
        cases = [c for c in CASES if any(fnmatch.fnmatch(c[0], p) for p in pats)]
        if not cases:
            sys.exit("screen: no case matches %r" % a.only)
        by = ("SCREEN_ONLY='%s'" if os.environ.get("SCREEN_ONLY") == a.only else "--only '%s'") % a.only
        skipped = ["SKIP screen/%s: not selected by %s" % (c[0], by) for c in CASES if c not in cases]
    if a.list:
        for c in cases:
            print(c[0])
        return 0
    for tool, pkg in (("tesseract", "tesseract-ocr"), (QEMU, "qemu-system-x86")):
        if subprocess.run(["sh", "-c", "command -v %s" % tool], stdout=subprocess.DEVNULL).returncode:
            sys.exit("screen: %s missing: apt-get install %s" % (tool, pkg))
    if not Path(OVMF_CODE).exists():
        sys.exit("screen: %s missing: apt-get install ovmf" % OVMF_CODE)
    out = build / "tests" / "screen"
    out.mkdir(parents=True, exist_ok=True)
    for iso in out.glob("topdown-*.iso"):               # the kernel may have changed
        iso.unlink()
    failed = 0
    res = open(a.results, "a") if a.results else None
    if res and skipped:                 # a case left out is counted, with why
        res.write("".join(line + "\n" for line in skipped))
        res.flush()
    print("screen: %d cases, accel tcg (the cases boot firmware + GRUB; TCG keeps them "
          "independent of the host)" % len(cases), flush=True)
    def one(c):
        t0 = time.monotonic()
        try:
            why = run_case(c, build, out)
        except Exception as e:          # a broken harness is a failure, never a pass
            why = "harness error: %s" % e
        dt = time.monotonic() - t0
        return (("PASS screen/%s %.1fs %s" % (c[0], dt, out / (c[0] + ".png"))) if why is None
                else "FAIL screen/%s: %s" % (c[0], why))

    for c in cases:                     # build the ISOs first, one at a time
        iso_for(build, out, c[4], c[5])
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for line in pool.map(one, cases):
            failed += line.startswith("FAIL")
            print(line, flush=True)
            if res:
                res.write(line + "\n")
                res.flush()
    print("screen: %d passed, %d failed, %d skipped" % (len(cases) - failed, failed, len(skipped)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
