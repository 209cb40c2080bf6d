"""Error surface: the lecture's first algorithm, gradient descent on θ = [w, b] for one sigmoid
neuron, drawn as paths on L(w, b). The paths come whole from ffnn.neuron (the engine's Trainer);
this page only reveals them up to t, with the app's player under the "es_" key prefix."""

import base64

import streamlit as st

from ffnn import LOSSES, OPTIMIZERS, neuron
from ffnn.app import controls, page, views
from ffnn.app.controls import Player, Reveal
from ffnn.app.guard import guarded
from ffnn.app.playback import playback
from ffnn.app.sidebar import bound
from ffnn.figures.palette import rgb
from ffnn.figures.png import encode_png
from ffnn.figures.surface import (
    SURFACE_SCALE,
    colorbar_ticks,
    error_surface_3d,
    log_levels,
    optimizer_color,
    surface_rgba,
)

MAX_IT = neuron.MAX_ITERATIONS
RESOLUTION = 100                        # grid points per side of the surface
ETAS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 1000.0)
DEFAULTS = {"es_w0": -2.0, "es_b0": -2.0, "es_eta": 1.0, "es_opts": ["gd"],
            "es_loss": "squared_error", "es_log": False,
            "es_show_3d": False}


@st.cache_data(max_entries=8, show_spinner=False)
def surface(loss):
    """ws (G,), bs (G,), L (G, G) for the default data."""
    return neuron.loss_surface(neuron.X_DATA, neuron.Y_DATA, neuron.W_RANGE, neuron.B_RANGE,
                               RESOLUTION, loss)


@st.cache_data(max_entries=256, show_spinner=False)
def descent(w0, b0, eta, optimizer, loss):
    """The whole path (T, 2) from θ_0 = [w0, b0] and its losses L(θ_t) (T,)."""
    path = neuron.descent_path(neuron.X_DATA, neuron.Y_DATA, w0, b0, eta, optimizer, MAX_IT,
                               loss)
    return path, neuron.loss_values(neuron.X_DATA, neuron.Y_DATA, path[:, 0], path[:, 1], loss)


def runs():
    """{optimizer: (path, losses)} for the chosen settings (ValueError on settings that fail)."""
    ss = st.session_state
    return {name: descent(float(ss["es_w0"]), float(ss["es_b0"]), float(ss["es_eta"]), name,
                          ss["es_loss"]) for name in ss["es_opts"]}


def last_t(paths):
    """The last t any path reaches: max_iterations, or less if every path diverged sooner."""
    return max((len(p) - 1 for p, _ in paths.values()), default=0)


# ---- controls ------------------------------------------------------------------------------
def reveal():
    """The shown iteration t over the paths, a playable (see ffnn.app.controls.Reveal)."""
    return st.session_state.setdefault("es_reveal", Reveal())


PLAYER = Player("es_", reveal, lambda: setattr(reveal(), "t", 0))


def settings():
    cols = st.columns([0.9, 0.9, 1.8, 1.5, 3.6], vertical_alignment="bottom")
    with cols[0]:
        bound(st.number_input, "w₀", "es_w0", min_value=-6.0, max_value=6.0, step=0.25,
              help="The starting weight")
    with cols[1]:
        bound(st.number_input, "b₀", "es_b0", min_value=-6.0, max_value=6.0, step=0.25,
              help="The starting bias")
    with cols[2]:
        bound(st.select_slider, "Learning rate η", "es_eta", options=ETAS,
              format_func=lambda v: f"{v:g}", help="η in θ ← θ − η∇θ")
    with cols[3]:
        bound(st.radio, "Loss", "es_loss", options=list(neuron.LOSSES),
              format_func=lambda name: LOSSES[name].label, horizontal=True)
    with cols[4]:
        bound(st.multiselect, "Update rules", "es_opts", options=list(OPTIMIZERS),
              format_func=lambda k: OPTIMIZERS[k].label,
              help="Gradient descent is the lecture's rule; the others start from the same θ₀")


def toggles():
    views.toggle("Log scale", "es_log", help="L(θₜ) against t on a log axis")
    views.toggle("3-D surface", "es_show_3d", help="Drawn below; heavier than the map")


# ---- the view ---------------------------------------------------------------------------------
def _num(v):
    """A number for LaTeX: 4 decimals, or 4 significant digits × 10^e when tiny or huge."""
    if v == 0 or 1e-3 <= abs(v) < 1e5:
        return f"{v:.4f}"
    m, e = f"{v:.3e}".split("e")
    return rf"{m} \times 10^{{{int(e)}}}"


def _paren(v):
    return f"({_num(v)})" if v < 0 else _num(v)


