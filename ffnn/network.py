"""The feedforward network of the lecture: theta = [W_1 .. W_L, b_1 .. b_L], its forward pass and
its gradient grad theta computed by backpropagation written by hand.

The lecture writes column vectors, a_i = W_i h_{i-1} + b_i. The code takes a batch of N examples
as the rows of X, so each layer is A_i = H_{i-1} @ W_i + b_i with W_i of shape (fan_in, fan_out):
this is why the lecture's W_L in R^{n x k} appears here exactly as written. Python lists count
from 0, so net.W[0] is the lecture's W_1.

theta lives in one flat vector, W_1 .. W_L then b_1 .. b_L, and net.W[i], net.b[i] are views of
it; grad theta is laid out the same way. An optimizer then updates theta in one operation.
"""

from functools import cached_property

import numpy as np

from . import _validate as check
from .activations import ACTIVATIONS
from .init import INITS
from .losses import LOSSES, OUTPUTS, defined
from .targets import as_targets

# Column-major passes: every (N, n) array of the forward and backward pass is kept in Fortran
# order, each product written as (W^T H^T)^T: with the narrow layers (n = 2..8) common here,
# NumPy's bias broadcast and row reductions are faster on columns of N values (figures:
# docs/design.md, "Measurements behind the code"); BLAS does not mind either order.
DTYPES = {"float64": np.float64, "float32": np.float32}
# Overflow in a diverging run is expected: the trainer detects it from the numbers themselves.
QUIET = {"over": "ignore", "invalid": "ignore", "divide": "ignore", "under": "ignore"}


