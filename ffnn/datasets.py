"""Toy data sets in the plane [-6, 6]^2, ported from TensorFlow Playground's `dataset.ts` (plus
two moons and k Gaussian classes), and the optional input features Playground offers."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ffnn import _validate as check

EXTENT = 6.0  # the points fill about [-EXTENT, EXTENT]^2


@dataclass(frozen=True)
class Param:
    """An integer setting of a data set's own (kclass's number of classes): its name, which is
    also its keyword of make_dataset and its key in the app and the URL, its label, its default
    and its bounds. The sidebar draws it as a slider while that data set is chosen."""

    name: str
    label: str
    default: int
    lo: int
    hi: int


@dataclass(frozen=True)
class DatasetSpec:
    """One row of DATASETS: what the sidebar shows, what kind of learning problem the set poses,
    how it is drawn and the parameters of its own.

    `generate(rng, n, noise, **params) -> (points (n, 2) float64, y (n,))`, with one keyword
    per Param in `params`. A new data set is one row of DATASETS: make_dataset, the sidebar, the
    URL and every page read it from there."""

    label: str
    task: str  # "classification" or "regression"
    n_classes: int | None  # None: set by its own n_classes parameter, or regression
    generate: Callable | None = None
    params: tuple[Param, ...] = ()

    @property
    def classes_param(self):
        """Whether its own "n_classes" parameter gives the number of classes."""
        return any(p.name == "n_classes" for p in self.params)


CLASSES = Param("n_classes", "Classes", 3, 2, 8)


FEATURES = {
    "x1": ("x₁", lambda x1, x2: x1, "x1"),
    "x2": ("x₂", lambda x1, x2: x2, "x2"),
    "x1sq": ("x₁²", lambda x1, x2: x1 * x1, "x1 * x1"),
    "x2sq": ("x₂²", lambda x1, x2: x2 * x2, "x2 * x2"),
    "x1x2": ("x₁x₂", lambda x1, x2: x1 * x2, "x1 * x2"),
    "sin_x1": ("sin x₁", lambda x1, x2: np.sin(x1), "Math.sin(x1)"),
    "sin_x2": ("sin x₂", lambda x1, x2: np.sin(x2), "Math.sin(x2)"),
}


@dataclass(frozen=True)
class Dataset:
    """One generated data set, already split. points_*: (N, 2) positions in the plane;
    X_*: (N, F) network inputs (the chosen features of those points); y_*: (N,) int64 class
    indices 0..k-1 for classification, float64 targets in [-1, 1] for regression."""

    name: str
    task: str
    n_classes: int | None
    features: tuple
    points_train: np.ndarray
    points_test: np.ndarray
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray

    @property
    def n_inputs(self):
        """F, the network's input width."""
        return self.X_train.shape[1]


def check_features(features):
    """Return `features` as a tuple of distinct names from FEATURES (at least one)."""
    if isinstance(features, str) or not hasattr(features, "__iter__"):
        raise ValueError(f"features must be a list of names from {', '.join(FEATURES)}; "
                         f"got {features!r}")
    names = tuple(str(check.choice("features", f, FEATURES)) for f in features)
    if not names:
        raise ValueError("features must name at least one input")
    if len(set(names)) != len(names):
        raise ValueError(f"features must not repeat a name; got {names!r}")
    return names


def feature_matrix(points, features=("x1", "x2")):
    """points (N, 2) of (x1, x2) -> X (N, F) float64, column f = FEATURES[features[f]](x1, x2)."""
    points = check.inputs("points", points, 2)
    features = check_features(features)
    x1, x2 = points[:, 0], points[:, 1]
    return np.column_stack([FEATURES[f][1](x1, x2) for f in features]).astype(np.float64)


def dataset_params():
    """{name: Param} of every registered data set's own parameters (a name two sets share must
    be the same Param)."""
    out = {}
    for spec in DATASETS.values():
        for p in spec.params:
            if out.setdefault(p.name, p) != p:
                raise ValueError(f"data sets disagree about their parameter {p.name!r}")
    return out


