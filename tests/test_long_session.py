"""A long session: 100,000 updates keep memory bounded (history and snapshots are thinned),
and the history's size stops growing while its first and latest rows stay."""

import tracemalloc

import numpy as np

from ffnn import Network, Trainer


def test_history_and_snapshots_stop_growing_over_100k_iterations():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 2)), rng.integers(0, 2, 16)
    tr = Trainer(Network([2, 4, 2]), X, y, lr=0.01, max_iterations=100_000,
                 X_test=X, y_test=y)
    sizes, snaps, peaks = [], [], []
    for i in range(10):
        if i == 4:
            tracemalloc.start()          # traced from t = 40,000 on (tracing makes steps 4x slower)
        tr.step(10_000)
        sizes.append(len(tr.history))
        snaps.append(len(tr.snapshots()[0]))
        peaks.append(tracemalloc.get_traced_memory()[0] if i >= 4 else None)
    tracemalloc.stop()
    assert tr.t == 100_000
    assert max(sizes) <= 4_001 and max(snaps) <= 1_001            # the caps
    assert sizes[-1] <= sizes[4] + 1 and snaps[-1] <= snaps[4] + 1  # stopped growing
    assert peaks[-1] < peaks[4] + 200_000         # bytes from t = 50,000: no steady growth
    steps = tr.history["step"].to_numpy()
    assert steps[0] == 1 and steps[-1] == 100_000 and (np.diff(steps) > 0).all()
    assert tr.snapshots()[0][-1] == 100_000 and tr.snapshots()[0][0] == 0
