"""linux.py — Debian's Linux kernel as the reference for `make bench` (used by bench.py).

What it provides, all cached under <cache> (build/bench/linux by default):

  prepare(cache, log)  -> dict with the package, its version, the bzImage, the ELF
                          vmlinux, and the two addresses the bench counts between:
                          start = entry of init_mem_mapping,
                          end   = the instruction after its call in setup_arch.

How, and why this way:

  * The package is the one Debian's `linux-image-amd64` depends on (apt-cache), fetched
    once with `apt-get download` (the same package family the Xen lab boots).
  * Symbols.  Debian's linux-image .deb ships a stub System.map ("The real System.map
    is in the linux-image-<version>-dbg package"); the -dbg package is ~860 MB.  Instead
    the kernel is asked: it is booted once (TCG, no -icount, `nokaslr`) with a tiny
    initramfs -- Debian's busybox-static and a script -- that prints the lines of
    /proc/kallsyms for setup_arch and init_mem_mapping plus the next few symbols by
    address.  The kernel's own kallsyms table (CONFIG_KALLSYMS_ALL) is the symbol
    source; with nokaslr the addresses are the link addresses, the same in every boot.
  * The call site.  The ELF vmlinux is unpacked from the bzImage's xz payload (Python's
    lzma) and setup_arch -- from its kallsyms address to the next symbol -- is
    disassembled with objdump.  Exactly one `call <init_mem_mapping>` must be there;
    the address after it is the end address.  That this call's target is the kallsyms
    address of init_mem_mapping is itself a check that symbols and binary agree.

Every failure raises LinuxError with one clear line; nothing falls back silently.
"""
import gzip
import hashlib
import json
import lzma
import os
import re
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

QEMU = "qemu-system-x86_64"
META = "linux-image-amd64"
BUSYBOX = "busybox-static"
SYMS = ("setup_arch", "init_mem_mapping")
SYMS_TIMEOUT = 600


class LinuxError(Exception):
    pass


def _run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def kernel_package():
    """The linux-image-<abi>-amd64 package linux-image-amd64 depends on."""
    def ask():
        out = _run(["apt-cache", "depends", META]).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) == 2 and f[0] == "Depends:" and re.fullmatch(r"linux-image-[0-9].*", f[1]):
                return f[1]
        return None
    pkg = ask()
    if pkg is None and os.geteuid() == 0:
        _run(["apt-get", "update", "-qq"])
        pkg = ask()
    if pkg is None:
        raise LinuxError("apt-cache cannot resolve %s (run apt-get update)" % META)
    return pkg


def candidate(pkg):
    out = _run(["apt-cache", "policy", pkg]).stdout
    m = re.search(r"^\s*Candidate:\s*(\S+)", out, re.M)
    if not m or m.group(1) == "(none)":
        raise LinuxError("apt has no candidate version of %s (run apt-get update)" % pkg)
    return m.group(1)


def fetch_deb(cache, pkg, ver, log):
    """cache/<pkg>_<ver>_<arch>.deb, downloaded with apt-get download when missing."""
    pattern = "%s_%s_*.deb" % (pkg, ver.replace(":", "%3a"))
    found = sorted(cache.glob(pattern))
    if found:
        return found[0]
    log("downloading %s=%s with apt-get download into %s" % (pkg, ver, cache))
    args = ["apt-get", "-q"]
    if os.geteuid() == 0:      # as root apt drops to _apt, which may not write the cache
        args += ["-o", "APT::Sandbox::User=root"]
    p = _run(args + ["download", "%s=%s" % (pkg, ver)], cwd=cache)
    found = sorted(cache.glob(pattern))
    if p.returncode != 0 or not found:
        raise LinuxError("apt-get download %s=%s failed: %s" % (
            pkg, ver, (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]))
    return found[0]


