"""Files in and out: points from a CSV (validated), and exports of the history, theta, the
dataset and the configuration. Plain Python, NumPy and pandas; the app glue offers them as
buttons.

A file is untrusted input. Every problem with one ends in a ValueError whose message a student
can act on ("Row 5, column 2 (x2) holds `abc`, which is not a number."); file content appears
in a message only as short inline code. Nothing read from a file is evaluated or unpickled:
`.npz` files are opened with allow_pickle=False, after their sizes are checked.
"""

import csv
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
import pandas as pd

from ffnn import _validate as check
from ffnn.datasets import Dataset, check_features, feature_matrix, split_indices

MAX_BYTES = 5_000_000     # the app's upload limit (.streamlit/config.toml: maxUploadSize = 5)
MAX_ROWS = 50_000
MAX_CLASSES = 8
MAX_ABS = 1e6             # larger coordinates or targets are surely a mistake (plots show ±6)
MIN_ROWS = 4              # a few to train on, a few to test on

DELIMITERS = {"\t": "tabs", ";": "semicolons", ",": "commas"}   # tried in this order
X1_NAMES, X2_NAMES = ("x1", "x_1", "x₁"), ("x2", "x_2", "x₂")
LABEL_NAMES = ("label", "class", "target", "y")   # the first one found is the label column
EXPECTED = "expected x1, x2 and a label or target column"
NAMING = ("name them x1, x2 and label (or target, for regression) in a header row; other "
          "columns are then ignored")


@dataclass(frozen=True)
class Points:
    """Uploaded points: points (N, 2), y (N,) int labels 0..k-1 or float targets."""

    points: np.ndarray
    y: np.ndarray
    task: str               # "classification" or "regression"
    n_classes: int | None
    name: str = "uploaded"


# ---- reading points ---------------------------------------------------------------------------

def read_points_csv(raw, *, max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_classes=MAX_CLASSES,
                    name="uploaded"):
    """CSV bytes -> Points. Two feature columns and a label or target column.

    A header row is optional; with one, the columns named x1, x2 and label (or class, target,
    y) are used and any others ignored; without one, the file must have exactly three columns.
    Columns are separated by commas, semicolons or tabs; a field may be quoted ("1,5" is one
    field), line ends may be LF or CRLF, and a UTF-8 byte-order mark is dropped. A label column
    of whole numbers with
    2..max_classes distinct values makes a classification task (sorted values -> 0..k-1, so
    -1/+1 become 0/1); other numbers, or a column named target, make a regression task.
    Rows are counted as in a spreadsheet: row n is line n of the file, the header included.
    """
    rows = _rows(_text(raw, max_bytes), max_rows)
    header = rows.pop_header()
    columns, kind = _pick_columns(header, rows.width)
    _check_row_count(len(rows.fields), max_rows)
    values = np.column_stack([rows.numbers(c, label, is_label=j == 2)
                              for j, (c, label) in enumerate(columns)])
    for j, (c, label) in enumerate(columns):
        _check_finite(rows, values[:, j], c, label)
    task, y, k = _targets(rows, values[:, 2], columns[2], kind, max_classes)
    return Points(points=np.ascontiguousarray(values[:, :2]), y=y, task=task, n_classes=k,
                  name=name)


