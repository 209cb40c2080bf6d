"""One-click lessons: each loads settings and a seed (so it is reproducible) and explains in two
sentences what to watch. LECTURE puts them in the lecture's order for the run-through
(ffnn.app.lecture). tests/test_lessons.py checks that each shows what it claims, on the page it
sends you to."""

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
    page_state: dict = field(default_factory=dict)   # settings of the page itself (Compare's)
    until: int = 300          # by this t the run has shown its point (the run-through plays to it)
    player: str = ""          # the key of the player that plays it ("cmp_": Compare's pair)

    def cfg(self):
        """The full settings of this lesson: the defaults with this lesson's changes."""
        cfg, _ = S.reconcile({**S.DEFAULTS, **self.settings})
        return cfg


LESSONS = {
    "update": Lesson(
        "θ and the update rule",
        "θ is every weight matrix and bias vector of the network, and ∇θ has exactly the same "
        "pieces and shapes. Each update subtracts η∇θ from θ, entry by entry, and L(θ) goes "
        "down.",
        "Pick an entry of W₁ and press Step: its update is written out with this step's numbers.",
        {"lr": 0.3}, page="pages/4_Theta_and_gradient.py", until=50),
    "eta_small": Lesson(
        "What η does: too small",
        "With η = 0.001 every update moves θ a thousandth of the gradient: after 300 updates "
        "L(θ) has hardly moved and the boundary is still a straight line. Nothing is wrong but "
        "the step size.",
        "Raise η to 0.3 in the control row and press Play again.",
        {"lr": 0.001}),
    "eta_right": Lesson(
        "What η does: about right",
        "With η = 0.3 the same network, the same data and the same θ₀ learn the circle within "
        "a few hundred updates: L(θ) falls steadily to near 0. Each step is large but still "
        "below what the curvature of L(θ) allows.",
        "Try η = 30: the same run overshoots.",
        {"lr": 0.3}),
    "eta_large": Lesson(
        "What η does: too large",
        "With η = 30 each update jumps over the bottom of the valley and lands higher on the "
        "other side: L(θ) bounces around above where it started instead of going down. It "
        "cannot blow up: tanh keeps every hidden value in [−1, 1], and softmax with "
        "cross-entropy gives each point a gradient of at most |Ŷ − Y| ≤ 1, so a step has a "
        "bounded size however large η is (the divergence lesson's ReLU and linear output have "
        "no such bound: there η = 3 is enough). The watchdog says so and offers a learning "
        "rate from the loss surface's curvature.",
        "Press “Use η = … and go on”: the same θ goes on with the suggested η and L(θ) falls.",
        {"lr": 30.0}, until=100),
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
        page="pages/4_Theta_and_gradient.py", until=100),
    "diverge": Lesson(
        "Learning rate too large: divergence",
        "With η = 3 each update overshoots the bottom of the valley and lands higher on the "
        "other side. Nothing bounds this network's outputs (ReLU units, a linear output, "
        "squared error), and its gradient grows with the error, so each overshoot is larger "
        "than the last: L(θ) grows about twentyfold a step (past 10⁴ within a few steps, where "
        "the loss axis turns logarithmic) until the numbers overflow, near step 220. Training "
        "then pauses by itself, names the step and the layer, and suggests a learning rate. "
        "(η = 30 in “too large” only bounces: tanh and softmax keep its steps bounded.)",
        "Press Play, then use the suggested η.",
        {"dataset": "plane", "activation": "relu", "lr": 3.0, "seed": 0}),
    "vanishing": Lesson(
        "Deep sigmoid network: vanishing gradients",
        "Going back through each sigmoid layer multiplies δ by σ'(A) ≤ 1/4, so at θ₀ ‖∇W₁‖ is "
        "about 10⁴ times smaller than ‖∇W₇‖, and still a thousand times smaller after 100 "
        "updates: the first layers barely learn while the last ones settle on a constant answer.",
        "Switch the activation to ReLU or tanh and compare the bars.",
        {"dataset": "circle", "n_hidden": 6, **{f"width_{i}": 8 for i in range(1, 7)},
         "activation": "sigmoid", "lr": 0.01, "seed": 0}, page="pages/1_Training_curves.py",
        view=("curves_view", "Gradients per layer"), until=100),
    "loss_choice": Lesson(
        "How to choose the loss: squared error against cross-entropy",
        "Two copies of one network start from the same θ₀, ten times the usual size, which is "
        "confidently wrong on most points. With a sigmoid output, squared error's signal is "
        "multiplied by ŷ(1 − ŷ) ≈ 0 there and the run stays stuck; cross-entropy's signal is "
        "ŷ − y, largest on exactly those points, and it learns.",
        "Compare the two loss curves and the δ of each point on the right.",
        {"dataset": "gauss", "output": "sigmoid", "seed": 0}, page="pages/8_Compare_losses.py",
        page_state={"cmp_setting": "loss", "cmp_a_loss": "squared_error",
                    "cmp_b_loss": "cross_entropy", "cmp_scale": 10}, player="cmp_"),
    "backprop": Lesson(
        "How ∇θ is computed: backpropagation",
        "One forward pass keeps every Aₗ and Hₗ; then the error signal δ starts at the output as "
        "ŷ − y and flows back, layer by layer, and each layer's gradient is its input times its "
        "δ. These are the real numbers of this network for one training point.",
        "Pick another training point, or press Step and watch every number change.",
        {"lr": 0.3}, page="pages/5_Backprop.py", view=("backprop_view", "Step by step"),
        until=10),
    "gradcheck": Lesson(
        "Is ∇θ right? The gradient check",
        "Finite differences estimate every entry of ∇θ without backprop, from L(θ) alone. "
        "Backprop and the estimate agree to about 1e-9 in every Wₗ and bₗ.",
        "Press Step ×10 and check again: it holds at every θ.",
        {"lr": 0.3}, page="pages/6_Gradient_check.py", until=10),    "saturation": Lesson(
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


# The run-through: the lecture's order, from θ and its update to where descent fails.
LECTURE = ("update", "eta_small", "eta_right", "eta_large", "loss_choice", "backprop",
           "gradcheck", "vanishing", "zeros")