def make_dataset(name, n_samples=500, noise=0.0, train_ratio=0.5, seed=0, n_classes=3,
                 features=("x1", "x2"), **params):
    """Generate data set `name` and split it at random into train and test parts.

    noise in [0, 0.5] has Playground's meaning for each set (label noise for circle, xor and
    the regressions; jitter or spread of the points for the others). n_classes (2..8) is used
    only by "kclass"; `params` are the other data sets' own parameters (DatasetSpec.params),
    each checked against its bounds and used only by its data set. Everything is drawn from
    np.random.default_rng(seed)."""
    check.choice("name", name, DATASETS)
    n = check.integer("n_samples", n_samples, 4, 100_000)
    noise = check.fraction("noise", noise, 0.0, 0.5, open_lo=False, open_hi=False)
    ratio = check.fraction("train_ratio", train_ratio)
    seed = check.integer("seed", seed, 0)
    known = {"n_classes": CLASSES, **dataset_params()}
    given = {"n_classes": n_classes, **params}
    for key, value in given.items():
        if key not in known:
            raise ValueError(f"{key} is not a parameter of any data set; they are "
                             f"{', '.join(known)}")
        p = known[key]
        given[key] = check.integer(key, value, p.lo, p.hi)
    features = check_features(features)
    spec = DATASETS[name]
    own = {p.name: given.get(p.name, p.default) for p in spec.params}
    rng = np.random.default_rng(seed)
    points, y = spec.generate(rng, n, noise, **own)
    train, test = split_indices(rng, n, ratio)
    return Dataset(
        name=name, task=spec.task,
        n_classes=own["n_classes"] if spec.classes_param else spec.n_classes,
        features=features, points_train=points[train], points_test=points[test],
        X_train=feature_matrix(points[train], features),
        X_test=feature_matrix(points[test], features), y_train=y[train], y_test=y[test])


def split_indices(rng, n, ratio):
    """Shuffled indices: the first round(n * ratio) train (at least 1, at most n - 1)."""
    order = rng.permutation(n)
    n_train = min(max(round(n * ratio), 1), n - 1)
    return order[:n_train], order[n_train:]


# --- generators: (rng, n, noise) -> points (n, 2) float64, y (n,) ---------------------------
# Playground's labels -1/+1 become class indices 0/1.

def _halves(n):
    """Class sizes (positives, negatives) for a binary set of n points."""
    return n - n // 2, n // 2


def _binary_labels(n):
    """(n,) int64: the first half 1, the rest 0."""
    return np.repeat(np.array([1, 0], dtype=np.int64), _halves(n))


def _polar(r, angle):
    """Playground's polar convention: x = r sin(angle), y = r cos(angle). -> (n, 2)"""
    return np.column_stack([r * np.sin(angle), r * np.cos(angle)])


def _label_jitter(rng, points, half_width, noise):
    """Where Playground reads a label: the point moved by uniform(-w, w) * noise per axis."""
    return points + rng.uniform(-half_width, half_width, points.shape) * noise


def _gauss_std(noise):
    """Playground's variance grows linearly from 0.5 to 4 as noise goes 0 -> 0.5."""
    return np.sqrt(0.5 + 7.0 * noise)


def _circle(rng, n, noise):
    """Class 1 in the disc r < 2.5, class 0 in the ring 3.5 <= r < 5; label = inside the
    disc after label jitter."""
    n_in, n_out = _halves(n)
    r = np.concatenate([rng.uniform(0.0, 2.5, n_in), rng.uniform(3.5, 5.0, n_out)])
    points = _polar(r, rng.uniform(0.0, 2 * np.pi, n))
    moved = _label_jitter(rng, points, 5.0, noise)
    return points, (np.hypot(moved[:, 0], moved[:, 1]) < 2.5).astype(np.int64)


def _xor(rng, n, noise):
    """Uniform in [-5, 5]^2 pushed 0.3 off each axis; class 1 iff x * y >= 0 after jitter."""
    points = rng.uniform(-5.0, 5.0, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)
    moved = _label_jitter(rng, points, 5.0, noise)
    return points, (moved[:, 0] * moved[:, 1] >= 0).astype(np.int64)


