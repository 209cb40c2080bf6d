"""Loss landscape: L(θ) on a random plane through the current θ (Li et al., 2018), with the path
θ₀ … θₜ projected onto it.

Computing the slice takes tens of milliseconds to a second, so it is redone only when asked or
when training is paused, never every frame while it plays.
"""

import math
import time
import weakref

import streamlit as st

from ffnn.app import views
from ffnn.app.playback import playback
from ffnn.app.sidebar import bound
from ffnn.figures.landscape import landscape_contour, landscape_surface_3d
from ffnn.landscape import filter_normalised_directions, landscape, plane_share, project

SPANS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
RESOLUTIONS = (11, 15, 21, 25, 31, 41, 51)
DEFAULTS = {"ls_seed": 0, "ls_span": 1.0, "ls_res": 25}


def _new_directions():
    st.session_state["ls_seed"] += 1


def _recompute():
    st.session_state["ls_force"] = True


def options():
    ss = st.session_state
    for key, value in DEFAULTS.items():
        ss.setdefault(key, value)
    cols = st.columns([1.4, 1.4, 1.1, 0.8, 1.2, 2.3], vertical_alignment="bottom")
    with cols[0]:
        bound(st.select_slider, "Span ±", "ls_span", options=SPANS,
              help="How far the plane reaches from θ along d₁ and d₂. A step of 1 moves every "
                   "unit's incoming weights by their own length.")
    with cols[1]:
        bound(st.select_slider, "Grid points per side", "ls_res", options=RESOLUTIONS)
    with cols[2]:
        views.toggle("Log scale", "ls_log", default=True)
    with cols[3]:
        views.toggle("3-D", "ls_3d")
    cols[4].button("New directions", on_click=_new_directions, width="stretch",
                   help="Draw another random pair d₁, d₂ (next seed)")
    cols[5].button("Recompute around the current θ", on_click=_recompute, width="stretch",
                   help="While training plays the picture stays put; this centres it on θₜ now")


def _wanted(run):
    """What the slice must match: (directions' seed, span, resolution, t, λ)."""
    ss = st.session_state
    return ss["ls_seed"], ss["ls_span"], ss["ls_res"], run.trainer.t, run.net.l2


def _stale(result, run):
    """Recompute for a new run, a changed setting, a click, or a new θ while paused."""
    ss = st.session_state
    forced = ss.pop("ls_force", False)
    if result is None or result["run"]() is not run or forced:
        return True
    if result["wanted"][:3] != _wanted(run)[:3]:
        return True
    playing = playback().playing("") and not run.trainer.done
    return not playing and result["wanted"] != _wanted(run)


def _compute(run):
    ss, net = st.session_state, run.net
    start = time.perf_counter()
    d1, d2 = filter_normalised_directions(net, ss["ls_seed"])
    alphas, betas, L = landscape(net, run.data.X_train, run.data.y_train, d1, d2,
                                 span=ss["ls_span"], resolution=ss["ls_res"])
    return {"run": weakref.ref(run), "wanted": _wanted(run), "t": run.trainer.t,
            "center": net.theta.copy(), "d1": d1, "d2": d2, "alphas": alphas, "betas": betas,
            "L": L, "ms": 1000 * (time.perf_counter() - start)}


def view(run):
    ss = st.session_state
    result = ss.get("ls_result")
    if _stale(result, run):
        try:
            result = ss["ls_result"] = _compute(run)
        except ValueError as err:
            st.warning(f"The landscape cannot be computed here: {err}")
            return
    steps, thetas = run.trainer.snapshots()
    left, right = st.columns([5, 3])
    with left:
        if ss["ls_3d"]:
            fig = landscape_surface_3d(result["alphas"], result["betas"], result["L"],
                                       log=ss["ls_log"])
        else:
            path = project(thetas, result["center"], result["d1"], result["d2"])
            fig = landscape_contour(result["alphas"], result["betas"], result["L"], path,
                                    steps=steps, center_step=result["t"], log=ss["ls_log"])
        views.chart(fig, "landscape")
    with right:
        explain(run, result, thetas[0])


def explain(run, result, theta_0):
    """What the picture is, its caveat, and how much of the way from θ₀ the plane holds."""
    ss, n, G = st.session_state, run.net.n_params, len(result["alphas"])
    st.markdown(
        f"The colours are **L(θ + α d₁ + β d₂)** on the training data, over a plane through θ "
        f"at t = {result['t']} spanned by two random directions d₁, d₂ scaled filter by filter "
        f"like the weights (biases left out, as in Li et al., 2018); in the contour view the "
        f"orange line is the path θ₀ … θₜ projected onto that plane. It is one random 2-D "
        f"slice of a surface in "
        f"{n} dimensions, and the path mostly runs outside it: its projection is approximate, "
        f"and the colour under a point of the path is not that θ's loss.")
    share = plane_share(theta_0, result["center"], result["d1"], result["d2"])
    if not math.isnan(share):           # NaN at t = 0: no way travelled yet
        st.caption(f"This plane holds {share:.0%} of the way from θ₀ to θ at t = "
                   f"{result['t']} (random directions in {n} dimensions hold about "
                   f"{(2 / n) ** 0.5:.0%}). New directions draw another plane; a smaller span "
                   "zooms in on the path.")
    note = f"{G} × {G} losses computed in {result['ms']:.0f} ms, directions seed {ss['ls_seed']}."
    if result["t"] != run.trainer.t:
        note += (f" While training plays the slice stays centred on θ at t = {result['t']} "
                 "(recomputing every frame would be too slow) and the path runs on from it; "
                 "pause, or press Recompute, to centre it on the current θ.")
    st.caption(note)


INTRO = ("Gradient descent walks downhill on L(θ), a surface over all of θ. We cannot draw that "
         "many dimensions, but we can cut the surface along a plane through the current θ and "
         "look at the slice.")
