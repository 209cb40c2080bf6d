"""Property-based tests (hypothesis) over the engine: whatever the architecture, activations,
output, loss, optimizer, initialisation, learning rate (huge ones included) and data, a run
either trains with finite numbers or stops cleanly with a divergence report. Nothing but the
documented ValueError escapes, and no NumPy warning is emitted (they are errors here)."""

import math
import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ffnn import ACTIVATIONS, INITS, OPTIMIZERS, Network, Trainer
from ffnn.datasets import DATASETS, make_dataset
from ffnn.losses import LOSSES, OUTPUTS, valid_pairs

PAIRS = valid_pairs()
EXAMPLES = int(os.environ.get("FFNN_EXAMPLES", "300"))   # more for a deeper search


@st.composite
def runs(draw):
    hidden = draw(st.lists(st.integers(1, 12), min_size=0, max_size=4))
    acts = draw(st.lists(st.sampled_from(list(ACTIVATIONS)), min_size=len(hidden),
                         max_size=len(hidden)))
    dataset = draw(st.sampled_from(list(DATASETS)))
    regression = DATASETS[dataset].task == "regression"
    output, loss = ("linear", "squared_error") if regression else draw(st.sampled_from(PAIRS))
    return {
        "dataset": dataset, "hidden": hidden, "activation": acts, "output": output,
        "loss": loss, "init": draw(st.sampled_from(list(INITS))),
        "optimizer": draw(st.sampled_from(list(OPTIMIZERS))),
        "lr": draw(st.sampled_from([1e-5, 0.01, 0.3, 3.0, 100.0, 1e4, 1e8])),
        "batch": draw(st.sampled_from([None, 1, 7, 50])),
        "noise": draw(st.sampled_from([0.0, 0.25, 0.5])),
        "n_samples": draw(st.integers(4, 120)),
        "features": draw(st.sampled_from([("x1", "x2"), ("x1", "x2", "x1sq", "x2sq", "x1x2"),
                                          ("sin_x1",)])),
        "l2": draw(st.sampled_from([0.0, 0.01, 10.0])),
        "seed": draw(st.integers(0, 2**16)),
        "dtype": draw(st.sampled_from(["float64", "float32"])),
    }


def build(r):
    data = make_dataset(r["dataset"], n_samples=r["n_samples"], noise=r["noise"],
                        seed=r["seed"], features=r["features"])
    k = 1 if data.task == "regression" else data.n_classes
    if r["output"] == "sigmoid" and k == 2 and r["seed"] % 2:
        k = 1                                   # single sigmoid unit with 0/1 labels
    net = Network([data.n_inputs, *r["hidden"], k], activation=r["activation"],
                  output=r["output"], loss=r["loss"], init=r["init"], l2=r["l2"],
                  seed=r["seed"], dtype=r["dtype"])
    return net, Trainer(net, data.X_train, data.y_train, lr=r["lr"], optimizer=r["optimizer"],
                        batch_size=r["batch"], X_test=data.X_test, y_test=data.y_test,
                        max_iterations=60, seed=r["seed"])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_training_is_finite_or_stops_cleanly(r):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net, tr = build(r)
        done = tr.step(60)
        history = tr.history
        assert np.isfinite(net.theta).all()                 # never a non-finite parameter
        assert len(history) == tr.t == done
        numbers = history.drop(columns=["step"]).to_numpy(dtype=np.float64)
        assert np.isfinite(numbers).all()                    # nothing non-finite recorded
        if tr.diverged is None:
            assert tr.t == 60
            out = net.forward(tr.X)
            assert np.isfinite(out).all()
        else:
            d = tr.diverged
            assert d.step == tr.t + 1 and 1 <= d.layer <= net.L
            assert d.what in ("gradient", "parameters", "loss")
            before = net.theta.copy()
            assert tr.step(5) == 0                          # stays stopped, nothing lost
            np.testing.assert_array_equal(net.theta, before)


JUNK = st.one_of(
    st.none(), st.booleans(), st.text(max_size=5), st.floats(allow_nan=True),
    st.integers(-3, 3), st.lists(st.integers(-2, 40), max_size=5),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from([*ACTIVATIONS, *OUTPUTS, *LOSSES, *INITS, *OPTIMIZERS, "float32",
                     "float64"]),
    # iterables that only look like a valid list: a dict's keys, a set
    st.dictionaries(st.sampled_from(list(ACTIVATIONS)), st.integers(), min_size=1, max_size=1),
    st.dictionaries(st.integers(1, 5), st.integers(), min_size=2, max_size=3),
    st.sets(st.integers(1, 5), min_size=2, max_size=3),
    st.lists(st.sampled_from(list(ACTIVATIONS)), min_size=1, max_size=2),
    st.lists(st.integers(0, 1), min_size=4, max_size=4))
N = 4                      # rows of X in the Trainer cases


def _int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _real(v):
    return (_int(v) or isinstance(v, float)) and math.isfinite(v)


def _name(v, registry):
    return isinstance(v, str) and v in registry


