"""Speed of one full-batch training step (forward, backward, update): `python bench/train_step.py`.

Prints microseconds per step of ffnn's Trainer for three sizes and, when PyTorch is importable,
the same step in PyTorch eager on the CPU (one thread, same shapes, same dtype) and the ratio.
Both sides run in one process, alternating, so a noisy machine affects them alike. NumPy's BLAS
is held to one thread too (the script re-executes itself with OPENBLAS_NUM_THREADS=1 and
friends), so the comparison is one core against one core.
"""

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

# (name, sizes, training points, dtype, the target: ffnn must be this many times faster)
CASES = [
    ("playground 2-4-2-2", [2, 4, 2, 2], 250, "float64", 4.0),
    ("medium 2-16-16-16-3", [2, 16, 16, 16, 3], 1_000, "float64", 2.0),
    ("large 2-64-64-64-64-5", [2, 64, 64, 64, 64, 5], 10_000, "float32", 1.0),
]


def _data(sizes, N):
    import numpy as np
    rng = np.random.default_rng(0)
    return rng.normal(size=(N, sizes[0])) * 3, rng.integers(0, sizes[-1], N)


def time_ffnn(sizes, N, dtype, steps):
    from ffnn import Network, Trainer
    X, y = _data(sizes, N)
    net = Network(sizes, activation="tanh", output="softmax", loss="cross_entropy",
                  dtype=dtype)
    tr = Trainer(net, X, y, lr=0.01, max_iterations=10**9)
    tr.step(20)                                  # warm up
    t0 = time.perf_counter()
    tr.step(steps)
    return (time.perf_counter() - t0) / steps * 1e6


def time_torch(sizes, N, dtype, steps):
    import torch
    torch.set_num_threads(1)
    X, y = _data(sizes, N)
    dt = getattr(torch, dtype)
    layers = []
    for i, (m, n) in enumerate(itertools.pairwise(sizes)):
        layers.append(torch.nn.Linear(m, n, dtype=dt))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    Xt, yt = torch.tensor(X, dtype=dt), torch.tensor(y)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(Xt), yt)
        loss.backward()
        opt.step()
        return loss.item()   # ffnn's step hands back the loss as a Python float too

    for _ in range(20):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps * 1e6


def _steps_for(N, width):
    return max(20, int(2_000_000 / (N * width)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="alternating rounds per case")
    args = parser.parse_args(argv)
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
        print("PyTorch not importable: ffnn figures only (pip install torch==2.13.0 to compare)")
    print(f"{'case':<24} {'dtype':<8} {'ffnn µs':>10} {'torch µs':>10} {'speed-up':>9} "
          f"{'target':>7}")
    for name, sizes, N, dtype, target in CASES:
        steps = _steps_for(N, max(sizes))
        ours, theirs = [], []
        for _ in range(args.repeats):
            ours.append(time_ffnn(sizes, N, dtype, steps))
            if have_torch:
                theirs.append(time_torch(sizes, N, dtype, steps))
        a = min(ours)
        if have_torch:
            b = min(theirs)
            verdict = "ok" if b / a >= target else "MISSED"
            print(f"{name:<24} {dtype:<8} {a:>10.1f} {b:>10.1f} {b / a:>8.2f}× {target:>5.1f}× "
                  f"{verdict}")
        else:
            print(f"{name:<24} {dtype:<8} {a:>10.1f}")


if __name__ == "__main__":
    if any(os.environ.get(v) != "1" for v in THREAD_VARS):
        env = dict(os.environ, **{v: "1" for v in THREAD_VARS})
        os.execve(sys.executable, [sys.executable, __file__, *sys.argv[1:]], env)
    main()
