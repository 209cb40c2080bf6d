"""The trainer's record of its updates: one row per recorded update, in bounded memory.

Rows go into a fixed NumPy buffer. When it fills, every other old row is dropped and from then
on only steps on the doubled stride are kept, so a run of any length keeps at most `capacity`
rows spread over its whole course. The first row (the loss at theta_0) and the latest row are
always kept.
"""

import numpy as np
import pandas as pd


class History:
    """Rows of floats under `columns`; the first column is the step number.

    `width` (optional) makes rows wider than the named columns, for unnamed values such as a
    copy of theta per row (`rows()` gives them; `frame()` needs named columns).
    """

    def __init__(self, columns, capacity=4000, width=None, dtype=np.float64):
        if capacity < 4 or capacity % 2:
            raise ValueError("capacity must be an even integer >= 4")
        self.columns = list(columns)
        self._buf = np.full((capacity, width or len(self.columns)), np.nan, dtype=dtype)
        self._n = 0            # committed rows
        self._pending = False  # a row after the committed ones, off-stride, shown until replaced
        self.stride = 1
        self._frame = None

    def next_row(self):
        """The row to fill for a new update (a view); call `commit()` after filling it."""
        return self._buf[self._n]

    def commit(self):
        step = self._buf[self._n, 0]
        self._frame = None
        if self._n == 0 or step % self.stride == 0:
            self._n += 1
            self._pending = False
            if self._n == len(self._buf):
                self._thin()
        else:
            self._pending = True

    def _thin(self):
        self.stride *= 2
        steps = self._buf[:self._n, 0]
        keep = steps % self.stride == 0
        keep[0] = keep[-1] = True
        kept = self._buf[:self._n][keep]
        self._n = len(kept)
        self._buf[:self._n] = kept
        self._buf[self._n:] = np.nan

    def truncate(self, step):
        """Forget every row after `step` (updates undone)."""
        rows = self._buf[:len(self), 0]
        keep = int(np.searchsorted(rows, step, side="right"))
        self._buf[keep:] = np.nan
        self._n, self._pending, self._frame = keep, False, None

    def pop(self):
        """Forget the latest row (an update undone); the one before becomes the latest."""
        if self._pending:
            self._pending = False
        elif self._n:
            self._n -= 1
            self._buf[self._n] = np.nan
        self._frame = None

    def __len__(self):
        return self._n + self._pending

    def rows(self):
        """The kept rows as an array (N_kept, width): a view, valid until the next commit."""
        return self._buf[:len(self)]

    def first(self):
        """The first row as a dict, or None before the first update."""
        if not len(self):
            return None
        return dict(zip(self.columns, self._buf[0].tolist()))

    def last(self):
        """The latest row as a dict, or None before the first update."""
        if not len(self):
            return None
        return dict(zip(self.columns, self._buf[len(self) - 1].tolist()))

    def frame(self):
        """A pandas DataFrame of the kept rows (built once per change, then cached)."""
        if self._frame is None:
            df = pd.DataFrame(self._buf[:len(self)].copy(), columns=self.columns)
            df["step"] = df["step"].astype(np.int64)
            self._frame = df
        return self._frame
