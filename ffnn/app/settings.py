"""What the sidebar can set: each setting's default and allowed values, and which settings start
training again from a fresh theta_0. Plain Python, so tests and URL checks can use it too."""

import math
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass

from ffnn.activations import ACTIVATIONS
from ffnn.datasets import DATASETS, FEATURES, dataset_params
from ffnn.init import INITS
from ffnn.losses import LOSSES, OUTPUTS, defined
from ffnn.optimizers import OPTIMIZERS

# TensorFlow Playground's learning rates, log-spaced; any other positive value can be typed.
LR_CHOICES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
L2_CHOICES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
BATCH_CHOICES = (0, 1, 2, 5, 10, 20, 50, 100)          # 0: the full batch, the lecture's rule
SAMPLE_CHOICES = (100, 200, 300, 500, 1000, 2000)
MAX_LR = 10_000.0
# Iterations per second while playing; at the default the lecture's 1000 take 20 s.
SPEED_CHOICES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)
DEFAULT_SPEED = 50
MAX_HIDDEN = 6
MAX_NEURONS = 32
MAX_ITERATIONS = 1_000_000      # the largest max_iterations, and a URL's largest t


# -------------------------------------------------------------------- what a value may be
# Each domain parses a value from a URL's text (ValueError saying what it "must" be) and gives
# the sidebar's widget its bounds or options: one statement of what a setting may hold.


@dataclass(frozen=True)
class Ints:
    """An integer from lo to hi (a slider's or a number field's bounds)."""

    lo: int
    hi: int
    step: int = 1

    def parse(self, text):
        value = int(text)
        if not self.lo <= value <= self.hi:
            raise ValueError(f"must be an integer from {self.lo} to {self.hi}")
        return value


@dataclass(frozen=True)
class Among:
    """One of `options`: a tuple of numbers (a URL's 0.10 matches 0.1), or a function giving
    the names a registry holds now."""

    options: object

    def values(self):
        return list(self.options() if callable(self.options) else self.options)

    def parse(self, text):
        options = self.values()
        if isinstance(options[0], str):
            if text not in options:
                raise ValueError(f"must be one of {', '.join(options)}")
            return text
        value = float(text)
        match = [o for o in options if math.isclose(o, value, rel_tol=1e-9, abs_tol=1e-15)]
        if not match:
            raise ValueError(f"must be one of {', '.join(f'{o:g}' for o in options)}")
        return type(options[0])(match[0])


@dataclass(frozen=True)
class Positive:
    """A finite number in (0, hi]: η, which can be typed as any such number."""

    hi: float

    def parse(self, text):
        value = float(text)
        if not (math.isfinite(value) and 0 < value <= self.hi):
            raise ValueError(f"must be a positive number up to {self.hi:g}")
        return value


@dataclass(frozen=True)
class Subset:
    """Distinct names among `options()`, at least one (the input features)."""

    options: object

    def values(self):
        return list(self.options())

    def parse(self, text):
        names, known = [t for t in text.split(",") if t], self.values()
        if not names or len(set(names)) != len(names) or not set(names) <= set(known):
            raise ValueError(f"must be distinct names from {', '.join(known)}")
        return names


# -------------------------------------------------------------------- the table of settings
DATA, ARCHITECTURE, OPTIMISATION = "data", "architecture", "optimisation"


def _always(cfg, present):
    return True


