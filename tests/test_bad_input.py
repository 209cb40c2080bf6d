"""The bad-input catalogue: every public call given something invalid raises a ValueError whose
message names the parameter (so the app can show it as it is).

`pytest.raises(ValueError, ...)` lets any other exception (TypeError, IndexError, ...) escape
and fail the test, so each case also checks that nothing but ValueError comes out. Each case is
its own test id. Parameter names are matched as whole words (`\\by\\b` does not match `y_test`).
"""

import re

import numpy as np
import pytest

from ffnn import Network, Trainer

RNG = np.random.default_rng(0)
X = RNG.normal(size=(6, 2))
Y = np.array([0, 1, 2, 0, 1, 2])
NAN, INF = float("nan"), float("inf")


def net(sizes=(2, 4, 3), **kwargs):
    return Network(list(sizes), **kwargs)


def trainer(X_=X, y_=Y, **kwargs):
    return Trainer(net(), X_, y_, **kwargs)


def word(name):
    return rf"\b{re.escape(name)}\b"


def with_value(a, i, j, v):
    a = np.array(a, dtype=float)
    a[i, j] = v
    return a


def y_with(i, v, dtype=float):
    y = Y.astype(dtype)
    y[i] = v
    return y


# --- the catalogue: (id, call, parameter name) -----------------------------------------------

NETWORK_CASES = [
    ("sizes-empty", lambda: Network([]), "sizes"),
    ("sizes-one-entry", lambda: Network([3]), "sizes"),
    ("sizes-zero-hidden", lambda: Network([2, 0, 3]), "sizes"),
    ("sizes-zero-input", lambda: Network([0, 3]), "sizes"),
    ("sizes-zero-output", lambda: Network([2, 0]), "sizes"),
    ("sizes-negative", lambda: Network([2, -4, 3]), "sizes"),
    ("sizes-non-integer", lambda: Network([2, 2.5, 3]), "sizes"),
    ("sizes-float", lambda: Network([2.0, 3.0]), "sizes"),
    ("sizes-nan", lambda: Network([2, NAN, 3]), "sizes"),
    ("sizes-string-entry", lambda: Network([2, "4", 3]), "sizes"),
    ("sizes-string", lambda: Network("243"), "sizes"),
    ("sizes-none", lambda: Network(None), "sizes"),
    ("sizes-int", lambda: Network(3), "sizes"),
    ("activation-unknown", lambda: net(activation="swish"), "activation"),
    ("activation-empty", lambda: net(activation=""), "activation"),
    ("activation-none", lambda: net(activation=None), "activation"),
    ("activation-number", lambda: net(activation=3), "activation"),
    ("activation-list-too-short", lambda: net((2, 4, 4, 3), activation=["tanh"]), "activation"),
    ("activation-list-too-long",
     lambda: net((2, 4, 3), activation=["tanh", "relu"]), "activation"),
    ("activation-list-no-hidden", lambda: net((2, 3), activation=["tanh"]), "activation"),
    ("activation-unknown-no-hidden", lambda: net((2, 3), activation="nonsense"), "activation"),
    ("activation-list-unknown",
     lambda: net((2, 4, 4, 3), activation=["tanh", "swish"]), "activation"),
    ("output-unknown", lambda: net(output="banana"), "output"),
    ("output-activation-name", lambda: net(output="relu"), "output"),
    ("output-none", lambda: net(output=None), "output"),
    ("loss-unknown", lambda: net(loss="hinge"), "loss"),
    ("loss-mse", lambda: net(loss="mse"), "loss"),
    ("loss-none", lambda: net(loss=None), "loss"),
    ("init-unknown", lambda: net(init="glorot"), "init"),
    ("init-none", lambda: net(init=None), "init"),
    ("linear-cross-entropy",
     lambda: net(output="linear", loss="cross_entropy"), r"\b(loss|output)\b"),
    ("dtype-unknown", lambda: net(dtype="banana"), "dtype"),
    ("dtype-float16", lambda: net(dtype="float16"), "dtype"),
    ("dtype-int64", lambda: net(dtype="int64"), "dtype"),
    ("dtype-none", lambda: net(dtype=None), "dtype"),
    ("l2-negative", lambda: net(l2=-0.1), "l2"),
    ("l2-nan", lambda: net(l2=NAN), "l2"),
    ("l2-inf", lambda: net(l2=INF), "l2"),
    ("l2-string", lambda: net(l2="abc"), "l2"),
    ("l2-none", lambda: net(l2=None), "l2"),
]

