"""Every sidebar control, driven through the real app: each value gives a working page (no
exception element), the run is rebuilt or kept as the control's kind says, and Step works."""

import numpy as np
import pytest

from ffnn import ACTIVATIONS, INITS, OPTIMIZERS
from ffnn.app import settings as S
from ffnn.datasets import DATASETS

from apptest import assert_clean, click, counter, run, run_state, set_widget, start, texts, widget


@pytest.fixture(scope="module")
def at():
    return start()


def step_works(at):
    """Step advances t by one, unless training has ended (then Step is disabled) or it
    diverged: then the counter shows the kept θ's t, the update the report names is the next
    one, and t did not advance."""
    t, tr = counter(at), run_state(at).trainer
    step = next(b for b in at.button if b.label == "Step")
    if step.disabled:
        assert tr.done
        return
    click(at, "Step")
    if tr.diverged is None:
        assert counter(at) == tr.t == t + 1
    else:
        assert counter(at) == tr.t == tr.diverged.step - 1 <= t
        assert np.isfinite(tr.net.theta).all()


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_dataset(at, name):
    set_widget(at, "selectbox", "_dataset", name)
    run = run_state(at)
    assert run.data.name == name and counter(at) == 0
    assert run.net.sizes[-1] == (1 if DATASETS[name].task == "regression" else
                                 S.n_outputs(run.cfg, run.data.n_classes))
    if DATASETS[name].task == "regression":
        assert run.net.output == "linear" and run.net.loss_name == "squared_error"
    step_works(at)


def test_k_classes(at):
    set_widget(at, "selectbox", "_dataset", "kclass")
    set_widget(at, "slider", "_n_classes", 5)
    assert run_state(at).net.sizes[-1] == 5
    step_works(at)
    set_widget(at, "selectbox", "_dataset", "circle")


@pytest.mark.parametrize("kind, key, value", [
    ("slider", "_noise", 35), ("select_slider", "_n_samples", 200),
    ("slider", "_train_pct", 80), ("number_input", "_data_seed", 9),
    ("multiselect", "_features", ["x1", "x2", "x1sq", "x2sq"]),
])
def test_data_controls_draw_new_data(at, kind, key, value):
    click(at, "Step")
    set_widget(at, kind, key, value)
    assert counter(at) == 0
    assert at.session_state[key[1:]] == value
    step_works(at)


def test_feature_count_sets_the_input_width(at):
    set_widget(at, "multiselect", "_features", ["x1", "x2", "x1x2"])
    assert run_state(at).net.sizes[0] == 3
    set_widget(at, "multiselect", "_features", ["x1", "x2"])


@pytest.mark.parametrize("n_hidden", [0, 1, S.MAX_HIDDEN])
def test_hidden_layers(at, n_hidden):
    set_widget(at, "slider", "_n_hidden", n_hidden)
    assert len(run_state(at).net.sizes) == n_hidden + 2
    step_works(at)


@pytest.mark.parametrize("width", [1, S.MAX_NEURONS])
def test_neurons_per_layer(at, width):
    set_widget(at, "slider", "_n_hidden", 2)
    set_widget(at, "number_input", "_width_1", width)
    assert run_state(at).net.sizes[1] == width
    step_works(at)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations(at, name):
    set_widget(at, "selectbox", "_activation", name)
    assert run_state(at).net.activation == [name] * (len(run_state(at).net.sizes) - 2)
    step_works(at)


@pytest.mark.parametrize("name", list(INITS))
def test_initialisations(at, name):
    set_widget(at, "selectbox", "_init", name)
    net = run_state(at).net
    assert net.init == name
    if name == "zeros":
        assert not net.theta.any()
    step_works(at)


def test_seed_changes_theta_0(at):
    set_widget(at, "selectbox", "_init", "xavier")
    before = run_state(at).net.theta.copy()
    set_widget(at, "number_input", "_seed", 4)
    assert not np.array_equal(run_state(at).net.theta, before)