def _text(raw, max_bytes):
    """The file's text: size first (before anything is decoded), then emptiness, binary, UTF-8."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise ValueError("expected the file's content as bytes")
    if len(raw) > max_bytes:
        raise ValueError(f"The file is {_size(len(raw))}; the limit is {_size(max_bytes)}: "
                         "upload fewer points.")
    raw = bytes(raw)
    if not raw.strip():
        raise ValueError("The file is empty: it needs a row for each point, "
                         "with x1, x2 and a label or target.")
    if b"\x00" in raw:
        raise ValueError("The file holds NUL bytes: it looks like a binary file (a spreadsheet "
                         "or an image), not CSV text. Save it as CSV and upload that.")
    try:
        return raw.decode("utf-8-sig")          # -sig: drop the byte-order mark Excel writes
    except UnicodeDecodeError as err:
        raise ValueError(f"The file is not UTF-8 text (byte {err.start + 1:,} cannot be read). "
                         "Save it as CSV (UTF-8).") from None


def _size(n):
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


class _Rows:
    """The non-blank records split into fields: `fields` (lists of equal width) and `at`, their
    row numbers in the file (1-based, as a spreadsheet or an editor counts them)."""

    def __init__(self, at, fields, delim):
        self.at, self.fields, self.delim = at, fields, delim
        self.width = len(self.fields[0])
        if self.width < 3:
            raise ValueError(f"The file has {self.width} columns; {EXPECTED}.")
        widths = list(map(len, self.fields))
        if min(widths) != max(widths):
            i = next(i for i, w in enumerate(widths) if w != self.width)
            raise ValueError(
                f"Row {at[i]} has {widths[i]} column{'s' * (widths[i] != 1)} but row {at[0]} "
                f"has {self.width} (columns separated by {DELIMITERS[self.delim]}): every row "
                "needs the same columns.")

    def pop_header(self):
        """The first row's names if it is a header (names only, no numbers), else None."""
        first = [f.strip() for f in self.fields[0]]
        if any(_is_number(f) for f in first):
            return None
        del self.fields[0], self.at[0]
        return first

    def text(self, i, c):
        return self.fields[i][c].strip()

    def numbers(self, c, label, is_label=False):
        """Column c as (N,) float64; a cell that is not a number -> ValueError naming it."""
        texts = list(map(itemgetter(c), self.fields))
        try:
            return np.fromiter(map(float, texts), dtype=np.float64, count=len(texts))
        except ValueError:
            pass
        i = next(i for i, t in enumerate(texts) if not _is_number(t))
        names = " Class labels must be whole numbers (0, 1, 2, …), not names." if is_label else ""
        raise ValueError(f"{_where(self.at[i], c, label)} {_describe(texts[i].strip())}{names}")


def _rows(text, max_rows):
    """Split the text into _Rows with the standard library's csv reader, which keeps each
    record's line number. Blank lines are skipped; a first line '# x1,x2,label' (NumPy's
    savetxt header) counts as a header."""
    lines = text.splitlines()
    # A header and max_rows rows at most: refuse longer files before parsing any line.
    if len(lines) - lines.count("") > max_rows + 1:
        _check_row_count(sum(1 for line in lines if line.strip()) - 1, max_rows)
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise ValueError("The file is empty: it holds blank lines only.")
    delim = _delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, skipinitialspace=True)
    at, fields = [], []
    try:
        for row in reader:
            if any(f.strip() for f in row):
                at.append(reader.line_num)      # the record's last line (quotes may span two)
                fields.append(row)
    except csv.Error as err:
        raise ValueError(f"Row {reader.line_num + 1} cannot be read as CSV ({err}).") from None
    if fields[0][0].lstrip().startswith("#"):
        fields[0][0] = fields[0][0].lstrip()[1:]
    return _Rows(at, fields, delim)


def _check_row_count(n, max_rows):
    if n > max_rows:
        raise ValueError(f"The file has {n:,} rows of points; at most {max_rows:,} are allowed.")
    if n < MIN_ROWS:
        raise ValueError(f"The file has {n} row{'s' * (n != 1)} of points; at least {MIN_ROWS} "
                         "are needed (some to train on, some to test on).")


def _delimiter(first):
    """The first of DELIMITERS found in the first line, outside quoted fields."""
    unquoted = re.sub(r'"[^"]*"', "", first)
    for delim in DELIMITERS:
        if delim in unquoted:
            return delim
    raise ValueError(f"Found no column separator in the first row ({_quote(first)}): the file "
                     f"needs three columns, x1, x2 and a label or target, separated by commas, "
                     "semicolons or tabs.")


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _pick_columns(header, width):
    """-> ([(index, label)] for x1, x2 and the label; what the label's name says: 'label'
    (classes), 'target' (regression) or None (decide from the values))."""
    if header is not None:
        names = [f.lower() for f in header]
        found = [_find(names, X1_NAMES), _find(names, X2_NAMES), _find(names, LABEL_NAMES)]
        if None not in found and len(set(found)) == 3:
            return [(c, header[c]) for c in found], _kind(names[found[2]])
    if width != 3:
        why = (f"its header {_quote(', '.join(header))} does not say which are which" if header
               else "no header row")
        raise ValueError(f"The file has {width} columns and {why}; {EXPECTED}. Keep only those "
                         f"three columns, or {NAMING}.")
    labels = header or ("x1", "x2", "label")
    kind = _kind(labels[2].lower()) if header else None
    return [(c, labels[c] or f"column {c + 1}") for c in range(3)], kind


def _find(names, wanted):
    for w in wanted:
        if w in names:
            return names.index(w)
    return None


def _kind(name):
    return {"label": "label", "class": "label", "target": "target"}.get(name)


def _where(i, c, label):
    return f"Row {i}, column {c + 1} ({_quote(label)})"


