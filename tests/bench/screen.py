#!/usr/bin/env python3
"""screen.py — what the screen console costs: the 1G/4k trace boot with and
without a screen, in guest instructions.

    tests/bench/screen.py [--build build] [--out build/bench]

Boots the kernel under QEMU -icount shift=0,sleep=off (TCG; the TSC then
counts guest instructions, so the counts are deterministic) with 1 GiB of
RAM and pt.maxpage=4k: by direct PVH boot (no screen), and from GRUB ISOs
under SeaBIOS in VGA text mode and in VBE framebuffer modes, and under OVMF
(GOP).  From each run it takes the kernel's own counts:

  kmain_tsc     instructions from kmain's entry to just before the trace's end
  screen_tsc    of those, the instructions spent painting the screen
                (the log's replay included), counted by the console multiplexer
  mm_setup_tsc  instructions in mm_init (must not depend on the screen)

and writes <out>/screen.md with the exact commands.  UEFI is not among the
configurations: under -icount sleep=off OVMF's timed waits are paid in
instructions and one boot had not finished after 5 minutes; OVMF's GOP mode here is
800x600 at 24 bpp, the 800x600x24 VBE configuration runs the same code.  The first configuration
runs twice: its counts must not move.  Not part of make check.
"""
import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from mdtable import md_table

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
QEMU = "qemu-system-x86_64"
OVMF_CODE, OVMF_VARS = "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"
CMDLINE = "pt.maxpage=4k"

# name, boot (pvh | bios | uefi), GRUB gfxpayload
CONFIGS = [
    ("iso-bios-vbe-800x600x32", "bios", "800x600x32"),
    ("pvh-no-screen", "pvh", ""),
    ("iso-bios-vga-text", "bios", ""),
    ("iso-bios-vbe-1024x768x32", "bios", "1024x768x32"),
    ("iso-bios-vbe-800x600x24", "bios", "800x600x24"),
]


def shell(args):
    return " ".join(a if re.fullmatch(r"[\w./,=:+-]+", a) else "'%s'" % a for a in args)


def command(build, out, name, boot, gfx):
    a = [QEMU, "-accel", "tcg", "-icount", "shift=0,sleep=off", "-M", "pc", "-cpu", "qemu64",
         "-m", "1G", "-display", "none", "-serial", "stdio", "-no-reboot",
         "-device", "isa-debug-exit,iobase=0x501,iosize=2"]
    if boot == "pvh":
        return a + ["-kernel", str(build / "topdown.elf"), "-append", CMDLINE]
    iso = out / ("screen-%s.iso" % (gfx or "default"))
    if not iso.exists():
        subprocess.run([str(REPO / "tools" / "mkiso.sh"), str(build / "topdown.elf"), str(iso),
                        CMDLINE, gfx], check=True)
    if boot == "uefi":
        vars_ = out / ("screen-%s.vars.fd" % name)
        shutil.copyfile(OVMF_VARS, vars_)
        a += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
              "-drive", "if=pflash,format=raw,unit=1,file=%s" % vars_]
    return a + ["-cdrom", str(iso)]


def run(build, out, name, boot, gfx):
    args = command(build, out, name, boot, gfx)
    t0 = time.monotonic()
    p = subprocess.run(args, capture_output=True, timeout=900)
    log = p.stdout.decode(errors="replace")
    (out / ("screen-%s.log" % name)).write_text(log)
    r = {"name": name, "cmd": shell(args), "wall": time.monotonic() - t0, "error": None}
    if "topdown: result: PASS" not in log or p.returncode != 33:
        r["error"] = "exit %d, no PASS" % p.returncode
        return r
    m = re.search(r"bench: kmain_tsc=(\d+) screen_tsc=(\d+)", log)
    mm = re.search(r"bench: mm_setup_tsc=(\d+)", log)
    if not m or not mm:
        r["error"] = "no bench: lines"
        return r
    r["kmain"], r["screen"], r["mm"] = int(m.group(1)), int(m.group(2)), int(mm.group(1))
    scr = [l.strip() for l in log.splitlines() if l.startswith("screen:")]
    r["screen_lines"] = scr
    r["out_bytes"] = len(log.split("topdown: booting", 1)[-1])
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=str(REPO / "build"))
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    build = Path(a.build).resolve()
    out = Path(a.out).resolve() if a.out else build / "bench"
    out.mkdir(parents=True, exist_ok=True)
    for iso in out.glob("screen-*.iso"):
        iso.unlink()
    print("bench: accel tcg (forced: -icount counts guest instructions only under TCG)", flush=True)
    rows = []
    for name, boot, gfx in CONFIGS:
        r = run(build, out, name, boot, gfx)
        print("bench: %-26s %s" % (name, r["error"] or "kmain %d screen %d mm %d" % (r["kmain"], r["screen"], r["mm"])),
              flush=True)
        rows.append(r)
    again = run(build, out, CONFIGS[0][0] + "-again", CONFIGS[0][1], CONFIGS[0][2])
    det = (not again["error"] and not rows[0]["error"] and
           (again["kmain"], again["screen"], again["mm"]) == (rows[0]["kmain"], rows[0]["screen"], rows[0]["mm"]))
    ver = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    lines = ["# The screen console's cost: 1G, pt.maxpage=4k, guest instructions", "",
             "Made by `tests/bench/screen.py` (make bench-screen) on %s, %s."
             % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), ver), "",
             "`kmain` = instructions from kmain's entry to the end of the self-check (all "
             "printing included); `screen` = the part of them spent painting the screen "
             "(counted by the console multiplexer around the screen console, replay of the "
             "early log included); `kmain - screen` = the same boot without the screen; "
             "`mm_init` = the page-table setup alone.", ""]
    table = []
    for r in rows:
        if r["error"]:
            table.append((r["name"], r["error"]))
            continue
        desc = "; ".join(re.sub(r"^screen: ", "", l) for l in r["screen_lines"][:2])
        desc = re.sub(r", (setup and )?replay took \d+ tsc", "", desc)
        table.append((r["name"], r["kmain"], r["screen"], r["kmain"] - r["screen"],
                      "%.1f%%" % (100.0 * r["screen"] / r["kmain"]), r["mm"], desc))
    lines += md_table([("configuration", "l"), ("kmain", "r"), ("screen", "r"),
                       ("kmain - screen", "r"), ("screen share", "r"), ("mm_init", "r"),
                       ("screen", "l")], table)
    lines += ["", "Deterministic: %s (%s run twice: %s)" % (
        "yes" if det else "NO", CONFIGS[0][0],
        "same counts" if det else "counts differ or a run failed"), "", "Commands:", ""]
    lines += ["    %s" % r["cmd"] for r in rows]
    (out / "screen.md").write_text("\n".join(lines) + "\n")
    print("bench: wrote %s" % (out / "screen.md"))
    return 0 if det and not any(r["error"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
