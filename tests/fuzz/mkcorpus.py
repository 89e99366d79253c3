#!/usr/bin/env python3
"""tests/fuzz/mkcorpus.py — write the seed corpora (tests/fuzz/corpus/<harness>/).

Run from the repository root: python3 tests/fuzz/mkcorpus.py
The byte format is described in fuzz_common.h, fuzz_memmap.c and fuzz_build.c.
"""
import os
import struct

K, M, G, T = 1 << 10, 1 << 20, 1 << 30, 1 << 40
USABLE, RESERVED, ACPI, NVS, UNUSABLE = 1, 2, 3, 4, 5


def enc_value(v):
    """(shift, le32) with le32 << shift == v (v must allow it)."""
    if v == 0:
        return 0, 0
    s = 0
    while v >> s > 0xffffffff:
        s += 1
    assert (v >> s) << s == v and v >> s <= 0xffffffff, hex(v)
    return s, v >> s


def entry(start, size, typ):
    ss, sv = enc_value(start)
    zs, zv = enc_value(size)
    return struct.pack('<BBBII', ss, zs, typ, sv, zv)


def qemu(ram, q35=False):
    low_max = (2 * G if ram >= 0xb0000000 else ram) if q35 else (0xe0000000 if ram >= 0xe0000000 else ram)
    low = min(ram, low_max)
    e = [(0, 0x9fc00, USABLE), (0x9fc00, 0x400, RESERVED), (0xf0000, 0x10000, RESERVED),
         (M, low - M - 128 * K, USABLE), (low - 128 * K, 128 * K, ACPI),
         (0xfeffc000, 16 * K, RESERVED), (0xfffc0000, 256 * K, RESERVED)]
    if ram > low:
        e.append((4 * G, ram - low, USABLE))
    return e


def mapbytes(entries):
    return b''.join(entry(*x) for x in entries)


def write(harness, name, data):
    d = os.path.join('tests', 'fuzz', 'corpus', harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


MAXPHY = lambda bits: bytes([bits - 32])          # fuzz_memmap header

memmap_seeds = {
    'pc-128M': (46, qemu(128 * M)),
    'pc-4G': (46, qemu(4 * G)),
    'q35-16G': (52, qemu(16 * G, True)),
    'overlaps': (46, [(0, 2 * G, USABLE), (512 * M, 16 * M, ACPI), (520 * M, 32 * M, RESERVED),
                      (G + 2 * K, 8 * K, NVS), (M, G, USABLE)]),
    'unaligned': (46, [(0x800, 0x9f000, USABLE), (0x100123, 37 * M + 0x456, USABLE),
                       (40 * M + 0x10, 300 * M + 0x2345, USABLE)]),
    'unsorted-zero': (40, [(4 * G, G, USABLE), (0, 0, USABLE), (M, 63 * M, USABLE),
                           (2 * M, 4 * K, 9), (1 << 50, 0, RESERVED)]),
    'type0': (46, [(0, 64 * M, USABLE), (M, M, 0)]),
    'at-limit': (36, [(M, (1 << 36) - M, USABLE)]),
    'above-limit': (36, [(M, 63 * M, USABLE), (1 << 35, 1 << 35 + 1, RESERVED)]),
    'wrap': (52, [(M, 63 * M, USABLE), (0xfffff000 << 32, 1 << 56, RESERVED)]),
    'no-usable': (46, [(0, M, RESERVED), (M, 0x800, USABLE)]),
}
for name, (bits, e) in memmap_seeds.items():
    write('memmap', name, MAXPHY(bits) + mapbytes(e))
write('memmap', 'empty', MAXPHY(46))


def build_header(level, brk=16, bits=46, nx=True, ro=False, boot=(), pin=False):
    ro = ro or pin
    b0 = (level - 1) | (0 if nx else 4) | (8 if ro else 0) | (16 if pin else 0)
    b1 = (brk - 16) % 9 if ro else (brk - 9) % 16
    h = bytes([b0, b1, bits - 36, len(boot)])
    for s, e in boot:
        h += struct.pack('<II', s >> 12, e - s)
    return h


build_seeds = [
    ('pc-128M-4k', build_header(1), qemu(128 * M)),
    ('pc-128M-2m', build_header(2), qemu(128 * M)),
    ('pc-128M-1g', build_header(3), qemu(128 * M)),
    ('pc-4G-2m', build_header(2), qemu(4 * G)),
    ('q35-16G-1g', build_header(3), qemu(16 * G, True)),
    ('pc-64M-initrd-4k', build_header(1, boot=[(40 * M, 60 * M), (0x10000, 0x10800)]), qemu(64 * M)),
    ('ro-pc-64M-4k', build_header(1, ro=True), qemu(64 * M)),
    ('ro-pc-2G-2m', build_header(2, ro=True), qemu(2 * G)),
    ('pin-pc-4G-2m', build_header(2, pin=True), qemu(4 * G)),
    ('pin-pc-4G-1g', build_header(3, pin=True), qemu(4 * G)),
    ('pin-pc-32M-4k', build_header(1, pin=True), qemu(32 * M)),
    ('nonx-holes-2m', build_header(2, nx=False),
     [(M, 100 * M, USABLE)] + [(G + i * 70 * M + i * 4096, 9 * M + i * 8192, USABLE) for i in range(12)]),
    ('high-only-1g', build_header(3), [(M, 512 * K, USABLE), (4 * G, 4 * G, USABLE), (12 * G + 2 * M, 3 * G, USABLE)]),
    ('image-outside-2m', build_header(2), [(2 * M, 62 * M, USABLE)]),
    ('sparse-1T-1g', build_header(3), [(M, G, USABLE), (100 * G, 2 * M, USABLE),
                                       (511 * G + 512 * M, G, USABLE), (T - 4 * K, 4 * K, USABLE)]),
    ('brk9-2m', build_header(2, brk=9), qemu(512 * M)),
    # maps really too small for a 9-page brk (the oracle must agree with mm's
    # "RAM too small"; test_build.c limit/top-sliver, limit/islands-below-start)
    # ... and one that is not: boot data over the top 8 MiB, a 9-page brk (a
    # builder that started at the top of RAM would say "RAM too small" here)
    ('initrd-top-brk9-4k', build_header(1, brk=9, boot=[(24 * M, 32 * M - 128 * K)]), qemu(32 * M)),
    ('too-small-sliver-2m', build_header(2, brk=9), [(4 * K, G, USABLE)]),
    ('too-small-sliver-1g', build_header(3, brk=9), [(4 * K, G, USABLE)]),
    ('too-small-islands-1g', build_header(3, brk=9, boot=[(2 * G, 3 * G)]),
     [(M, G, USABLE), (G + 51 * M, 2 * M - 4 * K, USABLE), (G + 100 * M, 4 * K, USABLE), (2 * G, G, USABLE)]),
]
for name, h, e in build_seeds:
    write('build', name, h + mapbytes(e))
