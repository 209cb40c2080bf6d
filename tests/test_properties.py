"""Property-based tests (hypothesis) over the engine: whatever the architecture, activations,
output, loss, optimizer, initialisation, learning rate (huge ones included) and data, a run
either trains with finite numbers or stops cleanly with a divergence report. Nothing but the
documented ValueError escapes, and no NumPy warning is emitted (they are errors here)."""

import os
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ffnn import ACTIVATIONS, INITS, OPTIMIZERS, Network, Trainer
from ffnn.datasets import DATASETS, make_dataset
from ffnn.losses import valid_pairs

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


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.text(max_size=5), st.floats(allow_nan=True),
                 st.integers(-3, 3), st.lists(st.integers(-2, 40), max_size=5),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)))
def test_any_constructor_argument_is_accepted_or_a_value_error(value):
    # Every keyword of Network and Trainer, fed arbitrary junk: ValueError or success only.
    for kwargs in ({"sizes": value}, {"activation": value}, {"output": value}, {"loss": value},
                   {"init": value}, {"l2": value}, {"seed": value}, {"dtype": value}):
        args = {"sizes": [2, 3, 2], **kwargs}
        try:
            Network(**args)
        except ValueError:
            pass
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    for kwargs in ({"lr": value}, {"optimizer": value}, {"batch_size": value},
                   {"max_iterations": value}, {"seed": value}, {"y": value}, {"X": value}):
        args = {"X": X, "y": y, **kwargs}
        try:
            Trainer(Network([2, 2]), **args).step(1)
        except ValueError:
            pass