def update(name, path, t, eta, loss):
    """θ_t, L(θ_t), ∇θ_t from the engine's backprop, and the update to θ_{t+1}, in LaTeX."""
    t = min(t, len(path) - 1)
    w, b = path[t]
    value, gw, gb = neuron.gradient(neuron.X_DATA, neuron.Y_DATA, w, b, loss)
    lines = [(rf"&t = {t}:\quad \theta_t = [w_t, b_t] = [{_num(w)},\ {_num(b)}],\quad "
              rf"L(\theta_t) = {_num(value)}"),
             rf"&\nabla\theta_t = [\nabla w_t, \nabla b_t] = [{_num(gw)},\ {_num(gb)}]"]
    if t + 1 < len(path):
        for sym, now, g, nxt in (("w", w, gw, path[t + 1, 0]), ("b", b, gb, path[t + 1, 1])):
            if OPTIMIZERS[name].plain:
                lines.append(rf"&{sym}_{{t+1}} = {sym}_t - \eta\nabla {sym}_t = {_num(now)} - "
                             rf"{eta:g} \cdot {_paren(g)} = {_num(nxt)}")
            else:
                lines.append(rf"&{sym}_{{t+1}} = {sym}_t + \Delta {sym}_t = {_num(now)} + "
                             rf"{_paren(nxt - now)} = {_num(nxt)}")
    st.latex(r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}")
    if t + 1 >= len(path):
        st.caption("The loop has ended: t = max_iterations." if t >= MAX_IT else
                   "The path ends here: the next update diverged.")
    elif not OPTIMIZERS[name].plain:
        st.caption(f"{OPTIMIZERS[name].label}: the step Δθₜ is built from ∇θₜ and the "
                   "earlier gradients, not only −η∇θₜ.")


# px: the map's canvas (square, axes, colour bar) and L(θ_t)'s, on a laptop and presented
SIZES = {False: {"map": 470, "loss": 330}, True: {"map": 370, "loss": 360}}


def surface_static(msg, paths, surf):
    """The stage's fixed part: the map as a picture, its colour bar, and every path whole (the
    browser reveals them up to t)."""
    ws, bs, L = surf
    lo, hi = log_levels(L)
    image = "data:image/png;base64," + base64.b64encode(encode_png(surface_rgba(L))).decode()
    return {"rev": rev(paths), "surface": {
        "image": image, "w": [float(ws[0]), float(ws[-1])], "b": [float(bs[0]), float(bs[-1])],
        "lo": lo, "hi": hi, "bar": colorbar_ticks(L), "max_iterations": MAX_IT,
        "scale": [[v, list(rgb(c))] for v, c in SURFACE_SCALE],
        "paths": [{"label": OPTIMIZERS[name].label, "color": optimizer_color(name, i),
                   "xy": msg.ref(path), "loss": msg.ref(losses)}
                  for i, (name, (path, losses)) in enumerate(paths.items())]}}


def rev(paths):
    ss = st.session_state
    return repr((ss["es_w0"], ss["es_b0"], ss["es_eta"], ss["es_loss"], list(paths)))


def draw(paths, surf, t):
    ss = st.session_state
    size = SIZES[bool(ss["present"])]
    controls.live_player().feed(
        "surface", lambda msg: surface_static(msg, paths, surf), rev(paths), {},
        {"height": size["map"], "loss": size["loss"], "log": ss["es_log"],
         "present": bool(ss["present"])})
    shown = playback().shown if playback().playing("es_") else t
    for name, (path, _) in paths.items():      # full width: the update lines are long
        if len(paths) > 1:
            st.markdown(f"**{OPTIMIZERS[name].label}**")
        update(name, path, shown, ss["es_eta"], ss["es_loss"])


def surface_3d(paths, surf, t):
    st.markdown("**The same surface in 3-D** (drag to turn)")
    views.chart(error_surface_3d(*surf, {k: p for k, (p, _) in paths.items()},
                                 losses={k: v for k, (_, v) in paths.items()}, current_step=t),
                "es_chart_3d")
    st.caption("The 3-D view follows t on Step, Pause and Reset, not on every frame of Play.")


def main():
    ss = st.session_state
    for key, value in DEFAULTS.items():
        ss.setdefault(key, list(value) if isinstance(value, list) else value)
    guarded(settings)
    if not ss["es_opts"]:
        st.info("Choose at least one update rule to draw its path.")
        return
    try:
        paths, surf = runs(), surface(ss["es_loss"])
    except ValueError as err:
        st.warning(f"These settings cannot be used: {err}")
        return
    r = reveal()
    r.max_iterations = last_t(paths)
    r.t = min(r.t, r.max_iterations)
    guarded(PLAYER.buttons, toggles)
    for name, (path, _) in paths.items():
        if len(path) - 1 < MAX_IT:
            st.warning(f"{OPTIMIZERS[name].label} diverged at step {len(path)}: its path stops "
                       f"at the last finite θ. Try a smaller η.")
    PLAYER.live(lambda r: guarded(draw, paths, surf, r.t), browser_draws=True)
    if ss["es_show_3d"]:
        guarded(surface_3d, paths, surf, reveal().t)


page.frame(
    "Error surface of one neuron",
    "The lecture starts from one sigmoid neuron f(x) = σ(wx + b) with θ = [w, b]: "
    "wₜ₊₁ ← wₜ − η∇wₜ, bₜ₊₁ ← bₜ − η∇bₜ, for at most 1000 iterations. On two points "
    "(x = 0.5, 2.5; y = 0.2, 0.9) the whole error surface L(w, b) can be drawn: from θ₀ on the "
    "plateau the steps are tiny (the dots crowd), then gradient descent drops into the valley.",
    own_run="This page trains its own neuron, with its own η, w₀ and b₀ and its own t; the "
            "sidebar's network and η do not apply here.",
    sidebar_settings=False)
main()
