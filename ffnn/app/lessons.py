"""One-click lessons: each loads settings and a seed (so it is reproducible) and explains in two
sentences what to watch. tests/test_lessons.py checks that each shows what it claims."""

from dataclasses import dataclass, field

from . import settings as S


@dataclass(frozen=True)
class Lesson:
    title: str
    text: str                 # two sentences: what happens, and why
    try_next: str             # one thing to change afterwards
    settings: dict = field(default_factory=dict)
    page: str = "dashboard.py"
    view: tuple = ()          # (session key, label): the view the page opens on, if it has several

    def cfg(self):
        """The full settings of this lesson: the defaults with this lesson's changes."""
        cfg, _ = S.reconcile({**S.DEFAULTS, **self.settings})
        return cfg


LESSONS = {
    "xor": Lesson(
        "XOR needs a hidden layer",
        "With no hidden layer the network is A = XW + b followed by softmax: its decision "
        "boundary is a straight line, and no line separates the four XOR quadrants, so accuracy "
        "stays far from 100%. A hidden layer of a few units bends the boundary and solves it.",
        "Set Hidden layers to 1 (4 neurons) and press Play again.",
        {"dataset": "xor", "n_hidden": 0, "lr": 0.3, "seed": 0, "data_seed": 0}),
    "zeros": Lesson(
        "Zero initialisation: symmetry never breaks",
        "With θ₀ = 0 every hidden unit of a layer computes the same function and receives "
        "exactly the same gradient, so after any number of updates the units are still "
        "identical copies and the layer acts like a single unit. Random initialisation breaks "
        "this symmetry.",
        "Look at θ: every column of W₁ is the same. Then pick Xavier initialisation.",
        {"dataset": "circle", "init": "zeros", "activation": "sigmoid", "lr": 0.3, "seed": 0},
        page="pages/4_Theta_and_gradient.py"),
    "diverge": Lesson(
        "Learning rate too large: divergence",
        "With η = 3 each update overshoots the bottom of the valley and lands higher on the "
        "other side, so the gradient grows at every step until the numbers overflow. Training "
        "pauses by itself, names the step and layer where the gradient blew up, and suggests "
        "a learning rate.",
        "Press Play, then use the suggested η.",
        {"dataset": "plane", "activation": "relu", "lr": 3.0, "seed": 0}),
    "vanishing": Lesson(
        "Deep sigmoid network: vanishing gradients",
        "Going back through each sigmoid layer multiplies δ by σ'(A) ≤ 1/4, so after six layers "
        "‖∇W₁‖ is orders of magnitude smaller than ‖∇W₇‖ and the first layers barely learn. "
        "The bars of ‖∇Wₗ‖ per layer, on a log scale, show them apart.",
        "Switch the activation to ReLU or tanh and compare the gradient norms.",
        {"dataset": "circle", "n_hidden": 6, **{f"width_{i}": 8 for i in range(1, 7)},
         "activation": "sigmoid", "lr": 0.3, "seed": 0}, page="pages/1_Training_curves.py",
        view=("curves_view", "Gradients per layer")),
    "saturation": Lesson(
        "Squared error with a sigmoid output saturates",
        "With a sigmoid output, the squared error's error signal is 2(ŷ − y)·ŷ(1 − ŷ): on a "
        "confident mistake ŷ(1 − ŷ) ≈ 0, so the points that are most wrong push the weights the "
        "least, and this θ₀ is confidently wrong on 40% of them. Cross-entropy's signal is "
        "ŷ − y, largest exactly there.",
        "Switch the Loss to cross-entropy (same seed, same θ₀) and compare, or open Compare "
        "losses.",
        {"dataset": "circle", "features": ["x1sq", "x2sq"], "n_hidden": 0,
         "output": "sigmoid", "loss": "squared_error", "init": "xavier", "lr": 0.03,
         "seed": 1}),
    "momentum": Lesson(
        "Momentum against plain gradient descent",
        "Momentum adds up past gradients, uₜ = γuₜ₋₁ + η∇θₜ, so along a long gentle slope "
        "its steps grow up to 1/(1 − γ) = 10 times larger than plain gradient descent's. With the "
        "same η = 0.03 it reaches a low loss in a few hundred iterations where gradient descent "
        "has hardly started.",
        "Switch the Optimizer back to Gradient descent and press Play to compare.",
        {"dataset": "circle", "optimizer": "momentum", "lr": 0.03, "seed": 0}),
}
