#!/usr/bin/env python3
"""Writes crates/credence-web/static/header.png: the default profile header that Mastodon
clients are given (they expect a raster image at `header`). 1500x500, Mastodon's header size:
a left-to-right gradient from the brand teal (#0b5563) to a lighter teal. Python's standard
library only (zlib); run it again to regenerate.

Every row is the same, so each row after the first is stored with PNG filter 2 ("Up") as
zeros, and the file stays a few kilobytes."""

import struct
import zlib
from pathlib import Path

WIDTH, HEIGHT = 1500, 500
START, END = (0x0B, 0x55, 0x63), (0x4F, 0x9A, 0xA6)


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def main() -> None:
    row = bytearray([0])  # filter 0 (None) for the first row
    for x in range(WIDTH):
        t = x / (WIDTH - 1)
        row += bytes(round(a + (b - a) * t) for a, b in zip(START, END))
    same_as_above = bytes([2]) + bytes(WIDTH * 3)  # filter 2 (Up): no change from the row above
    raw = bytes(row) + same_as_above * (HEIGHT - 1)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
    out = Path(__file__).resolve().parent.parent / "crates/credence-web/static/header.png"
    out.write_bytes(png)
    print(f"wrote {out} ({len(png)} bytes)")


if __name__ == "__main__":
    main()