def deb_member(deb, member, dest):
    """Extract one file of a .deb's data archive (dpkg-deb --fsys-tarfile)."""
    p = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    found = False
    try:
        with tarfile.open(fileobj=p.stdout, mode="r|") as tar:
            for ti in tar:     # read to the end: dpkg-deb complains of a closed pipe
                if not found and ti.isfile() and ti.name.lstrip("./") == member.lstrip("/"):
                    with tar.extractfile(ti) as src, open(dest, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    found = True
    finally:
        p.stdout.close()
        p.wait()
    if not found:
        raise LinuxError("%s has no %s" % (deb.name, member))
    return dest


def unpack_vmlinux(bzimage, dest):
    """The ELF vmlinux inside a bzImage: the xz stream that decompresses to an ELF."""
    data = bzimage.read_bytes()
    for m in re.finditer(re.escape(b"\xfd7zXZ\x00"), data):
        try:
            elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[m.start():])
        except lzma.LZMAError:
            continue
        if elf[:4] == b"\x7fELF":
            dest.write_bytes(elf)
            return dest
    raise LinuxError("no xz-compressed ELF vmlinux found in %s (Debian builds with "
                     "CONFIG_KERNEL_XZ; a different compressor needs teaching here)" % bzimage)


def _cpio(entries):
    """A newc cpio archive of (name, mode, data-or-None, rdev) entries."""
    out = bytearray()

    def add(name, mode, data=b"", rdevmajor=0, rdevminor=0, ino=[0]):
        ino[0] += 1
        nm = name.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (
            ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, rdevmajor, rdevminor, len(nm), 0))
        out.extend(hdr.encode() + nm)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))
    for e in entries:
        add(*e)
    add("TRAILER!!!", 0)
    return bytes(out)


INIT = """#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo 0 > /proc/sys/kernel/kptr_restrict
echo "kallsyms-begin $(/bin/busybox wc -l < /proc/kallsyms)"
/bin/busybox sort /proc/kallsyms | /bin/busybox grep -A8 -E ' (%s)$'
echo kallsyms-end
/bin/busybox poweroff -f
""" % "|".join(SYMS)


def kallsyms(bzimage, busybox_deb, work, log):
    """Boot the kernel with a busybox initramfs; return {name: address} for SYMS and the
    address of the first symbol above setup_arch, plus the boot command and output."""
    bb = work / "busybox"
    deb_member(busybox_deb, "bin/busybox", bb)
    cpio = _cpio([
        ("bin", 0o040755), ("proc", 0o040755), ("dev", 0o040755),
        ("dev/console", 0o020600, b"", 5, 1),
        ("bin/busybox", 0o100755, bb.read_bytes()),
        ("init", 0o100755, INIT.encode()),
    ])
    initrd = work / "kallsyms.cpio.gz"
    initrd.write_bytes(gzip.compress(cpio, mtime=0))
    args = [QEMU, "-M", "q35", "-cpu", "qemu64", "-m", "512M", "-display", "none",
            "-serial", "stdio", "-no-reboot", "-kernel", str(bzimage), "-initrd", str(initrd),
            "-append", "nokaslr console=ttyS0 rdinit=/init panic=-1 quiet"]
    log("asking the kernel for its symbols (one boot without -icount, ~1 min)")
    t0 = time.monotonic()
    try:
        p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=SYMS_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise LinuxError("symbol boot timed out after %d s: %s" % (SYMS_TIMEOUT, " ".join(args)))
    text = p.stdout.decode("latin-1").replace("\r", "")
    (work / "kallsyms-boot.log").write_text(text)
    m = re.search(r"^kallsyms-begin (\d+)\n(.*?)^kallsyms-end$", text, re.M | re.S)
    if not m:
        raise LinuxError("symbol boot printed no kallsyms (see %s)" % (work / "kallsyms-boot.log"))
    nsyms = int(m.group(1))
    lines = [l.split() for l in m.group(2).splitlines()]
    syms = [(int(f[0], 16), f[1], f[2]) for f in lines if len(f) >= 3 and
            re.fullmatch(r"[0-9a-f]{16}", f[0])]
    addr = {}
    for a, t, n in syms:
        if n in SYMS and t in "tT":
            if n in addr and addr[n] != a:
                raise LinuxError("kallsyms has two %s (%#x, %#x)" % (n, addr[n], a))
            addr[n] = a
    for n in SYMS:
        if n not in addr:
            raise LinuxError("kallsyms has no text symbol %s" % n)
        if addr[n] < 0xffffffff80000000:
            raise LinuxError("%s at %#x: kptr_restrict hid the addresses" % (n, addr[n]))
    above = [a for a, _, _ in syms if a > addr["setup_arch"]]
    if not above:
        raise LinuxError("no symbol after setup_arch in the kallsyms output")
    addr["setup_arch_end"] = min(above)
    log("symbols: %d in kallsyms; setup_arch %#x..%#x, init_mem_mapping %#x (%.0f s)" % (
        nsyms, addr["setup_arch"], addr["setup_arch_end"], addr["init_mem_mapping"],
        time.monotonic() - t0))
    return addr, args, nsyms


