"""Tests of ffnn.landscape (Li et al.'s filter-normalised directions, the loss on a plane through
theta, projecting a path onto it) and of its figures."""

import time

import numpy as np
import plotly.graph_objects as go
import pytest

from ffnn import Network, Trainer
from ffnn.datasets import make_dataset
from ffnn.figures.landscape import landscape_contour, landscape_surface_3d
from ffnn.landscape import filter_normalised_directions, landscape, plane_share, project


@pytest.fixture(scope="module")
def data():
    return make_dataset("circle", n_samples=500, seed=0)      # 250 training points


@pytest.fixture
def net(data):
    """A trained net, so that W's columns have different norms."""
    net = Network([2, 5, 3, 2], seed=1)
    Trainer(net, data.X_train, data.y_train, lr=0.3).step(30)
    return net


NETS = [  # (sizes, output, loss, l2, dataset): every output function, with and without L2
    ([2, 5, 3, 2], "softmax", "cross_entropy", 0.0, "circle"),
    ([2, 4, 1], "sigmoid", "cross_entropy", 0.01, "xor"),
    ([2, 6, 1], "linear", "squared_error", 0.1, "plane"),
    ([2, 2], "softmax", "squared_error", 0.0, "moons"),          # no hidden layer
]


def test_directions_have_the_column_norms_of_W_and_no_bias_part(net):
    for d in filter_normalised_directions(net, seed=3):
        assert d.shape == net.theta.shape and d.dtype == net.theta.dtype
        D, Db = net.unflatten(d)
        for W, Dl in zip(net.W, D):
            np.testing.assert_allclose(np.linalg.norm(Dl, axis=0), np.linalg.norm(W, axis=0),
                                       rtol=1e-12)
        assert all((b == 0).all() for b in Db)


def test_directions_are_random_but_fixed_by_the_seed(net):
    d1, d2 = filter_normalised_directions(net, seed=3)
    e1, e2 = filter_normalised_directions(net, seed=3)
    f1, _ = filter_normalised_directions(net, seed=4)
    assert np.array_equal(d1, e1) and np.array_equal(d2, e2)
    assert not np.allclose(d1, d2) and not np.allclose(d1, f1)


def test_directions_leave_theta_alone(net):
    before = net.theta.copy()
    filter_normalised_directions(net, seed=0)
    assert np.array_equal(net.theta, before)


@pytest.mark.parametrize(("sizes", "output", "loss", "l2", "name"), NETS)
def test_the_centre_is_exactly_the_loss_at_theta(sizes, output, loss, l2, name):
    data = make_dataset(name, n_samples=200, seed=0)
    net = Network(sizes, output=output, loss=loss, l2=l2, seed=2)
    d1, d2 = filter_normalised_directions(net, seed=0)
    alphas, betas, L = landscape(net, data.X_train, data.y_train, d1, d2, resolution=11)
    assert alphas[5] == betas[5] == 0.0
    assert L[5, 5] == net.loss(data.X_train, data.y_train)


@pytest.mark.parametrize(("sizes", "output", "loss", "l2", "name"), NETS)
def test_every_point_is_the_loss_of_the_moved_theta(sizes, output, loss, l2, name):
    """L[i, j] is L(theta + alphas[j] d1 + betas[i] d2), rows following betas."""
    data = make_dataset(name, n_samples=200, seed=0)
    net = Network(sizes, output=output, loss=loss, l2=l2, seed=2)
    d1, d2 = filter_normalised_directions(net, seed=1)
    alphas, betas, L = landscape(net, data.X_train, data.y_train, d1, d2, span=0.8,
                                 resolution=7)
    for i, j in [(0, 6), (2, 5), (6, 1), (4, 4)]:
        moved = net.copy()
        moved.theta[...] = net.theta + alphas[j] * d1 + betas[i] * d2
        assert L[i, j] == pytest.approx(moved.loss(data.X_train, data.y_train), rel=1e-12)


def test_grid_shape_and_extent(net, data):
    d1, d2 = filter_normalised_directions(net, seed=0)
    alphas, betas, L = landscape(net, data.X_train, data.y_train, d1, d2, span=0.5,
                                 resolution=8)
    assert L.shape == (8, 8)
    assert alphas[0] == -0.5 and alphas[-1] == 0.5 and np.array_equal(alphas, betas)
    assert np.isfinite(L).all() and (L > 0).all()


