"""What happened to a run at which t: the trainer's event log (Trainer.events).

Each event is a setting changed mid-run (from `old` to `new`, in the trainer's own terms: a
batch size of None is the full batch) or an update that diverged. The loss chart marks the
changes, and a URL replays the log to the same θ, bit for bit (ffnn.app.replay).
"""

from dataclasses import dataclass

DIVERGED = "diverged"        # the key of an event that records a divergence

# How a change reads on the charts: the setting's symbol, and how its values are written.
_NAMES = {"lr": "η", "l2": "λ", "batch_size": "batch", "optimizer": "optimizer"}


def _value(value):
    if value is None:
        return "full"                       # the only setting that may be None: the batch size
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Event:
    """At update t (the number of updates done then), setting `key` went from `old` to `new`;
    or, for key DIVERGED, the next update diverged (training stopped at t; old and new None)."""

    t: int
    key: str
    old: object = None
    new: object = None

    @property
    def setting(self):
        """Whether a setting changed (not a divergence)."""
        return self.key != DIVERGED

    @property
    def text(self):
        """As the charts label it: "η 0.1 → 0.5", "batch full → 32", "diverged"."""
        if not self.setting:
            return "diverged"
        return f"{_NAMES.get(self.key, self.key)} {_value(self.old)} → {_value(self.new)}"
