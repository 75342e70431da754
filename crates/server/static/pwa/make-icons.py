#!/usr/bin/env python3
"""Draws the online hall's app icons (icon-192.png, icon-512.png): a white hall — roof,
beam, four pillars, steps — on the site's red, full bleed so the icon may be masked
(the hall stays inside the central safe zone). Standard library only; run from this
folder. icon.svg is the same drawing by hand."""
import struct
import zlib

RED = (0xB3, 0x26, 0x1E)
WHITE = (0xFF, 0xFF, 0xFF)


def inside(x, y):
    """Is the point (on a 512 grid) on the white hall?"""
    # Roof: a triangle with its apex at (256, 132) and its base from 124 to 388 at y 218.
    if 132 <= y <= 218:
        half = (y - 132) * (132 / 86)
        if abs(x - 256) <= half:
            return True
    rects = [
        (144, 230, 368, 250),  # beam
        (156, 262, 180, 362),  # pillars
        (214, 262, 238, 362),
        (274, 262, 298, 362),
        (332, 262, 356, 362),
        (128, 372, 384, 390),  # steps
        (108, 400, 404, 418),
    ]
    return any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in rects)


def draw(size, samples=4):
    rows = []
    scale = 512 / size
    for py in range(size):
        row = bytearray([0])  # filter: none
        for px in range(size):
            hits = 0
            for sy in range(samples):
                for sx in range(samples):
                    x = (px + (sx + 0.5) / samples) * scale
                    y = (py + (sy + 0.5) / samples) * scale
                    hits += inside(x, y)
            a = hits / (samples * samples)
            row += bytes(round(RED[i] * (1 - a) + WHITE[i] * a) for i in range(3))
        rows.append(bytes(row))
    return b"".join(rows)


def png(size):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    head = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(draw(size), 9)) + chunk(b"IEND", b"")


for size in (192, 512):
    with open(f"icon-{size}.png", "wb") as f:
        f.write(png(size))
