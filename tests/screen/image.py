"""image.py — QEMU screendump (PPM) to PNG, and to a clean page for OCR.

Pure Python (zlib only): no imaging package is needed for what the screen
test does to a screenshot.
"""
import struct
import zlib


def read_ppm(path):
    """(width, height, rgb bytes) of a binary PPM (P6, maxval 255), as
    QEMU's screendump writes it."""
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError("%s: not a P6 PPM with maxval 255" % path)
    w, h = int(fields[1]), int(fields[2])
    rgb = data[pos:pos + 3 * w * h]
    if len(rgb) != 3 * w * h:
        raise ValueError("%s: truncated (%d of %d bytes)" % (path, len(rgb), 3 * w * h))
    return w, h, rgb


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def write_png(path, w, h, rgb):
    raw = b"".join(b"\0" + rgb[y * 3 * w:(y + 1) * 3 * w] for y in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b""))


def write_ocr_page(path, w, h, rgb, scale=2):
    """A grey-scale PGM for tesseract: light text on a dark screen becomes
    black on white, thresholded, scaled up `scale` times (small bitmap
    fonts read far better that way)."""
    grey = bytes(255 if max(rgb[i], rgb[i + 1], rgb[i + 2]) < 96 else 0
                 for i in range(0, len(rgb), 3))
    rows = []
    for y in range(h):
        line = grey[y * w:(y + 1) * w]
        wide = bytes(b for b in line for _ in range(scale))
        rows.extend([wide] * scale)
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (w * scale, h * scale))
        f.write(b"".join(rows))