@dataclass(frozen=True)
class Setting:
    """One setting, stated once. The sidebar draws it, a URL carries it and sync_run keeps or
    rebuilds the run by it, all from this row (see docs/design.md, "One table of settings").

    group: DATA or ARCHITECTURE (a change starts again from a fresh θ₀), or OPTIMISATION (the
    trained θ goes on). domain: what a value may be (None: never read from a URL). widget: how
    the sidebar draws it ("slider", "number", "select_slider", "selectbox", "radio",
    "multiselect", "lr"; None: not drawn), in `section`, when shown(cfg, present). options(cfg):
    the choices that fit the other settings (default: the domain's). fmt: a choice's label.
    trainer: (get, put) of a setting that may change mid-run; replayed: such a change alters
    θ_t, so a URL lists it (`changes`) and a replay applies it at the same t."""

    name: str
    label: str
    default: object
    group: str
    domain: object = None
    widget: str | None = None
    section: str = ""
    shown: object = _always
    options: object = None
    fmt: object = None
    help: str | None = None
    columns: int = 0            # drawn side by side with the next rows of the same `columns`
    lead: str | None = None     # a caption above such a group of rows
    trainer: tuple | None = None
    replayed: bool = False


SETTINGS = {}       # name -> Setting, in the sidebar's order within each section


def register(setting):
    """Add (or replace) one row; the sidebar, the URL and sync_run use it from then on."""
    SETTINGS[setting.name] = setting
    return setting


def unregister(name):
    SETTINGS.pop(name, None)


def own_params(dataset):
    """The Params of data set `dataset`'s own (none for uploaded points)."""
    return DATASETS[dataset].params if dataset in DATASETS else ()


def _param_row(param):
    """A data set's own parameter (ffnn.datasets.DatasetSpec.params) as a row of the table,
    shown while a data set that has it is chosen."""
    def shown(cfg, present):
        return any(p.name == param.name for p in own_params(cfg["dataset"]))
    return Setting(param.name, param.label, param.default, DATA, Ints(param.lo, param.hi),
                   "slider", "data", shown=shown)


def table():
    """{name: Setting}: the rows registered here, with every registered data set's own
    parameters after "dataset", read from the registries at each call."""
    out = {}
    for name, row in SETTINGS.items():
        out[name] = row
        if name == "dataset":
            out.update({k: _param_row(p) for k, p in dataset_params().items()})
    return out


class _Defaults(Mapping):
    """{name: default} of every row, read from the table at each use."""

    def __getitem__(self, key):
        row = SETTINGS.get(key)                # a data set's parameter: from table()
        return (row or table()[key]).default

    def __iter__(self):
        return iter(table())

    def __len__(self):
        return len(table())

    def __deepcopy__(self, memo):
        return {k: deepcopy(v.default, memo) for k, v in table().items()}


DEFAULTS = _Defaults()
UPLOADED = "uploaded"     # the dataset name of points from a CSV (see ffnn.io); never in a URL


def keys_of(group):
    return tuple(k for k, v in table().items() if v.group == group)


def mid_run():
    """{name: (get, put)} of the settings whose mid-run change alters θ_t, in the table's order
    (the order a replay applies them in)."""
    return {k: v.trainer for k, v in table().items() if v.trainer and v.replayed}

class Names(Mapping):
    """NAMES[setting] -> {name: label} of that setting's choices, read from its registry at each
    use: whatever a registry holds (an activation added at run time too) is offered at once."""

    def __init__(self, groups):
        self.groups = groups            # setting -> function giving {name: label}

    def __getitem__(self, setting):
        return self.groups[setting]()

    def __iter__(self):
        return iter(self.groups)

    def __len__(self):
        return len(self.groups)


def _labels(registry):
    return lambda: {k: v.label for k, v in registry.items()}


NAMES = Names({
    "dataset": lambda: {**_labels(DATASETS)(), UPLOADED: "Uploaded CSV"},
    "features": lambda: {k: v[0] for k, v in FEATURES.items()},
    "activation": _labels(ACTIVATIONS),
    "output": _labels(OUTPUTS),
    "loss": _labels(LOSSES),
    "init": _labels(INITS),
    "optimizer": _labels(OPTIMIZERS),
})


def _choices(setting):
    return Among(lambda: list(NAMES[setting]))


def _label_of(setting):
    return lambda name: NAMES[setting][name]


def _lr_text(v):
    return f"{float(v):g}" if isinstance(v, (int, float)) else str(v)