# Bad X arrays, each with a y of matching length where a y goes along (so only X is wrong).
BAD_X = [
    ("wrong-width", np.ones((6, 3)), Y),
    ("too-narrow", np.ones((6, 1)), Y),
    ("1-D", np.ones(6), Y),
    ("1-D-single-example", np.ones(2), Y[:1]),
    ("3-D", np.ones((6, 2, 1)), Y),
    ("empty", np.empty((0, 2)), Y[:0]),
    ("nan", with_value(X, 2, 1, NAN), Y),
    ("inf", with_value(X, 0, 0, INF), Y),
    ("minus-inf", with_value(X, 5, 1, -INF), Y),
    ("strings", np.array([["a", "b"]] * 6), Y),
    ("none", None, Y),
]

# Bad y for the default net (softmax + cross_entropy, k = 3) with the good X.
BAD_Y = [
    ("too-short", Y[:5]),
    ("too-long", np.append(Y, 0)),
    ("label-equal-k", y_with(2, 3, int)),
    ("label-above-k", y_with(0, 17, int)),
    ("negative-label", y_with(1, -1, int)),
    ("non-integer-label", y_with(3, 0.5)),
    ("nan", y_with(4, NAN)),
    ("inf", y_with(4, INF)),
    ("strings", np.array(["a", "b", "c", "a", "b", "c"])),
    ("none", None),
]


def x_cases():
    cases = []
    for name, Xb, yb in BAD_X:
        # empty X with empty y: either name is right
        pat = r"\b(X|y)\b" if name == "empty" else word("X")
        cases += [
            (f"forward-X-{name}", lambda Xb=Xb: net().forward(Xb), word("X")),
            (f"loss-X-{name}", lambda Xb=Xb, yb=yb: net().loss(Xb, yb), pat),
            (f"gradients-X-{name}", lambda Xb=Xb, yb=yb: net().gradients(Xb, yb), pat),
            (f"Trainer-X-{name}", lambda Xb=Xb, yb=yb: trainer(Xb, yb), pat),
            (f"Trainer-X_test-{name}",
             lambda Xb=Xb, yb=yb: trainer(X_test=Xb, y_test=yb),
             r"\b(X_test|y_test)\b" if name == "empty" else word("X_test")),
        ]
    return cases


def y_cases():
    cases = []
    for name, yb in BAD_Y:
        cases += [
            (f"loss-y-{name}", lambda yb=yb: net().loss(X, yb), word("y")),
            (f"gradients-y-{name}", lambda yb=yb: net().gradients(X, yb), word("y")),
            (f"Trainer-y-{name}", lambda yb=yb: trainer(X, yb), word("y")),
            (f"Trainer-y_test-{name}", lambda yb=yb: trainer(X_test=X, y_test=yb),
             word("y_test")),
        ]
    def sig1():
        return net((2, 1), output="sigmoid")

    def sig2():
        return net((2, 2), output="sigmoid")

    def lin2():
        return net((2, 2), output="linear", loss="squared_error")

    cases += [
        # one sigmoid output: labels are 0/1
        ("loss-y-single-sigmoid-label-2", lambda: sig1().loss(X, y_with(0, 2, int)), word("y")),
        ("loss-y-single-sigmoid-negative", lambda: sig1().loss(X, y_with(0, -1, int)), word("y")),
        # independent sigmoid outputs: (N, k) targets of the right width, finite
        ("loss-y-sigmoid-wrong-width", lambda: sig2().loss(X, np.ones((6, 3))), word("y")),
        ("loss-y-sigmoid-nan", lambda: sig2().loss(X, with_value(np.ones((6, 2)), 1, 1, NAN)),
         word("y")),
        # regression with k = 2 outputs: (N, 2) finite targets
        ("loss-y-regression-wrong-width", lambda: lin2().loss(X, np.ones((6, 3))), word("y")),
        # (N,) non-integral floats for k = 2: neither class labels nor one target per output
        ("loss-y-regression-1d-for-2-outputs", lambda: lin2().loss(X, np.full(6, 0.3)),
         word("y")),
        ("loss-y-regression-nan", lambda: lin2().loss(X, with_value(np.ones((6, 2)), 0, 0, NAN)),
         word("y")),
        ("loss-y-regression-wrong-length", lambda: lin2().loss(X, np.ones((5, 2))), word("y")),
    ]
    return cases


