"""The sidebar every page draws, in the order of the mission: the pages, then architecture,
output and loss, learning rate and optimizer, data, and the rest in "Advanced".

Each value lives under its own session-state key (say "lr") and its widget under a shadow key
("_lr"), copied back by an on_change callback. In Streamlit's multipage mode a widget drawn again
by the next page comes back at its default; the shadow key is how every value survives a page
switch (measured, see docs/design.md).
"""

import math

import streamlit as st

from . import nav
from . import settings as S


def _copy_back(key, shadow):
    st.session_state[key] = st.session_state[shadow]


def bound(widget, label, key, shadow=None, **kwargs):
    """Draw `widget` showing st.session_state[key]; a change is written back to `key`.
    `shadow`: the widget's own key (default "_" + key; a second widget of the same value, such
    as η in the control row, needs another)."""
    shadow = shadow or "_" + key
    st.session_state[shadow] = st.session_state[key]
    return widget(label, key=shadow, on_change=_copy_back, args=(key, shadow), **kwargs)


def _names(group):
    return lambda k: S.NAMES[group][k]


def _new_data():
    st.session_state["data_seed"] += 1


def set_lr(text):
    """η from a person's text or choice; a value that is not a positive number up to S.MAX_LR
    leaves η as it was and says why."""
    text = str(text).strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= S.MAX_LR):
        st.session_state["problem"] = (
            f"“{text[:40]}” is not a learning rate: type a positive number up to "
            f"{S.MAX_LR:g}, such as 0.05 or 2e-4. The learning rate is unchanged.")
        return
    st.session_state["lr"] = value


def _typed_lr():
    text = st.session_state.get("lr_text", "")
    st.session_state["lr_text"] = ""
    if text.strip():
        set_lr(text)


def _chosen_lr(shadow):
    set_lr(st.session_state[shadow])


def format_lr(v):
    return f"{float(v):g}" if isinstance(v, (int, float)) else str(v)


def lr_options():
    return sorted(set(S.LR_CHOICES) | {st.session_state["lr"]})


def lr_select(label, shadow, **kwargs):
    """η as a list of TensorFlow Playground's learning rates in which any positive number can
    also be typed (the control row's η); session key "lr", like the sidebar's."""
    ss = st.session_state
    ss[shadow] = ss["lr"]
    return st.selectbox(label, lr_options(), key=shadow, on_change=_chosen_lr, args=(shadow,),
                        format_func=lambda v: f"η = {format_lr(v)}", accept_new_options=True,
                        **kwargs)


def architecture_section(present=False):
    st.subheader("Architecture")
    bound(st.slider, "Hidden layers", "n_hidden", min_value=0, max_value=S.MAX_HIDDEN)
    n = st.session_state["n_hidden"]
    if n:
        st.caption(f"Neurons per layer (1–{S.MAX_NEURONS})")
        cols = st.columns(3)
        for i in range(1, n + 1):
            with cols[(i - 1) % 3]:
                bound(st.number_input, f"Layer {i}", f"width_{i}", min_value=1,
                      max_value=S.MAX_NEURONS, step=1)
    bound(st.selectbox, "Activation", "activation", options=list(S.NAMES["activation"]),
          format_func=_names("activation"), help="$g$ in $H_l = g(A_l)$, for every hidden layer")


def loss_section():
    st.subheader("Output and loss")
    ss = st.session_state
    cfg, ss["notes"] = S.reconcile({k: ss[k] for k in S.DEFAULTS})
    ss["loss"], ss["output"] = cfg["loss"], cfg["output"]
    bound(st.radio, "Loss", "loss", options=S.losses_for(cfg), format_func=_names("loss"),
          horizontal=True, help="L(θ): the question the lecture ends on")
    bound(st.selectbox, "Output", "output", options=S.outputs_for(cfg),
          format_func=_names("output"), help="$O$ in $\\hat Y = O(A_L)$. Cross-entropy needs a "
          "probability output (softmax or sigmoid); a linear output goes with squared error.")
    for note in st.session_state.get("notes", []):
        st.caption(note)


