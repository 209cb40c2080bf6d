"""Argument checks shared by the engine: every bad value ends in a ValueError that names the
parameter and says what is allowed, so callers (and the app) can show the message as it is."""

import math
import numbers

import numpy as np


def choice(param, value, allowed):
    """Return `value` if it is one of the names in `allowed` (a dict or a sequence)."""
    names = list(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{param} must be one of {', '.join(map(repr, names))}; got {value!r}")
    return value


def positive_finite(param, value):
    """A real number > 0 and finite (a learning rate, a scale)."""
    x = real(param, value)
    if not (x > 0 and math.isfinite(x)):
        raise ValueError(f"{param} must be a positive finite number; got {value!r}")
    return x


def non_negative(param, value):
    """A finite real number >= 0 (a penalty strength, a noise level)."""
    x = real(param, value)
    if not (x >= 0 and math.isfinite(x)):
        raise ValueError(f"{param} must be a finite number >= 0; got {value!r}")
    return x


def real(param, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{param} must be a real number; got {value!r}")
    return float(value)


def integer(param, value, lo=None, hi=None):
    """An int within [lo, hi] (either bound may be None)."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if ok and (lo is None or value >= lo) and (hi is None or value <= hi):
        return int(value)
    bounds = " and ".join(s for s in (
        f">= {lo}" if lo is not None else "", f"<= {hi}" if hi is not None else "") if s)
    raise ValueError(f"{param} must be an integer{' ' + bounds if bounds else ''}; got {value!r}")


def fraction(param, value, lo=0.0, hi=1.0, open_lo=True, open_hi=True):
    """A real number inside (lo, hi), ends open or closed as asked."""
    x = real(param, value)
    above = x > lo if open_lo else x >= lo
    below = x < hi if open_hi else x <= hi
    if not (above and below):
        left, right = "(" if open_lo else "[", ")" if open_hi else "]"
        raise ValueError(f"{param} must lie in {left}{lo}, {hi}{right}; got {value!r}")
    return x


def finite_array(param, value, ndim=None, dtype=np.float64):
    """Convert to a float array of the given dtype and check it holds only finite numbers."""
    try:
        a = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{param} must be an array of numbers") from None
    if ndim is not None and a.ndim not in np.atleast_1d(ndim):
        raise ValueError(f"{param} must be a {ndim}-D array; got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{param} must not be empty; got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{param} must hold only finite numbers (no NaN or inf)")
    return a


def inputs(param, X, n_in, dtype=np.float64):
    """X of shape (N, n_in), finite; a single example (n_in,) is not guessed at."""
    X = finite_array(param, X, ndim=2, dtype=dtype)
    if X.shape[1] != n_in:
        raise ValueError(f"{param} must have {n_in} columns (one per input); got shape {X.shape}")
    return X