def _not_uploaded(cfg, present):
    return cfg["dataset"] != UPLOADED


def _in_full(cfg, present):                  # presentation mode hides the secondary controls
    return not present


def _width_shown(i):
    return lambda cfg, present: cfg["n_hidden"] >= i


def _set_batch(tr, v):
    tr.batch_size = v or None


for _row in (
    # ---- architecture: a change builds a new network from θ₀
    Setting("n_hidden", "Hidden layers", 2, ARCHITECTURE, Ints(0, MAX_HIDDEN), "slider",
            "architecture"),
    *(Setting(f"width_{i}", f"Layer {i}", w, ARCHITECTURE, Ints(1, MAX_NEURONS), "number",
              "architecture", shown=_width_shown(i), columns=3,
              lead=f"Neurons per layer (1–{MAX_NEURONS})")
      for i, w in enumerate((4, 2, 4, 4, 4, 4), start=1)),
    Setting("activation", "Activation", "tanh", ARCHITECTURE, _choices("activation"),
            "selectbox", "architecture", fmt=_label_of("activation"),
            help="$g$ in $H_l = g(A_l)$, for every hidden layer"),
    Setting("loss", "Loss", "cross_entropy", ARCHITECTURE, _choices("loss"), "radio", "loss",
            options=lambda cfg: losses_for(cfg), fmt=_label_of("loss"),
            help="L(θ): the question the lecture ends on"),
    Setting("output", "Output", "softmax", ARCHITECTURE, _choices("output"), "selectbox",
            "loss", options=lambda cfg: outputs_for(cfg), fmt=_label_of("output"),
            help="$O$ in $\\hat Y = O(A_L)$. Cross-entropy needs a probability output (softmax "
                 "or sigmoid); a linear output goes with squared error."),
    # ---- optimisation: a change keeps the trained θ
    Setting("lr", "Learning rate", 0.1, OPTIMISATION, Positive(MAX_LR), "lr", "optimisation",
            fmt=_lr_text, help="η in θ ← θ − η∇θ. Changing it keeps the trained θ.",
            trainer=(lambda tr: tr.lr, lambda tr, v: setattr(tr, "lr", v)), replayed=True),
    Setting("optimizer", "Optimizer", "gd", OPTIMISATION, _choices("optimizer"), "selectbox",
            "optimisation", fmt=_label_of("optimizer"),
            trainer=(lambda tr: tr.optimizer, lambda tr, v: tr.set_optimizer(v)),
            replayed=True),
    # ---- data: a change draws new data and starts again from θ₀
    Setting("dataset", "Dataset", "circle", DATA, Among(lambda: list(DATASETS)), "selectbox",
            "data", fmt=_label_of("dataset"),     # an uploaded CSV is offered once there is one
            options=lambda cfg: [*DATASETS, *([UPLOADED] if cfg["upload"] else [])]),
    Setting("noise", "Noise (%)", 0, DATA, Ints(0, 50), "slider", "data", shown=_not_uploaded),
    Setting("features", "Input features", ["x1", "x2"], DATA,
            Subset(lambda: list(FEATURES)), "multiselect", "data", shown=_in_full,
            fmt=_label_of("features"), help="Extra inputs computed from x₁ and x₂, as in "
            "TensorFlow Playground. At least one is needed."),
    Setting("n_samples", "Samples", 500, DATA, Among(SAMPLE_CHOICES), "select_slider", "data",
            shown=lambda cfg, present: not present and cfg["dataset"] != UPLOADED),
    Setting("train_pct", "Training data (%)", 50, DATA, Ints(10, 90, 5), "slider", "data",
            shown=_in_full),
    Setting("upload", "", "", DATA),                  # the id of an uploaded CSV (ffnn.app.carry)
    Setting("upload_task", "", "classification", DATA),   # and its task
    # ---- Advanced
    Setting("init", "Initialisation", "xavier", ARCHITECTURE, _choices("init"), "selectbox",
            "advanced", fmt=_label_of("init"), help="How θ₀ is drawn"),
    Setting("seed", "Seed (θ₀ and batches)", 0, ARCHITECTURE, Ints(0, 10**6), "number",
            "advanced", columns=2),
    Setting("data_seed", "Data seed", 0, DATA, Ints(0, 10**6), "number", "advanced",
            columns=2),
    Setting("batch_size", "Batch size", 0, OPTIMISATION, Among(BATCH_CHOICES),
            "select_slider", "advanced", fmt=lambda b: "full" if b == 0 else str(b),
            help="Examples per update. Full batch is the lecture's gradient descent.",
            trainer=(lambda tr: tr.batch_size or 0, _set_batch), replayed=True),
    Setting("l2", "L2 regularisation λ", 0.0, OPTIMISATION, Among(L2_CHOICES),
            "select_slider", "advanced", fmt=_lr_text,
            help="Adds (λ/2) Σ‖Wₗ‖² to L(θ); biases are not penalised.",
            trainer=(lambda tr: tr.l2, lambda tr, v: setattr(tr, "l2", v)), replayed=True),
    Setting("max_iterations", "Max iterations", 1000, OPTIMISATION, Ints(1, MAX_ITERATIONS, 100),
            "number", "advanced", help="The lecture's `max_iterations` (1000)",
            trainer=(lambda tr: tr.max_iterations,
                     lambda tr, v: setattr(tr, "max_iterations", v))),
):
    register(_row)


