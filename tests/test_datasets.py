"""Tests of the toy data sets: determinism, shapes, splits, balance, and each generator's
geometry checked against its definition in TensorFlow Playground's dataset.ts."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ffnn.datasets import DATASETS, FEATURES, Dataset, feature_matrix, make_dataset

NAMES = list(DATASETS)
CLASSIFIERS = [n for n in NAMES if DATASETS[n].task == "classification"]
REGRESSIONS = [n for n in NAMES if DATASETS[n].task == "regression"]


def all_points(d):
    return np.concatenate([d.points_train, d.points_test])


def all_y(d):
    return np.concatenate([d.y_train, d.y_test])


def radius(p):
    return np.sqrt(p[:, 0] ** 2 + p[:, 1] ** 2)


# --- registry -------------------------------------------------------------------------------

def test_registry_entries_are_labelled_and_typed():
    for spec in DATASETS.values():
        assert spec.label and spec.task in ("classification", "regression")
    assert {DATASETS[n].n_classes for n in ["circle", "xor", "gauss", "spiral", "moons"]} == {2}
    assert DATASETS["kclass"].n_classes is None
    assert REGRESSIONS == ["plane", "multi_gauss"]
    assert [label for label, *_ in FEATURES.values()] == [
        "x₁", "x₂", "x₁²", "x₂²", "x₁x₂", "sin x₁", "sin x₂"]


# --- determinism, shapes, splits --------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_same_seed_gives_same_data(name):
    a = make_dataset(name, 200, noise=0.2, seed=7)
    b = make_dataset(name, 200, noise=0.2, seed=7)
    for field in ["points_train", "points_test", "X_train", "X_test", "y_train", "y_test"]:
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


@pytest.mark.parametrize("name", NAMES)
def test_different_seed_gives_different_data(name):
    a = make_dataset(name, 200, noise=0.2, seed=1)
    b = make_dataset(name, 200, noise=0.2, seed=2)
    assert not np.array_equal(a.points_train, b.points_train)


@pytest.mark.parametrize("name", NAMES)
def test_shapes_and_dtypes(name):
    d = make_dataset(name, 301, train_ratio=0.3, features=("x1", "x2", "x1x2"))
    assert isinstance(d, Dataset)
    assert (d.name, d.task, d.features) == (name, DATASETS[name].task, ("x1", "x2", "x1x2"))
    assert d.points_train.shape == (90, 2) and d.points_test.shape == (211, 2)
    assert d.X_train.shape == (90, 3) and d.X_test.shape == (211, 3)
    assert d.y_train.shape == (90,) and d.y_test.shape == (211,)
    assert d.n_inputs == 3
    assert d.X_train.dtype == np.float64 and d.points_train.dtype == np.float64
    expected = np.int64 if d.task == "classification" else np.float64
    assert d.y_train.dtype == expected and d.y_test.dtype == expected


def test_n_classes_of_each_kind():
    assert make_dataset("circle").n_classes == 2
    assert make_dataset("kclass", n_classes=5).n_classes == 5
    assert make_dataset("plane").n_classes is None


def test_split_is_a_partition_of_distinct_points():
    d = make_dataset("circle", 400, train_ratio=0.25)
    assert len(d.y_train) == 100 and len(d.y_test) == 300
    assert len(np.unique(all_points(d), axis=0)) == 400


@pytest.mark.parametrize("ratio, n_train", [(0.01, 1), (0.99, 3), (0.5, 2)])
def test_both_splits_stay_non_empty(ratio, n_train):
    d = make_dataset("xor", 4, train_ratio=ratio)
    assert len(d.y_train) == n_train and len(d.y_test) == 4 - n_train


def test_split_is_shuffled_not_in_generation_order():
    # The generators emit class 1 first; a shuffled split mixes both classes into each part.
    d = make_dataset("gauss", 200)
    assert set(d.y_train) == {0, 1} and set(d.y_test) == {0, 1}


def test_inputs_are_the_features_of_the_points():
    feats = ("x1sq", "sin_x2", "x1x2")
    d = make_dataset("spiral", 100, noise=0.3, features=feats)
    np.testing.assert_array_equal(d.X_train, feature_matrix(d.points_train, feats))
    np.testing.assert_array_equal(d.X_test, feature_matrix(d.points_test, feats))


# --- labels, balance, extent ----------------------------------------------------------------

@pytest.mark.parametrize("name", ["circle", "gauss", "spiral", "moons"])
@pytest.mark.parametrize("n", [500, 501])
def test_binary_sets_are_split_half_and_half(name, n):
    counts = np.bincount(all_y(make_dataset(name, n)), minlength=2)
    assert counts.tolist() == [n // 2, n - n // 2] or counts.tolist() == [n - n // 2, n // 2]


def test_xor_is_roughly_balanced():
    counts = np.bincount(all_y(make_dataset("xor", 2000)))
    assert len(counts) == 2 and abs(counts[0] - counts[1]) < 200


@pytest.mark.parametrize("name", NAMES)
def test_points_fill_the_plane_at_noise_zero(name):
    p = all_points(make_dataset(name, 2000, noise=0.0))
    inside = (np.abs(p) <= 6).all(axis=1)
    assert inside.mean() > 0.99
    assert np.abs(p).max() > 4  # they do spread out, not huddle at the origin


@pytest.mark.parametrize("name", ["circle", "xor", "spiral", "moons", "plane", "multi_gauss"])
def test_bounded_generators_never_leave_the_plane(name):
    p = all_points(make_dataset(name, 2000, noise=0.0))
    assert np.abs(p).max() <= 6


@pytest.mark.parametrize("name", REGRESSIONS)
@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_regression_targets_lie_in_minus_one_one(name, noise):
    y = all_y(make_dataset(name, 2000, noise=noise))
    assert y.min() >= -1 and y.max() <= 1
    assert y.min() < -0.7 and y.max() > 0.7


# --- geometry of each generator ------------------------------------------------------------

def test_circle_label_is_inside_radius_two_and_a_half():
    d = make_dataset("circle", 1000)
    p, y = all_points(d), all_y(d)
    r = radius(p)
    np.testing.assert_array_equal(y, (r < 2.5).astype(np.int64))
    assert r[y == 0].min() >= 3.5 and r[y == 0].max() <= 5  # Playground's ring 0.7R..R


def test_circle_noise_moves_labels_not_points():
    # Playground's circle noise shifts the point where the label is read, not the point.
    clean, noisy = make_dataset("circle", 1000), make_dataset("circle", 1000, noise=0.3)
    np.testing.assert_array_equal(all_points(clean), all_points(noisy))
    changed = (all_y(clean) != all_y(noisy)).mean()
    assert 0.01 < changed < 0.4


def test_xor_label_is_sign_of_product_and_points_avoid_the_axes():
    d = make_dataset("xor", 1000)
    p, y = all_points(d), all_y(d)
    np.testing.assert_array_equal(y, (p[:, 0] * p[:, 1] >= 0).astype(np.int64))
    assert np.abs(p).min() >= 0.3 and np.abs(p).max() <= 5.3


def test_gauss_classes_centre_on_plus_and_minus_two():
    d = make_dataset("gauss", 4000)
    p, y = all_points(d), all_y(d)
    np.testing.assert_allclose(p[y == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(p[y == 0].mean(axis=0), [-2, -2], atol=0.1)


@pytest.mark.parametrize("noise, variance", [(0.0, 0.5), (0.25, 2.25), (0.5, 4.0)])
def test_gauss_spread_follows_playground_variance(noise, variance):
    # Playground maps noise 0..0.5 linearly onto variance 0.5..4.
    d = make_dataset("gauss", 20000, noise=noise)
    p, y = all_points(d), all_y(d)
    assert p[y == 1].var(axis=0) == pytest.approx([variance] * 2, rel=0.06)


def test_spiral_angle_is_fixed_by_radius_at_noise_zero():
    # Each arm: r = 5 s, angle = 1.75 turns * s (+ pi for class 0), x = r sin, y = r cos.
    d = make_dataset("spiral", 600)
    p, y = all_points(d), all_y(d)
    r = radius(p)
    angle = 1.75 * 2 * math.pi * r / 5 + np.where(y == 1, 0.0, math.pi)
    np.testing.assert_allclose(p, np.column_stack([r * np.sin(angle), r * np.cos(angle)]),
                               atol=1e-9)
    assert r.min() == 0 and r.max() < 5


def test_spiral_radius_grows_evenly_with_index():
    # Arm points are evenly spaced in index, so sorted radii step by 5 / (n / 2).
    d = make_dataset("spiral", 400)
    p, y = all_points(d), all_y(d)
    r = np.sort(radius(p[y == 1]))
    np.testing.assert_allclose(np.diff(r), 5 / 200, atol=1e-9)


def test_moons_lie_on_two_scaled_half_circles():
    # sklearn's unit moons: centres (0, 0) and (1, 0.5), radius 1; here shifted by
    # (-0.5, -0.25) and scaled by 10/3.
    d = make_dataset("moons", 500)
    p, y = all_points(d), all_y(d)
    s = 10 / 3
    upper, lower = p[y == 0], p[y == 1]
    c0, c1 = np.array([-0.5, -0.25]) * s, np.array([0.5, 0.25]) * s
    np.testing.assert_allclose(radius(upper - c0), s, atol=1e-9)
    np.testing.assert_allclose(radius(lower - c1), s, atol=1e-9)
    assert (upper[:, 1] >= c0[1] - 1e-9).all() and (lower[:, 1] <= c1[1] + 1e-9).all()
    assert p[:, 0].min() == pytest.approx(-5) and p[:, 0].max() == pytest.approx(5)


def test_moons_noise_jitters_points():
    clean, noisy = make_dataset("moons", 500), make_dataset("moons", 500, noise=0.2)
    shift = all_points(noisy) - all_points(clean)
    assert shift.std() == pytest.approx(0.2 * 10 / 3, rel=0.15)


@pytest.mark.parametrize("k", range(2, 9))
def test_kclass_has_k_balanced_blobs_on_a_circle(k):
    n = 400 * k + 3
    d = make_dataset("kclass", n, n_classes=k)
    p, y = all_points(d), all_y(d)
    counts = np.bincount(y)
    assert len(counts) == k and counts.min() >= n // k and counts.max() <= n // k + 1
    means = np.array([p[y == c].mean(axis=0) for c in range(k)])
    np.testing.assert_allclose(radius(means), 3.5, atol=0.15)
    angles = np.sort(np.mod(np.arctan2(means[:, 1], means[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / k, atol=0.1)


def test_kclass_spread_grows_with_noise():
    spreads = [make_dataset("kclass", 3000, noise=s).points_train.std() for s in (0, 0.5)]
    assert spreads[1] > spreads[0] + 0.5


def test_plane_target_is_sum_over_ten_clipped():
    d = make_dataset("plane", 2000)
    p, y = all_points(d), all_y(d)
    np.testing.assert_allclose(y, np.clip((p[:, 0] + p[:, 1]) / 10, -1, 1), atol=1e-15)
    inner = np.abs(p.sum(axis=1)) <= 10
    np.testing.assert_allclose(y[inner], p[inner].sum(axis=1) / 10, atol=1e-15)


def test_plane_noise_moves_targets_not_points():
    clean, noisy = make_dataset("plane", 1000), make_dataset("plane", 1000, noise=0.3)
    np.testing.assert_array_equal(all_points(clean), all_points(noisy))
    assert not np.allclose(all_y(clean), all_y(noisy))


def multi_gauss_reference(x, y):
    """dataset.ts's regressGaussian label, transcribed point by point."""
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    label = 0.0
    for cx, cy, sign in bumps:
        d = math.hypot(x - cx, y - cy)
        new = sign * min(1.0, max(0.0, 1 - d / 2))
        if abs(new) > abs(label):
            label = new
    return label