def optimisation_section(present=False):
    st.subheader("Learning rate and optimizer")
    bound(st.select_slider, "Learning rate", "lr", options=lr_options(), format_func=format_lr,
          help="η in θ ← θ − η∇θ. Changing it keeps the trained θ.")
    if not present:
        st.text_input("Type a learning rate", key="lr_text", on_change=_typed_lr,
                      placeholder="any positive number, e.g. 0.05", label_visibility="collapsed")
    bound(st.selectbox, "Optimizer", "optimizer", options=list(S.NAMES["optimizer"]),
          format_func=_names("optimizer"))


def data_section(present=False):
    st.subheader("Data")
    options = [k for k in S.NAMES["dataset"]
               if k != S.UPLOADED or "uploaded" in st.session_state]
    bound(st.selectbox, "Dataset", "dataset", options=options, format_func=_names("dataset"))
    if st.session_state["dataset"] == "kclass":
        bound(st.slider, "Classes", "n_classes", min_value=2, max_value=8)
    uploaded = st.session_state["dataset"] == S.UPLOADED   # noise and samples do not apply
    if not uploaded:
        bound(st.slider, "Noise (%)", "noise", min_value=0, max_value=50)
    if present:
        return
    bound(st.multiselect, "Input features", "features", options=list(S.NAMES["features"]),
          format_func=_names("features"), help="Extra inputs computed from x₁ and x₂, as in "
          "TensorFlow Playground. At least one is needed.")
    if not uploaded:
        bound(st.select_slider, "Samples", "n_samples", options=S.SAMPLE_CHOICES)
    bound(st.slider, "Training data (%)", "train_pct", min_value=10, max_value=90, step=5)
    st.button("New data", on_click=_new_data, help="Draw a new sample (the next data seed)")


def advanced_section():
    with st.expander("Advanced: initialisation, seeds, batch, L2, max iterations"):
        bound(st.selectbox, "Initialisation", "init", options=list(S.NAMES["init"]),
              format_func=_names("init"), help="How θ₀ is drawn")
        c1, c2 = st.columns(2)
        with c1:
            bound(st.number_input, "Seed (θ₀ and batches)", "seed", min_value=0,
                  max_value=10**6, step=1)
        with c2:
            bound(st.number_input, "Data seed", "data_seed", min_value=0, max_value=10**6,
                  step=1)
        bound(st.select_slider, "Batch size", "batch_size", options=S.BATCH_CHOICES,
              format_func=lambda b: "full" if b == 0 else str(b),
              help="Examples per update. Full batch is the lecture's gradient descent.")
        bound(st.select_slider, "L2 regularisation λ", "l2", options=S.L2_CHOICES,
              format_func=format_lr,
              help="Adds (λ/2) Σ‖Wₗ‖² to L(θ); biases are not penalised.")
        bound(st.number_input, "Max iterations", "max_iterations", min_value=1,
              max_value=1_000_000, step=100, help="The lecture's `max_iterations` (1000)")


NOT_USED = ("**The network's settings are not used on this page** (architecture, loss, η, "
            "data): it trains one neuron of its own, with its own controls on the page. They "
            "come back, as they were, on the other pages.")


def draw(settings=True):
    """The whole sidebar; every page calls it before sync_run(). Presentation mode (toggle or
    ?present=1) hides the secondary controls, as TensorFlow Playground's classroom mode does.
    settings=False: a page that uses none of the main run's settings (Error surface) shows the
    page links and a sentence saying so instead; the settings keep their values (bound)."""
    present = st.session_state["present"]
    with st.sidebar:
        nav.links()
        if not settings:
            st.divider()
            st.caption(NOT_USED)
            st.divider()
            bound(st.toggle, "Presentation mode", "present",
                  help="Large type, thick lines, fewer controls: for a projector")
            return
        architecture_section(present)
        loss_section()
        optimisation_section(present)
        data_section(present)
        if not present:
            advanced_section()
        st.divider()
        bound(st.toggle, "Presentation mode", "present",
              help="Large type, thick lines, fewer controls: for a projector")