BAD_LR = [("zero", 0), ("zero-float", 0.0), ("negative", -0.1), ("nan", NAN), ("inf", INF),
          ("minus-inf", -INF), ("string", "abc"), ("none", None)]

TRAINER_CASES = [
    *[(f"lr-{name}", lambda v=v: trainer(lr=v), word("lr")) for name, v in BAD_LR],
    ("optimizer-unknown", lambda: trainer(optimizer="sgd"), "optimizer"),
    ("optimizer-misspelt", lambda: trainer(optimizer="adamw"), "optimizer"),
    ("optimizer-none", lambda: trainer(optimizer=None), "optimizer"),
    ("batch_size-zero", lambda: trainer(batch_size=0), "batch_size"),
    ("batch_size-negative", lambda: trainer(batch_size=-2), "batch_size"),
    ("batch_size-non-integer", lambda: trainer(batch_size=2.5), "batch_size"),
    ("batch_size-string", lambda: trainer(batch_size="4"), "batch_size"),
    ("batch_size-nan", lambda: trainer(batch_size=NAN), "batch_size"),
    ("max_iterations-zero", lambda: trainer(max_iterations=0), "max_iterations"),
    ("max_iterations-negative", lambda: trainer(max_iterations=-5), "max_iterations"),
    ("max_iterations-non-integer", lambda: trainer(max_iterations=2.5), "max_iterations"),
    ("max_iterations-string", lambda: trainer(max_iterations="10"), "max_iterations"),
    ("X_test-without-y_test", lambda: trainer(X_test=X), "y_test"),
    ("y_test-without-X_test", lambda: trainer(y_test=Y), "X_test"),
]

CASES = NETWORK_CASES + x_cases() + y_cases() + TRAINER_CASES


@pytest.mark.parametrize("call, param", [pytest.param(c, p, id=i) for i, c, p in CASES])
def test_bad_input_raises_value_error_naming_the_parameter(call, param):
    with pytest.raises(ValueError, match=param):
        call()


def test_catalogue_ids_are_unique():
    ids = [i for i, _, _ in CASES]
    assert len(ids) == len(set(ids))


# --- the good calls the catalogue varies from must work --------------------------------------


def test_the_baseline_calls_are_valid():
    n = net()
    assert n.forward(X).shape == (6, 3)
    n.loss(X, Y)
    n.gradients(X, Y)
    tr = trainer(X_test=X, y_test=Y, lr=0.1, optimizer="adam", batch_size=2, max_iterations=3)
    tr.step(2)
    assert tr.t == 2
    net((2, 4, 4, 3), activation=["tanh", "relu"])
    net((2, 1), output="sigmoid").loss(X, y_with(0, 1, int) % 2)
    net((2, 2), output="sigmoid").loss(X, np.ones((6, 2)))
    net((2, 2), output="linear", loss="squared_error").loss(X, np.ones((6, 2)))


# --- step(n) and setting lr on a live trainer: refused, and nothing changes -------------------


@pytest.mark.parametrize("n", [0, -1, 2.5, "3", None, NAN],
                         ids=["zero", "negative", "non-integer", "string", "none", "nan"])
def test_step_with_bad_n_raises_and_changes_nothing(n):
    n_ = net()
    tr = Trainer(n_, X, Y)
    tr.step()
    before = [a.copy() for a in n_.W + n_.b]
    with pytest.raises(ValueError, match=word("n")):
        tr.step(n)
    assert tr.t == 1
    assert len(tr.history) == 1
    assert all(np.array_equal(a, b) for a, b in zip(before, n_.W + n_.b, strict=True))


@pytest.mark.parametrize("name, lr", BAD_LR, ids=[name for name, _ in BAD_LR])
def test_setting_a_bad_lr_on_a_trainer_raises(name, lr):
    tr = trainer(lr=0.1)
    with pytest.raises(ValueError, match=word("lr")):
        tr.lr = lr
    assert tr.lr == 0.1