@pytest.mark.parametrize("loss, output", [
    ("cross_entropy", "softmax"), ("cross_entropy", "sigmoid"), ("squared_error", "softmax"),
    ("squared_error", "sigmoid"), ("squared_error", "linear")])
def test_output_and_loss_pairs(at, loss, output):
    set_widget(at, "radio", "_loss", loss)
    set_widget(at, "selectbox", "_output", output)
    net = run_state(at).net
    assert (net.loss_name, net.output) == (loss, output)
    step_works(at)


def test_cross_entropy_cannot_be_paired_with_a_linear_output(at):
    set_widget(at, "radio", "_loss", "squared_error")
    set_widget(at, "selectbox", "_output", "linear")
    set_widget(at, "radio", "_loss", "cross_entropy")
    assert "linear" not in widget(at, "selectbox", "_output").options
    assert run_state(at).net.output != "linear"
    assert any("does not go with" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizers_keep_theta(at, name):
    click(at, "Step")
    before, t = run_state(at).net.theta.copy(), counter(at)
    set_widget(at, "selectbox", "_optimizer", name)
    assert run_state(at).trainer.optimizer == name and counter(at) == t
    np.testing.assert_array_equal(run_state(at).net.theta, before)
    step_works(at)


@pytest.mark.parametrize("lr", [S.LR_CHOICES[0], S.LR_CHOICES[-1]])
def test_learning_rate_extremes(at, lr):
    set_widget(at, "select_slider", "_lr", lr)
    assert run_state(at).trainer.lr == lr
    step_works(at)
    set_widget(at, "select_slider", "_lr", 0.1)


def test_a_step_that_diverges_leaves_t(at):
    # step_works' second case, taken: η = 1e308, far beyond the sidebar, overflows θ by step 2
    at.session_state["lr"] = 1e308
    run(at)
    for _ in range(3):
        step_works(at)
    assert run_state(at).trainer.diverged is not None
    set_widget(at, "select_slider", "_lr", 0.1)
    assert run_state(at).trainer.diverged is None


@pytest.mark.parametrize("batch", [1, 10, 0])
def test_batch_sizes(at, batch):
    set_widget(at, "select_slider", "_batch_size", batch)
    assert run_state(at).trainer.batch_size == (batch or None)
    step_works(at)


def test_l2_keeps_theta_and_changes_the_loss(at):
    click(at, "Step")
    before = run_state(at).net.theta.copy()
    set_widget(at, "select_slider", "_l2", 0.1)
    assert run_state(at).net.l2 == 0.1
    np.testing.assert_array_equal(run_state(at).net.theta, before)
    set_widget(at, "select_slider", "_l2", 0.0)


def test_max_iterations(at):
    click(at, "Reset")
    set_widget(at, "number_input", "_max_iterations", 5)
    click(at, "Step ×10")
    assert counter(at) == 5                     # never past max_iterations
    assert any("max_iterations" in m for m in texts(at))
    assert all(b.disabled for b in at.button if b.label.startswith(("Step", "Play")))
    set_widget(at, "number_input", "_max_iterations", 1000)
    step_works(at)


def test_speed_control(at):
    at.selectbox(key="_speed").set_value(200)
    at.run()
    assert_clean(at)
    assert at.session_state["speed"] == 200


def test_back_goes_to_the_kept_theta_exactly_or_says_why_not(at):
    set_widget(at, "selectbox", "_optimizer", "gd")    # earlier tests chose others (Adam last)
    t0 = at.session_state["run"].trainer.t
    click(at, "Step ×10")
    steps, thetas = at.session_state["run"].trainer.snapshots()
    theta_before = thetas[list(steps).index(t0 + 9)]
    click(at, "Back")
    assert at.session_state["run"].trainer.t == t0 + 9
    assert (at.session_state["run"].net.theta == theta_before).all()  # θ itself, bit for bit
    at.sidebar.selectbox(key="_optimizer").set_value("momentum")
    at.run()
    click(at, "Step")
    click(at, "Back")                                                # momentum's memory is not kept
    assert at.session_state["run"].trainer.t == t0 + 10
    assert any("No step back" in w.value and "gradient descent" in w.value for w in at.warning)
