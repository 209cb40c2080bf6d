"""What the sidebar can set: each setting's default and allowed values, and which settings start
training again from a fresh theta_0. Plain Python, so tests and URL checks can use it too."""

from collections.abc import Mapping

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

_DEFAULTS = {
    # data: changing any of these draws new data and starts again from theta_0 (so does a data
    # set's own parameter, such as kclass's n_classes: see Defaults)
    "dataset": "circle", "noise": 0, "n_samples": 500, "train_pct": 50,
    "data_seed": 0, "features": ["x1", "x2"],
    "upload": "", "upload_task": "classification",   # fingerprint and task of an uploaded CSV
    # architecture: changing any of these builds a new network from theta_0
    "n_hidden": 2, **{f"width_{i}": w for i, w in enumerate((4, 2, 4, 4, 4, 4), start=1)},
    "activation": "tanh", "output": "softmax", "loss": "cross_entropy", "init": "xavier",
    "seed": 0,
    # optimisation: changing these keeps the trained theta
    "lr": 0.1, "optimizer": "gd", "batch_size": 0, "l2": 0.0, "max_iterations": 1000,
}
DATA_KEYS = ("dataset", "noise", "n_samples", "train_pct", "data_seed", "features",
             "upload")
UPLOADED = "uploaded"     # the dataset name of points from a CSV (see ffnn.io); never in a URL
ARCH_KEYS = ("n_hidden", *(f"width_{i}" for i in range(1, MAX_HIDDEN + 1)), "activation",
             "output", "loss", "init", "seed")


class Defaults(Mapping):
    """DEFAULTS[setting] -> its default: the table above, with every registered data set's own
    parameters (ffnn.datasets.DatasetSpec.params) after "dataset", read at each use."""

    def _all(self):
        out = {}
        for key, value in _DEFAULTS.items():
            out[key] = value
            if key == "dataset":
                out.update({p.name: p.default for p in dataset_params().values()})
        return out

    def __getitem__(self, key):
        return self._all()[key]

    def __iter__(self):
        return iter(self._all())

    def __len__(self):
        return len(self._all())


DEFAULTS = Defaults()


def own_params(dataset):
    """The Params of data set `dataset`'s own (none for uploaded points)."""
    return DATASETS[dataset].params if dataset in DATASETS else ()



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
    keys = (*DATA_KEYS, *dataset_params())
    return tuple((k, tuple(cfg[k]) if isinstance(cfg[k], list) else cfg[k]) for k in keys)


def arch_key(cfg):
    return tuple((k, cfg[k]) for k in ARCH_KEYS if not k.startswith("width_")) + (
        ("hidden", tuple(hidden_sizes(cfg))),)