class Network:
    """A fully connected network with layer widths `sizes` = [n_in, n_1, ..., n_{L-1}, k]."""

    def __init__(self, sizes, activation="tanh", output="softmax", loss="cross_entropy",
                 init="xavier", l2=0.0, seed=0, dtype="float64"):
        self.sizes = _check_sizes(sizes)
        L = len(self.sizes) - 1
        self.activation = _check_activations(activation, L - 1)
        self.output = check.choice("output", output, OUTPUTS)
        self.loss_name = check.choice("loss", loss, LOSSES)
        if not defined(output, loss):
            allowed = [o for o in OUTPUTS if defined(o, loss)]
            others = [name for name in LOSSES if defined(output, name)]
            raise ValueError(f"loss {loss!r} needs output {' or '.join(allowed)}; "
                             f"with output {output!r} use loss {' or '.join(map(repr, others))}")
        self.init = check.choice("init", init, INITS)
        self.l2 = check.non_negative("l2", l2)
        self.seed = check.integer("seed", seed, lo=0)
        self.dtype = np.dtype(DTYPES[check.choice("dtype", dtype, DTYPES)])
        self._g = [ACTIVATIONS[a] for a in self.activation]
        self._out = OUTPUTS[self.output]
        self._loss = LOSSES[self.loss_name]
        self.theta = np.zeros(self.n_params, dtype=self.dtype)
        self.W, self.b = self.unflatten(self.theta)
        self._views = (list(self.W), list(self.b))
        rng = np.random.default_rng(self.seed)
        for W in self.W:
            W[...] = INITS[self.init].draw(rng, *W.shape)

    # ---- layout ---------------------------------------------------------------------------
    @property
    def L(self):
        """Number of layers with parameters (the lecture's L): hidden layers + the output layer."""
        return len(self.sizes) - 1

    @cached_property        # sizes never change; the L2 term reads this every step
    def n_params(self):
        return sum(m * n + n for m, n in zip(self.sizes[:-1], self.sizes[1:]))

    @cached_property
    def n_weights(self):
        return sum(m * n for m, n in zip(self.sizes[:-1], self.sizes[1:]))

    def segments(self):
        """Start offsets in theta of W_1 .. W_L, b_1 .. b_L (2L entries), for per-layer sums."""
        sizes = [m * n for m, n in zip(self.sizes[:-1], self.sizes[1:])] + self.sizes[1:]
        return np.concatenate(([0], np.cumsum(sizes)[:-1]))

    def unflatten(self, flat):
        """Views W (list of (fan_in, fan_out)) and b (list of (fan_out,)) into a flat vector
        laid out like theta. A stack of B vectors, (B, n_params), gives W[i] (B, fan_in, fan_out)
        and b[i] (B, fan_out)."""
        W, b, pos, lead = [], [], 0, flat.shape[:-1]
        for m, n in zip(self.sizes[:-1], self.sizes[1:]):
            W.append(flat[..., pos:pos + m * n].reshape(*lead, m, n))
            pos += m * n
        for n in self.sizes[1:]:
            b.append(flat[..., pos:pos + n])
            pos += n
        return W, b

    def sync(self):
        """Take in any W[i] or b[i] a caller replaced by a new array (in-place edits need
        nothing)."""
        for mine, theirs, name in ((self._views[0], self.W, "W"), (self._views[1], self.b, "b")):
            if len(theirs) != len(mine):
                raise ValueError(f"net.{name} must stay a list of {len(mine)} arrays")
            for i, (view, given) in enumerate(zip(mine, theirs)):
                if given is not view:
                    arr = check.finite_array(f"{name}[{i}]", given)
                    if arr.shape != view.shape:
                        raise ValueError(f"{name}[{i}] must have shape {view.shape}; "
                                         f"got {arr.shape}")
                    view[...] = arr
                    theirs[i] = view

    # ---- forward and backward, side by side -----------------------------------------------
    def layers(self, X, thetas=None):
        """The forward pass, one layer at a time: yields (A_i, H_i) for i = 1 .. L, where
        H_L = Y_hat = O(A_L); X (N, n_in) as check_inputs returns it, A_i and H_i (N, n_i).

        thetas (B, n_params), optional: B parameter vectors in place of theta, all run in this
        one pass; A_i and H_i then get a leading axis B, (B, N, n_i). For each of them the
        arithmetic is that of its theta alone, so the numbers are the same.
        """
        stacked = thetas is not None
        Ws, bs = self.unflatten(thetas) if stacked else (self.W, self.b)
        if stacked:
            bs = [b[:, None, :] for b in bs]    # (B, 1, n_i): each network's bias row
        H, last = X, self.L - 1
        for i, (W, b) in enumerate(zip(Ws, bs)):
            # A = H W_i computed as (W^T H^T)^T, column-major; a stack swaps its last two axes
            # (.mT), a single network takes the cheaper .T
            A = (W.mT @ H.mT).mT if stacked else (W.T @ H.T).T
            A += b                              # A_i = H_{i-1} W_i + b_i
            H = self._g[i].f(A) if i < last else self._out.f(A)   # H_i = g(A_i); Y_hat = O(A_L)
            yield A, H

    def forward_cache(self, X):
        """Forward pass keeping what backprop needs.

        X (N, n_in) -> Hs [H_0 = X, H_1 .. H_{L-1}] each (N, n_i), As [A_1 .. A_L], Y (N, k).
        """
        Hs, As = [X], []
        for A, H in self.layers(X):
            As.append(A)
            Hs.append(H)
        return Hs, As, Hs.pop()

    def backward(self, Hs, As, Y, T, dW, db):
        """Backpropagation: fills dW[i] (fan_in, fan_out) and db[i] (fan_out,) with grad theta
        and returns the error signals delta_L .. delta_1 (dL/dA_i, each (N, n_i)), last first."""
        delta = self._loss.delta(self._out, As[-1], Y, T)      # delta_L = dL/dA_L, (N, k)
        deltas = [delta]
        for i in range(self.L - 1, -1, -1):
            np.matmul(Hs[i].T, delta, out=dW[i])               # grad W_i = H_{i-1}^T delta_i
            np.sum(delta, axis=0, out=db[i])                   # grad b_i = sum over rows
            if self.l2:
                dW[i] += self.l2 * self.W[i]
            if i:
                delta = (self.W[i] @ delta.T).T                # dL/dH_{i-1} = delta_i W_i^T
                g = self._g[i - 1].grad
                if g is not None:
                    delta *= g(As[i - 1], Hs[i])               # delta_{i-1} = dL/dH * g'(A)
                deltas.append(delta)
        return deltas

    def loss_value(self, As, Y, T, thetas=None):
        """L(theta) from a forward pass: As (only A_L is read) and Y as forward_cache or layers
        give them, T (N, k) as targets returns it. Adds the L2 term (l2/2) sum ||W_i||_F^2 of
        the theta the pass used. -> float; for a pass over thetas (B, n_params), with A_L and Y
        (B, N, k), -> (B,), one loss per theta."""
        if thetas is None:
            return self._loss_at(As[-1], Y, T, self.theta)
        return np.array([self._loss_at(A, Y_b, T, theta)
                         for A, Y_b, theta in zip(As[-1], Y, thetas)])

    def _loss_at(self, A, Y, T, theta):
        value = self._loss.value(self._out, A, Y, T)          # A_L (N, k), Y (N, k)
        if self.l2:
            w = theta[:self.n_weights]                         # W_1 .. W_L, biases excluded
            value += 0.5 * self.l2 * float(np.vdot(w, w))
        return value

    def gradients_into(self, X, T, dW, db):
        """Forward pass, backprop and loss in one go, the trainer's hot path: X (N, n_in) and
        T (N, k) as check_inputs and targets return them; fills dW, db (see backward).
        -> (loss, Y_hat (N, k))."""
        Hs, As, Y = self.forward_cache(X)
        self.backward(Hs, As, Y, T, dW, db)
        return self.loss_value(As, Y, T), Y

    # ---- public calls (checked) -----------------------------------------------------------
    def check_inputs(self, X, param="X"):
        """X (N, n_in) as a finite array of this network's dtype, column-major."""
        return np.asfortranarray(check.inputs(param, X, self.sizes[0], dtype=self.dtype))

    def targets(self, y, N, param="y"):
        """(T (N, k) column-major, labels or None) from y; see ffnn.targets.as_targets."""
        T, labels = as_targets(y, N, self.sizes[-1], self.output, self.loss_name, self.dtype,
                               param)
        return np.asfortranarray(T), labels

    def forward(self, X):
        """X (N, n_in) -> Y_hat (N, k), the outputs after the output function."""
        X = self.check_inputs(X)
        self.sync()
        with np.errstate(**QUIET):
            return self.forward_cache(X)[2]

    def loss(self, X, y):
        """L(theta) on (X, y) as pinned in docs/design.md, plus (l2/2) sum ||W_i||_F^2."""
        X = self.check_inputs(X)
        T, _ = self.targets(y, len(X))
        self.sync()
        with np.errstate(**QUIET):
            _, As, Y = self.forward_cache(X)
            return self.loss_value(As, Y, T)

    def gradients(self, X, y):
        """-> (loss, dW, db): dW[i] has the shape of W[i], db[i] that of b[i]."""
        X = self.check_inputs(X)
        T, _ = self.targets(y, len(X))
        self.sync()
        dW, db = self.unflatten(np.empty_like(self.theta))
        with np.errstate(**QUIET):
            loss, _ = self.gradients_into(X, T, dW, db)
        return loss, dW, db

    def copy(self, dtype=None):
        """An independent network with the same settings and the same theta (cast to `dtype`)."""
        self.sync()
        twin = Network(self.sizes, self.activation, self.output, self.loss_name, "zeros",
                       self.l2, self.seed, dtype or self.dtype.name)
        twin.theta[...] = self.theta
        twin.init = self.init
        return twin

    def __repr__(self):
        return (f"Network({self.sizes}, activation={self.activation}, output={self.output!r}, "
                f"loss={self.loss_name!r}, init={self.init!r}, l2={self.l2}, seed={self.seed}, "
                f"dtype={self.dtype.name!r})")


def _is_list(value):
    """A list, a tuple or a 1-D array: a dict or a set is iterable, but it is not a list."""
    return isinstance(value, list | tuple) or (isinstance(value, np.ndarray) and value.ndim == 1)


def _check_sizes(sizes):
    msg = "sizes must be a list of at least two positive integers [n_in, ..., k]"
    if not _is_list(sizes) or len(sizes) < 2:
        raise ValueError(f"{msg}; got {sizes!r}")
    return [check.integer(f"sizes[{i}]", s, lo=1, hi=100_000) for i, s in enumerate(sizes)]


def _check_activations(activation, n_hidden):
    if isinstance(activation, str):          # checked even with no hidden layer to use it
        names = [check.choice("activation", activation, ACTIVATIONS)] * n_hidden
    else:
        names = activation
    if not _is_list(names):
        raise ValueError("activation must be a name or a list of names, one per hidden "
                         f"layer; got {activation!r}")
    if len(names) != n_hidden:
        raise ValueError(f"activation must name one function per hidden layer ({n_hidden}); "
                         f"got {len(names)}")
    return [check.choice("activation", a, ACTIVATIONS) for a in names]