def test_the_callers_theta_is_unchanged(net, data):
    before = net.theta.copy()
    W0 = net.W[0]
    d1, d2 = filter_normalised_directions(net, seed=0)
    landscape(net, data.X_train, data.y_train, d1, d2, span=2.0)
    assert np.array_equal(net.theta, before)
    assert net.W[0] is W0


def test_big_grids_are_evaluated_in_batches(data, monkeypatch):
    """A grid larger than one batch gives the same numbers as one batch."""
    import ffnn.landscape as module
    net = Network([2, 4, 2], seed=0)
    d1, d2 = filter_normalised_directions(net, seed=0)
    whole = landscape(net, data.X_train, data.y_train, d1, d2, resolution=9)[2]
    monkeypatch.setattr(module, "_BATCH_FLOATS", 1000)       # a few grid points per batch
    parts = landscape(net, data.X_train, data.y_train, d1, d2, resolution=9)[2]
    assert np.array_equal(whole, parts)


def test_25_by_25_on_250_points_is_fast(net, data):
    d1, d2 = filter_normalised_directions(net, seed=0)
    landscape(net, data.X_train, data.y_train, d1, d2)        # warm up
    best = min(_timed(landscape, net, data.X_train, data.y_train, d1, d2) for _ in range(5))
    assert best < 0.15        # ~15 ms here; the bound leaves room for a busy machine


def _timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def test_project_recovers_known_coefficients(net):
    d1, d2 = filter_normalised_directions(net, seed=0)
    center = net.theta.copy()
    coef = np.array([[0.3, -0.7], [0.0, 0.0], [-1.5, 2.0]])
    thetas = center + coef[:, :1] * d1 + coef[:, 1:] * d2
    np.testing.assert_allclose(project(thetas, center, d1, d2), coef, atol=1e-12)
    np.testing.assert_allclose(project(thetas[0], center, d1, d2), coef[:1], atol=1e-12)


def test_project_drops_what_lies_off_the_plane(net):
    d1, d2 = filter_normalised_directions(net, seed=0)
    D = np.column_stack([d1, d2])
    off = np.random.default_rng(0).standard_normal(len(d1))
    off -= D @ np.linalg.lstsq(D, off, rcond=None)[0]         # orthogonal to the plane
    theta = net.theta + 0.3 * d1 - 0.7 * d2 + off
    np.testing.assert_allclose(project(theta[None], net.theta, d1, d2), [[0.3, -0.7]],
                               atol=1e-10)


def test_plane_share(net):
    d1, d2 = filter_normalised_directions(net, seed=0)
    D = np.column_stack([d1, d2])
    off = np.random.default_rng(1).standard_normal(len(d1))
    off -= D @ np.linalg.lstsq(D, off, rcond=None)[0]         # orthogonal to the plane
    in_plane = 0.3 * d1 - 0.7 * d2
    c = net.theta
    assert plane_share(c + in_plane, c, d1, d2) == pytest.approx(1.0)
    assert plane_share(c + off, c, d1, d2) == pytest.approx(0.0, abs=1e-9)
    off *= np.linalg.norm(in_plane) / np.linalg.norm(off)     # as long as the in-plane part
    assert plane_share(c + in_plane + off, c, d1, d2) == pytest.approx(0.5 ** 0.5)
    assert np.isnan(plane_share(c, c, d1, d2))
    with pytest.raises(ValueError, match="center"):
        plane_share(c, c[:-1], d1, d2)