def call_site(vmlinux, lo, hi, target):
    """Address of the instruction after the only `call target` in [lo, hi)."""
    p = _run(["objdump", "-d", "--no-show-raw-insn", "--start-address=%#x" % lo,
              "--stop-address=%#x" % hi, str(vmlinux)])
    if p.returncode != 0:
        raise LinuxError("objdump failed: %s" % p.stderr.strip()[-200:])
    insns = re.findall(r"^\s*([0-9a-f]+):\s+(\S.*)$", p.stdout, re.M)
    if len(insns) < 10:
        raise LinuxError("objdump found %d instructions in setup_arch [%#x, %#x)"
                         % (len(insns), lo, hi))
    sites = [i for i, (_, ins) in enumerate(insns)
             if re.fullmatch(r"call\s+(0x)?%x(\s+<.*>)?" % target, ins.strip())]
    if len(sites) != 1:
        raise LinuxError("setup_arch [%#x, %#x) has %d calls to %#x, want exactly 1"
                         % (lo, hi, len(sites), target))
    i = sites[0]
    if i + 1 >= len(insns):
        raise LinuxError("the call to init_mem_mapping is setup_arch's last instruction")
    return int(insns[i][0], 16), int(insns[i + 1][0], 16)


def prepare(cache, log):
    cache = Path(cache).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    pkg = kernel_package()
    ver = candidate(pkg)
    kver = pkg[len("linux-image-"):]
    deb = fetch_deb(cache, pkg, ver, log)
    work = cache / deb.name[:-len(".deb")]
    info_file = work / "symbols.json"
    if info_file.exists():
        info = json.loads(info_file.read_text())
        if info.get("deb") == deb.name and Path(info["bzimage"]).exists() \
                and Path(info["vmlinux"]).exists():
            return info
    bb_ver = candidate(BUSYBOX)
    bb_deb = fetch_deb(cache, BUSYBOX, bb_ver, log)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    bz = deb_member(deb, "boot/vmlinuz-%s" % kver, work / ("vmlinuz-%s" % kver))
    vmlinux = unpack_vmlinux(bz, work / ("vmlinux-%s" % kver))
    addr, boot_args, nsyms = kallsyms(bz, bb_deb, work, log)
    call, end = call_site(vmlinux, addr["setup_arch"], addr["setup_arch_end"],
                          addr["init_mem_mapping"])
    info = {
        "package": pkg, "version": ver, "deb": deb.name,
        "deb_sha256": hashlib.sha256(deb.read_bytes()).hexdigest(),
        "busybox": "%s=%s" % (BUSYBOX, bb_ver),
        "bzimage": str(bz), "vmlinux": str(vmlinux),
        "kallsyms_count": nsyms,
        "setup_arch": addr["setup_arch"], "setup_arch_end": addr["setup_arch_end"],
        "init_mem_mapping": addr["init_mem_mapping"],
        "call": call, "start": addr["init_mem_mapping"], "end": end,
        "symbols_cmd": boot_args,
    }
    log("init_mem_mapping %#x, called from %#x in setup_arch; counting to %#x"
        % (info["start"], call, end))
    tmp = info_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(info, indent=1))
    tmp.rename(info_file)
    return info
