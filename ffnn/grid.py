"""Evaluate a network on a regular G x G grid over the input plane, for decision-boundary and
regression-surface pictures."""

from functools import lru_cache

import numpy as np

from ffnn import _validate as check
from ffnn.datasets import EXTENT, check_features, feature_matrix


def grid_axes(extent=EXTENT, resolution=100):
    """xs (G,), ys (G,): G = resolution evenly spaced values from -extent to extent."""
    extent = check.positive_finite("extent", extent)
    g = check.integer("resolution", resolution, 2, 400)
    xs = np.linspace(-extent, extent, g)
    return xs, xs.copy()


def grid_inputs(features=("x1", "x2"), extent=EXTENT, resolution=100):
    """X (G*G, F), read-only and cached: row r holds the features of the point
    (x1, x2) = (xs[r % G], ys[r // G]), so x1 varies fastest."""
    features = check_features(features)
    extent = check.positive_finite("extent", extent)
    g = check.integer("resolution", resolution, 2, 400)
    return _grid_inputs(features, extent, g)


@lru_cache(maxsize=16)
def _grid_inputs(features, extent, resolution):
    xs, ys = grid_axes(extent, resolution)
    x1, x2 = np.meshgrid(xs, ys)  # (G, G) each: x1[i, j] = xs[j], x2[i, j] = ys[i]
    X = feature_matrix(np.column_stack([x1.ravel(), x2.ravel()]), features)
    X.flags.writeable = False  # shared by every caller: nobody may change it
    return X


def predict_grid(net, features=("x1", "x2"), extent=EXTENT, resolution=100):
    """xs (G,), ys (G,), Z (G, G, k) with Z[i, j] = net.forward at (x1=xs[j], x2=ys[i]):
    rows of Z follow ys, so Z can be painted as a heatmap directly."""
    X = grid_inputs(features, extent, resolution)
    _check_net(net, features)
    xs, ys = grid_axes(extent, resolution)
    Z = np.asarray(net.forward(X))
    return xs, ys, Z.reshape(len(ys), len(xs), -1)


def _check_net(net, features):
    """The net must look like an ffnn.Network whose input width is len(features)."""
    sizes = getattr(net, "sizes", None)
    if not callable(getattr(net, "forward", None)) or not sizes:
        raise ValueError(f"net must be an ffnn.Network (with .sizes and .forward); got {net!r}")
    if sizes[0] != len(features):
        raise ValueError(f"features must give the network's {sizes[0]} inputs; "
                         f"got {len(features)}: {', '.join(features)}")