def hidden_sizes(cfg):
    """[n_1, ..., n_{L-1}] from n_hidden and the per-layer widths."""
    return [cfg[f"width_{i}"] for i in range(1, cfg["n_hidden"] + 1)]


def task_of(cfg):
    """"classification" or "regression" for the chosen dataset (an upload says which)."""
    if cfg["dataset"] == UPLOADED:
        return cfg["upload_task"]
    return DATASETS[cfg["dataset"]].task


def outputs_for(cfg):
    """The output functions that make sense for this task and loss, best first."""
    if task_of(cfg) == "regression":
        return ["linear"]
    return [o for o in OUTPUTS if defined(o, cfg["loss"])]   # registry order


def losses_for(cfg):
    """The losses this task can train with: no loss of probabilities for regression."""
    if task_of(cfg) == "regression":
        return [name for name, loss in LOSSES.items() if not loss.probabilities]
    return list(LOSSES)


def n_outputs(cfg, n_classes):
    """k: one output per class, except a single sigmoid unit for two classes (P(class 1))."""
    if n_classes is None:
        return 1
    return 1 if (cfg["output"] == "sigmoid" and n_classes == 2) else n_classes


def reconcile(cfg):
    """Make loss and output a valid pair for the task; -> (cfg, notes for the person)."""
    cfg, notes = dict(cfg), []
    if cfg["loss"] not in losses_for(cfg):
        old, cfg["loss"] = cfg["loss"], losses_for(cfg)[0]
        notes.append(f"Regression is trained with {NAMES['loss'][cfg['loss']].lower()} "
                     f"({NAMES['loss'][old].lower()} needs classes).")
    if cfg["output"] not in outputs_for(cfg):
        old, cfg["output"] = cfg["output"], outputs_for(cfg)[0]
        notes.append(f"{NAMES['output'][old]} output does not go with "
                     f"{NAMES['loss'][cfg['loss']].lower()} here; using "
                     f"{NAMES['output'][cfg['output']]}.")
    return cfg, notes


def data_key(cfg):
    return tuple((k, tuple(cfg[k]) if isinstance(cfg[k], list) else cfg[k])
                 for k in keys_of(DATA))


def arch_key(cfg):
    """The architecture's settings, with the widths of the layers in use only (a width the
    network does not use changes nothing)."""
    return tuple((k, cfg[k]) for k in keys_of(ARCHITECTURE) if not k.startswith("width_")) + (
        ("hidden", tuple(hidden_sizes(cfg))),)