# What each keyword accepts, written out here from the documented API (not by calling the
# engine's checks), for Network([2, 3, 2]) and Trainer(Network([2, 2]), X (4, 2), y (4,)).
NETWORK_VALID = {
    "sizes": lambda v: isinstance(v, list) and len(v) >= 2 and all(_int(n) and n >= 1 for n in v),
    "activation": lambda v: _name(v, ACTIVATIONS) or (
        isinstance(v, list) and len(v) == 1 and _name(v[0], ACTIVATIONS)),
    "output": lambda v: v in ("softmax", "sigmoid"),       # cross-entropy, the default loss
    "loss": lambda v: _name(v, LOSSES),
    "init": lambda v: _name(v, INITS),
    "l2": lambda v: _real(v) and v >= 0,
    "seed": lambda v: _int(v) and v >= 0,
    "dtype": lambda v: v in ("float64", "float32"),
}
TRAINER_VALID = {
    "lr": lambda v: _real(v) and v > 0,
    "optimizer": lambda v: _name(v, OPTIMIZERS),
    "batch_size": lambda v: v is None or (_int(v) and v >= 1),
    "max_iterations": lambda v: _int(v) and v >= 1,
    "seed": lambda v: _int(v) and v >= 0,
    "y": lambda v: isinstance(v, list) and len(v) == N and all(_int(c) and c in (0, 1)
                                                                 for c in v),
    "X": lambda v: False,                     # JUNK holds no (4, 2) array of numbers
}


@settings(max_examples=300, deadline=None)
@given(JUNK)
def test_any_constructor_argument_is_taken_exactly_when_valid(value):
    # Every keyword of Network and Trainer, fed arbitrary values: a valid one is taken as it
    # is, anything else is a ValueError. Junk accepted without a word fails here.
    for key, valid in NETWORK_VALID.items():
        args = {"sizes": [2, 3, 2], key: value}
        if not valid(value):
            with pytest.raises(ValueError, match=key):
                Network(**args)
            continue
        net = Network(**args)
        seen = {"sizes": net.sizes, "activation": net.activation, "output": net.output,
                "loss": net.loss_name, "init": net.init, "l2": net.l2, "seed": net.seed,
                "dtype": net.dtype.name}[key]
        assert seen == ([value] if key == "activation" and isinstance(value, str) else value)
    X = np.zeros((N, 2))
    for key, valid in TRAINER_VALID.items():
        args = {"X": X, "y": [0, 1, 0, 1], key: value}
        if not valid(value):
            with pytest.raises(ValueError, match=key):
                Trainer(Network([2, 2]), **args).step(1)
            continue
        tr = Trainer(Network([2, 2]), **args)
        assert tr.step(1) == 1 or tr.diverged is not None and tr.diverged.step == 1
        if key == "batch_size":                    # a batch of N or more is the full batch
            assert tr.batch_size == (None if value is None or value >= N else value)
        elif key not in ("X", "y"):
            assert getattr(tr, key) == value


def _sizes_ok(v):
    return NETWORK_VALID["sizes"](v) and all(n <= 100_000 for n in v)


def _network_ok(a):
    """Whether Network(**a) is valid, from the documented API: with n_hidden hidden layers, an
    activation name is valid whatever n_hidden (none included), a list needs n_hidden names."""
    if not _sizes_ok(a["sizes"]):
        return False
    n_hidden = len(a["sizes"]) - 2
    act = a["activation"]
    act_ok = _name(act, ACTIVATIONS) or (isinstance(act, list) and len(act) == n_hidden
                                          and all(_name(g, ACTIVATIONS) for g in act))
    pair_ok = (_name(a["output"], OUTPUTS) and _name(a["loss"], LOSSES)
               and not (a["output"] == "linear" and a["loss"] == "cross_entropy"))
    rest = ("init", "l2", "seed", "dtype")
    return act_ok and pair_ok and all(NETWORK_VALID[k](a[k]) for k in rest)


GOOD = {
    "activation": st.one_of(st.sampled_from(list(ACTIVATIONS)),
                            st.lists(st.sampled_from(list(ACTIVATIONS)), max_size=3)),
    "output": st.sampled_from(list(OUTPUTS)), "loss": st.sampled_from(list(LOSSES)),
    "init": st.sampled_from(list(INITS)), "l2": st.floats(0, 1), "seed": st.integers(0, 99),
    "dtype": st.sampled_from(["float64", "float32"]),
}
ARGUMENTS = ("sizes", *GOOD)


@pytest.mark.parametrize("key", ARGUMENTS)
@pytest.mark.parametrize("n_hidden", [0, 1, 2])
@settings(max_examples=max(EXAMPLES // 6, 20), deadline=None)
@given(st.fixed_dictionaries(GOOD), st.lists(st.integers(1, 4), min_size=2, max_size=2),
       st.one_of(JUNK, st.just("nonsense")))
def test_every_bad_constructor_argument_raises_with_or_without_hidden_layers(
        n_hidden, key, args, ends, junk):
    # All of Network's arguments at once, with n_hidden hidden layers, and one of them (`key`)
    # replaced by junk: valid exactly when the documented API says so, else a ValueError. With
    # no hidden layer an activation name is still checked (Network([2, 3], activation="x")).
    args = {**args, "sizes": [ends[0], *[3] * n_hidden, ends[1]], key: junk}
    if not _network_ok(args):
        with pytest.raises(ValueError):
            Network(**args)
        return
    net = Network(**args)
    n_hidden = len(args["sizes"]) - 2
    act = args["activation"]
    assert net.activation == ([act] * n_hidden if isinstance(act, str) else act)
    assert (net.sizes, net.output, net.loss_name, net.init, net.l2, net.seed, net.dtype.name) \
        == (args["sizes"], args["output"], args["loss"], args["init"], args["l2"],
            args["seed"], args["dtype"])


@pytest.mark.parametrize("sizes", [[2, 3], [2, 4, 3], [2, 4, 4, 3]])
def test_an_unknown_activation_name_raises_whatever_the_depth(sizes):
    with pytest.raises(ValueError, match="activation must be one of"):
        Network(sizes, activation="nonsense")