def test_multi_gauss_matches_playground_label():
    d = make_dataset("multi_gauss", 500)
    p, y = all_points(d), all_y(d)
    expected = [multi_gauss_reference(a, b) for a, b in p]
    np.testing.assert_allclose(y, expected, atol=1e-12)
    assert (y > 0.5).any() and (y < -0.5).any() and (y == 0).any()


@pytest.mark.parametrize("name", NAMES)
def test_large_sets_generate_quickly(name):
    ds = make_dataset(name, 100_000, noise=0.5, features=tuple(FEATURES))   # speed: bench/io.py
    assert len(ds.X_train) + len(ds.X_test) == 100_000 and np.isfinite(ds.X_train).all()


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(NAMES), n=st.integers(4, 300), noise=st.floats(0, 0.5),
       ratio=st.floats(0.01, 0.99), seed=st.integers(0, 2**32), k=st.integers(2, 8))
def test_any_valid_arguments_give_a_consistent_dataset(name, n, noise, ratio, seed, k):
    d = make_dataset(name, n, noise=noise, train_ratio=ratio, seed=seed, n_classes=k)
    assert len(d.y_train) >= 1 and len(d.y_test) >= 1
    assert len(d.y_train) + len(d.y_test) == n
    assert np.isfinite(d.X_train).all() and np.isfinite(d.X_test).all()
    y = all_y(d)
    if d.task == "classification":
        assert y.min() >= 0 and y.max() < d.n_classes
    else:
        assert np.abs(y).max() <= 1


