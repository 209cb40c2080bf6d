"""Numbers as LaTeX for st.latex: scalars, vectors and matrices, shortened when large."""

import numpy as np

MAX_ENTRIES = 8  # a vector or matrix side longer than this is shown with an ellipsis


def num(x, digits=4):
    """A float in LaTeX: 0.1235, -2.5\\times10^{-5}."""
    x = float(x)
    if not np.isfinite(x):
        return r"\infty" if x > 0 else (r"-\infty" if x < 0 else r"\mathrm{NaN}")
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        return rf"{mantissa}\times10^{{{int(exp)}}}"
    return text


def _cells(values, limit):
    values = list(values)
    if len(values) <= limit:
        return [num(v, 3) for v in values]
    head = [num(v, 3) for v in values[:limit - 2]]
    return [*head, r"\cdots", num(values[-1], 3)]


def row(v, limit=MAX_ENTRIES):
    """A 1-D array as a row vector [a  b  c]: the code's row-batch form of the lecture's
    column vectors."""
    return r"\begin{bmatrix}" + " & ".join(_cells(np.ravel(v), limit)) + r"\end{bmatrix}"


def mat(M, limit=MAX_ENTRIES):
    """A 2-D array as a bmatrix, rows and columns shortened past `limit`."""
    M = np.atleast_2d(M)
    rows = [" & ".join(_cells(r, limit)) for r in M[:limit - 2]] if len(M) > limit else \
        [" & ".join(_cells(r, limit)) for r in M]
    if len(M) > limit:
        width = len(_cells(M[0], limit))
        rows += [" & ".join([r"\vdots"] * width), " & ".join(_cells(M[-1], limit))]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
