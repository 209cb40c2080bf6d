"""PNG bytes from an RGBA array, by Pillow.

The decision regions are sent as a picture in the figure's layout: the browser then swaps one
image per frame instead of re-rendering a heatmap and every data point (figures: docs/design.md,
"Measurements behind the code")."""

import io

import numpy as np
from PIL import Image


def encode_png(rgba):
    """rgba (H, W, 4) uint8, row 0 at the top -> PNG bytes (8-bit RGBA).

    zlib level 1: a third of the time of Pillow's default for a slightly larger picture (see
    docs/design.md, "Measurements behind the code")."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba, dtype=np.uint8)).save(buf, format="PNG",
                                                                      compress_level=1)
    return buf.getvalue()


def decode_png(raw):
    """PNG bytes -> (H, W, 4) uint8, row 0 at the top (tests read pictures back with it)."""
    with Image.open(io.BytesIO(raw)) as img:
        return np.asarray(img.convert("RGBA"))