# --- feature_matrix -------------------------------------------------------------------------

def test_feature_matrix_hand_worked_values():
    points = np.array([[1.0, 2.0], [-3.0, 0.5]])
    X = feature_matrix(points, tuple(FEATURES))
    s1, s3, s05 = math.sin(1), math.sin(-3), math.sin(0.5)
    np.testing.assert_allclose(X, [[1, 2, 1, 4, 2, s1, math.sin(2)],
                                   [-3, 0.5, 9, 0.25, -1.5, s3, s05]])
    assert X.dtype == np.float64


def test_feature_matrix_default_is_the_points_and_a_copy():
    points = np.array([[1.0, 2.0], [3.0, 4.0]])
    X = feature_matrix(points)
    np.testing.assert_array_equal(X, points)
    X[0, 0] = 99
    assert points[0, 0] == 1.0


def test_feature_matrix_follows_the_requested_order():
    X = feature_matrix([[2, 3]], ["x1x2", "x2sq", "x1"])
    np.testing.assert_array_equal(X, [[6, 9, 2]])


# --- bad input ------------------------------------------------------------------------------

BAD_ARGUMENTS = [
    ("name", ["nope", 3, None, "Circle"]),
    ("n_samples", [3, 100_001, 10.5, True, "500", None]),
    ("noise", [-0.1, 0.51, float("nan"), float("inf"), "0.1", None, True]),
    ("train_ratio", [0, 1, 1.5, -0.2, float("nan"), "half"]),
    ("seed", [-1, 1.5, "0", None]),
    ("n_classes", [1, 9, 2.5, "3", None]),
    ("features", [(), ("x1", "x1"), ("x3",), "x1", None, [1], 5, [["x1"]]]),
]


@pytest.mark.parametrize("param, value", [(p, v) for p, vs in BAD_ARGUMENTS for v in vs])
def test_bad_arguments_raise_value_error_naming_the_parameter(param, value):
    kwargs = {"name": "circle", param: value}
    with pytest.raises(ValueError, match=param):
        make_dataset(**kwargs)


def test_n_classes_is_checked_even_where_unused():
    with pytest.raises(ValueError, match="n_classes"):
        make_dataset("circle", n_classes=20)


@pytest.mark.parametrize("points", [
    [1.0, 2.0], [[1.0, 2.0, 3.0]], [[float("nan"), 0.0]], [["a", "b"]], np.empty((0, 2)),
    None,
])
def test_feature_matrix_rejects_bad_points(points):
    with pytest.raises(ValueError, match="points"):
        feature_matrix(points)


@pytest.mark.parametrize("features", [(), ("sin",), "x1x2", ("x2", "x2"), None])
def test_feature_matrix_rejects_bad_features(features):
    with pytest.raises(ValueError, match="features"):
        feature_matrix([[1.0, 2.0]], features)
