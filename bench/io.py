"""Speeds of reading and making data (the tests assert only what they return): a 6 MB upload
refused from its size, a 5 MB one from its row count, and each data set at 100,000 points.

    python bench/io.py
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ffnn.datasets import DATASETS, FEATURES, make_dataset
from ffnn.io import read_points_csv


def timed(fn):
    start = time.perf_counter()
    try:
        fn()
    except ValueError:
        pass
    return time.perf_counter() - start


def main():
    big = b"1,2,0\n" * 1_000_000
    print(f"6 MB over the cap, refused: {timed(lambda: read_points_csv(big)):.4f} s")
    rng = np.random.default_rng(0)
    n = 230_000
    raw = ("x1,x2,label\n" + "".join(f"{a:.6f},{b:.6f},{c}\n" for a, b, c in zip(
        rng.normal(size=n), rng.normal(size=n), rng.integers(0, 2, n)))).encode()
    print(f"{len(raw) / 1e6:.1f} MB, 230,000 rows, refused: "
          f"{timed(lambda: read_points_csv(raw)):.3f} s")
    for name in DATASETS:
        took = timed(lambda n=name: make_dataset(n, 100_000, noise=0.5, features=tuple(FEATURES)))
        print(f"make_dataset({name!r}, 100_000): {took:.3f} s")


if __name__ == "__main__":
    main()
