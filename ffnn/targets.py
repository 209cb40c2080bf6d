"""Turning what a caller passes as `y` into the target matrix T (N, k) that the losses compare
with Y_hat, and the class labels (N,) used for accuracy, or None for regression."""

import numpy as np

from . import _validate as check
from .losses import LOSSES


def as_targets(y, N, k, output, loss, dtype=np.float64, param="y"):
    """y -> (T (N, k), labels (N,) int64 or None).

    - y (N,) of integers with k > 1: class labels 0..k-1, one-hot encoded;
    - y (N,) with k = 1: the targets themselves (0/1 integers: binary labels);
    - y (N, k): real targets (0/1 for independent sigmoid outputs, rows of a distribution for
      softmax with cross-entropy).
    """
    try:
        y = np.asarray(y)
    except (TypeError, ValueError):
        raise ValueError(f"{param} must be an array of labels or targets") from None
    if y.dtype.kind not in "biuf":
        raise ValueError(f"{param} must hold numbers; got dtype {y.dtype}")
    if y.ndim not in (1, 2) or y.shape[0] != N:
        raise ValueError(f"{param} must have shape ({N},) or ({N}, {k}), one row per row of X; "
                         f"got {y.shape}")
    yf = check.finite_array(param, y, dtype=np.float64)
    if y.ndim == 2:
        return _matrix_targets(yf, k, output, loss, dtype, param)
    if k == 1:
        labels = None
        if y.dtype.kind in "biu":
            if not np.isin(y, (0, 1)).all():
                raise ValueError(f"{param} holds class labels for a single output, which must "
                                 "be 0 or 1")
            labels = y.astype(np.int64)
        _check_range(yf, output, loss, param)
        return yf.astype(dtype).reshape(N, 1), labels
    labels = yf.astype(np.int64)
    if not (labels == yf).all() or labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"{param} holds class labels, which must be integers in 0..{k - 1} "
                         f"(the network has k = {k} outputs)")
    T = np.zeros((N, k), dtype=dtype)
    T[np.arange(N), labels] = 1.0
    return T, labels


def _matrix_targets(yf, k, output, loss, dtype, param):
    if yf.shape[1] != k:
        raise ValueError(f"{param} must have {k} columns, one per output; got shape {yf.shape}")
    _check_range(yf, output, loss, param)
    labels = None
    if output == "softmax":
        if LOSSES[loss].probabilities and not np.allclose(yf.sum(axis=1), 1.0, atol=1e-6):
            raise ValueError(f"{param} rows must sum to 1 (one-hot or a distribution) for softmax "
                             f"with {LOSSES[loss].label.lower()}")
        labels = yf.argmax(axis=1)
    return yf.astype(dtype), labels


def _check_range(yf, output, loss, param):
    if LOSSES[loss].probabilities and (yf.min() < 0 or yf.max() > 1):
        raise ValueError(f"{param} must lie in [0, 1] for {output} outputs with "
                         f"{LOSSES[loss].label.lower()}")


def accuracy(Y, labels):
    """Fraction of rows whose predicted class equals `labels`: argmax for k > 1, Y > 0.5 for
    k = 1."""
    pred = Y[:, 0] > 0.5 if Y.shape[1] == 1 else Y.argmax(axis=1)
    return float(np.count_nonzero(pred == labels)) / len(labels)