def _describe(text):
    if not text:
        return "is empty: every point needs x1, x2 and a label or target."
    hint = " Use a point for decimals (1.5, not 1,5)." if "," in text else ""
    return f"holds {_quote(text)}, which is not a number.{hint}"


def _check_finite(rows, v, c, label):
    bad = ~np.isfinite(v)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{_where(rows.at[i], c, label)} holds {_quote(rows.text(i, c))}: "
                         "every value must be a finite number (no NaN or infinity).")
    big = np.abs(v) > MAX_ABS
    if big.any():
        i = int(np.flatnonzero(big)[0])
        raise ValueError(f"{_where(rows.at[i], c, label)} holds {_quote(rows.text(i, c))}: "
                         f"values must lie between -{MAX_ABS:,.0f} and {MAX_ABS:,.0f} (the plots "
                         "show about -6 to 6).")


def _targets(rows, t, column, kind, max_classes):
    """-> (task, y, n_classes): class indices 0..k-1 (int64) or float targets."""
    c, label = column
    whole = t == np.round(t)
    if kind == "target" or (kind is None and not whole.all()):
        if np.all(t == t[0]):
            raise ValueError(f"Every target is {_quote(rows.text(0, c))}: a constant leaves "
                             "nothing to learn.")
        return "regression", t.copy(), None
    if not whole.all():
        i = int(np.flatnonzero(~whole)[0])
        raise ValueError(f"{_where(rows.at[i], c, label)} holds {_quote(rows.text(i, c))}: "
                         "class labels must be whole numbers such as 0, 1, 2 (or -1 and 1). "
                         "For regression targets, name the column target.")
    classes, y = np.unique(t, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(f"Every row has the label {_quote(rows.text(0, c))}: one class only; "
                         "at least two are needed to learn a boundary between them.")
    if len(classes) > max_classes:
        raise ValueError(f"The label column has {len(classes)} distinct values; at most "
                         f"{max_classes} classes are allowed. If these are regression targets, "
                         "name the third column target in a header row.")
    return "classification", y.astype(np.int64).reshape(-1), len(classes)


def _quote(text, n=30):
    """File content, safe inside a message: one line, shortened, as inline code."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(text)[:n + 1])
    short = text[:n] + ("…" if len(text) > n else "")
    return "`" + (short.replace("`", "'") or " ") + "`"


# ---- points -> a Dataset ----------------------------------------------------------------------

def dataset_from_points(up, train_ratio, seed, features):
    """A Dataset (ffnn.datasets) from uploaded points: shuffled by `seed`, split, featurised.

    The first round(N * train_ratio) points of a permutation drawn from
    np.random.default_rng(seed) train, the rest test (each part keeps at least one point)."""
    if not isinstance(up, Points):
        raise ValueError(f"up must be ffnn.io.Points; got {type(up).__name__}")
    ratio = check.fraction("train_ratio", train_ratio)
    seed = check.integer("seed", seed, 0)
    features = check_features(features)
    train, test = split_indices(np.random.default_rng(seed), len(up.points), ratio)
    return Dataset(
        name="uploaded", task=up.task, n_classes=up.n_classes, features=features,
        points_train=up.points[train], points_test=up.points[test],
        X_train=feature_matrix(up.points[train], features),
        X_test=feature_matrix(up.points[test], features),
        y_train=up.y[train], y_test=up.y[test])


# ---- exports: pure functions returning str or bytes -------------------------------------------

def history_csv(history):
    """The trainer's history (a DataFrame, one row per recorded update) as CSV text."""
    return history.to_csv(index=False, lineterminator="\n")


def _theta_arrays(net):
    """{"W1": W_1, ..., "WL": W_L, "b1": b_1, ..., "bL": b_L}, numbered as in the lecture."""
    arrays = {f"W{l}": np.asarray(W) for l, W in enumerate(net.W, start=1)}
    arrays.update({f"b{l}": np.asarray(b) for l, b in enumerate(net.b, start=1)})
    return arrays


def theta_npz(net):
    """theta as .npz bytes: W1..WL, b1..bL, sizes, and activation, output, loss as strings
    (no object arrays: np.load(..., allow_pickle=False) reads it)."""
    buf = io.BytesIO()
    np.savez(buf, **_theta_arrays(net), sizes=np.array(net.sizes, dtype=np.int64),
             activation=np.array(list(net.activation), dtype=np.str_),
             output=np.array(net.output, dtype=np.str_),
             loss=np.array(net.loss_name, dtype=np.str_))
    return buf.getvalue()


def theta_json(net):
    """theta as JSON text: sizes, activation (per hidden layer), output, loss, W (one nested
    list per layer, W[l-1] of shape (n_{l-1}, n_l)) and b."""
    return json.dumps({
        "sizes": [int(n) for n in net.sizes], "activation": list(net.activation),
        "output": net.output, "loss": net.loss_name,
        "W": [np.asarray(W, dtype=np.float64).tolist() for W in net.W],
        "b": [np.asarray(b, dtype=np.float64).tolist() for b in net.b],
    }, allow_nan=False)


def dataset_csv(dataset):
    """The data set's points as CSV text: x1, x2, label (or target) and split (train/test)."""
    label = "label" if dataset.task == "classification" else "target"
    points = np.concatenate([dataset.points_train, dataset.points_test])
    frame = pd.DataFrame({"x1": points[:, 0], "x2": points[:, 1],
                          label: np.concatenate([dataset.y_train, dataset.y_test]),
                          "split": ["train"] * len(dataset.points_train)
                          + ["test"] * len(dataset.points_test)})
    return frame.to_csv(index=False, lineterminator="\n")


def config_json(cfg, t=None):
    """The settings (and the iteration t, if given) as JSON text."""
    out = {key: list(v) if isinstance(v, tuple) else v for key, v in cfg.items()}
    if t is not None:
        out["t"] = int(t)
    return json.dumps(out, indent=2, allow_nan=False)


# ---- importing theta --------------------------------------------------------------------------

META = {"sizes", "activation", "output", "loss"}
MAX_META_BYTES = 64_000


def load_theta_npz(raw, net):
    """Set net's W and b from .npz bytes as theta_npz writes them (W1..WL, b1..bL; sizes and
    the names are optional). Shapes must match the network's; nothing is changed unless the
    whole file is valid. Raises ValueError with a readable message otherwise."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise ValueError("expected the file's content as bytes")
    want = {k: v.shape for k, v in _theta_arrays(net).items()}
    try:
        with zipfile.ZipFile(io.BytesIO(bytes(raw))) as zf:
            infos = {info.filename.removesuffix(".npy"): info for info in zf.infolist()}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ValueError("This is not an .npz file (NumPy's zip of arrays): save θ with the "
                         "θ (NPZ) button.") from None
    _check_members(infos, want)
    try:
        with np.load(io.BytesIO(bytes(raw)), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in infos}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError):
        raise ValueError("The .npz file could not be read: an array in it is damaged or holds "
                         "Python objects (only numbers and names are accepted).") from None
    _check_sizes(arrays.get("sizes"), net.sizes)
    new = {key: _theta_part(key, arrays[key], shape) for key, shape in want.items()}
    for l in range(1, net.L + 1):
        net.W[l - 1][...] = new[f"W{l}"]
        net.b[l - 1][...] = new[f"b{l}"]
    return net


def _check_members(infos, want):
    missing = [k for k in want if k not in infos]
    unknown = [k for k in infos if k not in want and k not in META]
    if missing or unknown:
        problem = (f"has no {', '.join(missing[:4])}" if missing
                   else f"holds unexpected arrays {_quote(', '.join(unknown))}")
        raise ValueError(f"The file {problem}: θ of this network is "
                         f"{', '.join(want)}. Was it saved from a network of other sizes?")
    for key, info in infos.items():
        limit = MAX_META_BYTES if key in META else 8 * math.prod(want[key]) + 4096
        if info.file_size > limit:
            raise ValueError(f"The array {_quote(key)} in the file is {_size(info.file_size)}, "
                             "far more than this network's θ needs.")


def _check_sizes(sizes, expected):
    if sizes is None:
        return
    if sizes.dtype.kind not in "iu" or sizes.ndim != 1 or sizes.tolist() != list(expected):
        shown = _quote(", ".join(map(str, np.ravel(sizes)[:10].tolist())))
        raise ValueError(f"θ in the file is for layer sizes {shown}; this network has "
                         f"{list(expected)}.")


def _theta_part(key, a, shape):
    if a.dtype.kind not in "fiu":
        raise ValueError(f"{key} in the file holds {a.dtype} values, not numbers.")
    if a.shape != shape:
        raise ValueError(f"{key} in the file has shape {a.shape}; this network's {key} has "
                         f"shape {shape}.")
    a = a.astype(np.float64)
    if not np.isfinite(a).all():
        raise ValueError(f"{key} in the file holds NaN or infinite values.")
    return a
