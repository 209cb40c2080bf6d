"""A minimal PNG encoder (zlib from the standard library): an RGBA array in, bytes out.

The decision regions are sent as a picture in the figure's layout: the browser then swaps one
image per frame instead of re-rendering a heatmap and every data point (measured: Plotly's
redraw of a 6,400-cell heatmap plus 500 points kept the page's main thread 70-80% busy)."""

import struct
import zlib

import numpy as np


def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def encode_png(rgba):
    """rgba (H, W, 4) uint8, row 0 at the top -> PNG bytes (8-bit RGBA, no filtering)."""
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    h, w, _ = rgba.shape
    rows = np.zeros((h, 1 + 4 * w), dtype=np.uint8)       # filter byte 0 before each row
    rows[:, 1:] = rgba.reshape(h, 4 * w)
    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + _chunk(b"IEND", b""))


def decode_png(raw):
    """The inverse of encode_png for its own output (tests use it): -> (H, W, 4) uint8."""
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(raw):
        (n,) = struct.unpack(">I", raw[pos:pos + 4])
        kind = raw[pos + 4:pos + 8]
        chunks[kind] = chunks.get(kind, b"") + raw[pos + 8:pos + 8 + n]
        pos += 12 + n
    w, h = struct.unpack(">II", chunks[b"IHDR"][:8])
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8).reshape(h, 1 + 4 * w)
    return rows[:, 1:].reshape(h, w, 4)