def _gauss(rng, n, noise):
    """Class 1 around (2, 2), class 0 around (-2, -2); noise widens both."""
    y = _binary_labels(n)
    centres = np.where(y[:, None] == 1, 2.0, -2.0)
    return centres + rng.normal(0.0, _gauss_std(noise), (n, 2)), y


def _spiral_arm(m, turn):
    """m points along one arm: radius 5 i/m, angle 1.75 turns * i/m + turn. -> (m, 2)"""
    s = np.arange(m) / m
    return _polar(5.0 * s, 1.75 * 2 * np.pi * s + turn)


def _spiral(rng, n, noise):
    """Two interleaved arms (class 1, and class 0 turned by pi); noise jitters the points."""
    n_pos, n_neg = _halves(n)
    points = np.concatenate([_spiral_arm(n_pos, 0.0), _spiral_arm(n_neg, np.pi)])
    return points + rng.uniform(-1.0, 1.0, (n, 2)) * noise, _binary_labels(n)


def _moons(rng, n, noise):
    """sklearn's make_moons (class 0 upper arc, class 1 lower), Gaussian jitter of std noise
    in its units, then centred and scaled by 10/3 so x spans [-5, 5]."""
    n_upper, n_lower = _halves(n)
    a, b = np.linspace(0, np.pi, n_upper), np.linspace(0, np.pi, n_lower)
    upper = np.column_stack([np.cos(a), np.sin(a)])
    lower = np.column_stack([1 - np.cos(b), 0.5 - np.sin(b)])
    unit = np.concatenate([upper, lower]) + rng.normal(0.0, noise, (n, 2))
    y = np.repeat(np.array([0, 1], dtype=np.int64), (n_upper, n_lower))
    return (unit - [0.5, 0.25]) * (10 / 3), y


def _kclass(rng, n, noise, n_classes):
    """k Gaussian blobs centred evenly on a circle of radius 3.5, about n/k points each,
    spread like the two Gaussians (k = n_classes)."""
    k = n_classes
    counts = np.full(k, n // k)
    counts[: n % k] += 1
    y = np.repeat(np.arange(k, dtype=np.int64), counts)
    angle = 2 * np.pi * np.arange(k) / k
    centres = 3.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    return centres[y] + rng.normal(0.0, _gauss_std(noise), (n, 2)), y


def _plane(rng, n, noise):
    """Uniform in [-6, 6]^2; target (x1 + x2) / 10 read after jitter, clipped to [-1, 1]."""
    points = rng.uniform(-EXTENT, EXTENT, (n, 2))
    moved = _label_jitter(rng, points, EXTENT, noise)
    return points, np.clip(moved.sum(axis=1) / 10, -1.0, 1.0)


# (cx, cy, sign) of Playground's six bumps
_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                   [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=np.float64)


def _multi_gauss(rng, n, noise):
    """Uniform in [-6, 6]^2; target = the bump of largest magnitude, each bump
    sign * max(0, 1 - distance / 2), read after jitter."""
    points = rng.uniform(-EXTENT, EXTENT, (n, 2))
    moved = _label_jitter(rng, points, EXTENT, noise)
    dist = np.linalg.norm(moved[:, None, :] - _BUMPS[None, :, :2], axis=2)  # (n, 6)
    heights = _BUMPS[:, 2] * np.clip(1 - dist / 2, 0.0, 1.0)
    pick = np.argmax(np.abs(heights), axis=1)
    return points, heights[np.arange(n), pick] + 0.0  # + 0.0 turns -0.0 into 0.0


# The table: each row its label, task, generator and own parameters (see DatasetSpec).
DATASETS = {
    "circle": DatasetSpec("Circle", "classification", 2, _circle),
    "xor": DatasetSpec("Exclusive or", "classification", 2, _xor),
    "gauss": DatasetSpec("Two Gaussians", "classification", 2, _gauss),
    "spiral": DatasetSpec("Spiral", "classification", 2, _spiral),
    "moons": DatasetSpec("Two moons", "classification", 2, _moons),
    "kclass": DatasetSpec("k classes", "classification", None, _kclass, (CLASSES,)),
    "plane": DatasetSpec("Plane (regression)", "regression", None, _plane),
    "multi_gauss": DatasetSpec("Multi-Gaussian (regression)", "regression", None, _multi_gauss),
}