def test_bad_inputs_name_the_parameter(net, data):
    X, y = data.X_train, data.y_train
    d1, d2 = filter_normalised_directions(net, seed=0)
    P = net.n_params
    cases = [
        (lambda: filter_normalised_directions("net", 0), "net"),
        (lambda: filter_normalised_directions(net, -1), "seed"),
        (lambda: filter_normalised_directions(net, 1.5), "seed"),
        (lambda: landscape(None, X, y, d1, d2), "net"),
        (lambda: landscape(net, X, y, d1[:-1], d2), "d1"),
        (lambda: landscape(net, X, y, d1, np.full(P, np.nan)), "d2"),
        (lambda: landscape(net, X, y, d1, d2, span=0), "span"),
        (lambda: landscape(net, X, y, d1, d2, span=np.inf), "span"),
        (lambda: landscape(net, X, y, d1, d2, resolution=2), "resolution"),
        (lambda: landscape(net, X, y, d1, d2, resolution=25.0), "resolution"),
        (lambda: landscape(net, X[:, :1], y, d1, d2), "X"),
        (lambda: landscape(net, X, y[:-1], d1, d2), "y"),
        (lambda: project(np.zeros((3, P + 1)), net.theta, d1, d2), "thetas"),
        (lambda: project(np.zeros((3, P)), net.theta, d1, d2[:3]), "d2"),
        (lambda: project(np.zeros((3, P)), net.theta, d1, 2 * d1), "d1 and d2"),
        (lambda: project(np.zeros((3, P)), [np.nan] * P, d1, d2), "center"),
    ]
    for call, name in cases:
        with pytest.raises(ValueError, match=name):
            call()


# ---- figures --------------------------------------------------------------------------------

@pytest.fixture
def slice_and_path(net, data):
    d1, d2 = filter_normalised_directions(net, seed=0)
    alphas, betas, L = landscape(net, data.X_train, data.y_train, d1, d2, resolution=15)
    path = np.array([[0.6, -0.4], [0.3, -0.2], [0.0, 0.0]])
    return alphas, betas, L, path


def _valid(fig):
    """fig, once rebuilt with plotly's validation on (the builders skip it for speed)."""
    go.Figure(fig.to_dict())
    return fig


def test_contour_holds_the_log_slice_the_path_and_both_ends(slice_and_path):
    alphas, betas, L, path = slice_and_path
    fig = _valid(landscape_contour(alphas, betas, L, path, steps=[0, 10, 20], center_step=20))
    contour = fig.data[0]
    assert contour.type == "contour"
    np.testing.assert_allclose(np.asarray(contour.z, dtype=float), np.log10(L))
    traces = {t.name: t for t in fig.data[1:]}
    line = traces["path θ₀ … θₜ, projected"]
    np.testing.assert_allclose(line.x, path[:, 0])
    np.testing.assert_allclose(line.y, path[:, 1])
    assert traces["θ₀ (start)"].x == (0.6,)
    assert traces["θ₂₀ (centre)"].x == (0.0,) and traces["θ₂₀ (centre)"].y == (0.0,)
    assert list(fig.layout.xaxis.range) == [alphas[0], alphas[-1]]
    assert list(fig.layout.yaxis.range) == [betas[0], betas[-1]]


def test_contour_linear_scale_and_no_path(slice_and_path):
    alphas, betas, L, _ = slice_and_path
    fig = _valid(landscape_contour(alphas, betas, L, None, log=False))
    np.testing.assert_allclose(np.asarray(fig.data[0].z, dtype=float), L)
    assert [t.name for t in fig.data[1:]] == ["θₜ (centre)"]


def test_contour_says_when_theta_0_is_outside_the_span(slice_and_path):
    alphas, betas, L, _ = slice_and_path
    fig = landscape_contour(alphas, betas, L, np.array([[5.0, 0.0], [0.0, 0.0]]))
    assert "θ₀ (start, outside the span)" in [t.name for t in fig.data]


def test_contour_leaves_non_finite_losses_blank():
    a = np.linspace(-1, 1, 5)
    L = np.ones((5, 5))
    L[0, 0], L[1, 1] = np.inf, 0.0
    z = np.asarray(_valid(landscape_contour(a, a, L)).data[0].z, dtype=float)
    assert np.isnan(z[0, 0]) and np.isnan(z[1, 1]) and np.isfinite(z[2:]).all()


def test_surface(slice_and_path):
    alphas, betas, L, _ = slice_and_path
    fig = _valid(landscape_surface_3d(alphas, betas, L))
    assert fig.data[0].type == "surface"
    assert fig.data[1].z[0] == pytest.approx(np.log10(L[7, 7]))      # theta_t at the centre
