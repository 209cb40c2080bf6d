"""Gradient check: is backprop's ∇θ right? Compared with centered finite differences."""

import streamlit as st

from ffnn import gradient_check
from ffnn.app import page, views
from ffnn.app.playback import playback
from ffnn.figures.check import gradient_check_bars
from ffnn.gradcheck import TOLERANCE

MAX_EXAMPLES = 100


@st.cache_data(max_entries=4, show_spinner="Checking every entry of θ …")
def _check(_net, net_repr, theta_bytes, X, y):
    """Cached on the net's settings and θ's bytes (the net object is not hashed): a paused page
    checks once. A pure function of those arguments, so sharing between visitors is safe."""
    return gradient_check(_net, X, y, max_examples=MAX_EXAMPLES)


def view(run):
    net, tr, data = run.net, run.trainer, run.data
    if playback().key is not None:
        st.info("The check runs when training is paused (it evaluates L(θ) twice per entry of θ).")
        return
    report = _check(net, repr(net), net.theta.tobytes(), data.X_train, data.y_train)
    n = min(len(data.X_train), MAX_EXAMPLES)
    ok = bool(report["passed"].all())
    (st.success if ok else st.warning)(
        f"At t = {tr.t}: backprop and finite differences agree on "
        f"{int(report['passed'].sum())} of {len(report)} parameter blocks "
        f"(relative error below {TOLERANCE:g}; {n} training points, h = 1e-5, "
        f"{2 * net.n_params} evaluations of L).")
    views.chart(gradient_check_bars(report, TOLERANCE), "check")
    if (~report.passed & (report.near_kinks > 0)).any():
        st.caption("Some pre-activations sit within 1e-4 of a kink of g (ReLU's at 0), where "
                   "the derivative does not exist: there a finite difference averages two "
                   "slopes, so a failure on those layers is expected and not a bug in backprop.")
    table = report.assign(shape=report["shape"], passed=report["passed"].map({True: "yes",
                                                                               False: "no"}))
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "rel_error": st.column_config.NumberColumn("relative error", format="%.2e"),
        "backprop_norm": st.column_config.NumberColumn("‖backprop‖", format="%.4g"),
        "numerical_norm": st.column_config.NumberColumn("‖numerical‖", format="%.4g"),
        "near_kinks": st.column_config.NumberColumn("near kinks of g")})


page.show(
    "Gradient check",
    "Backpropagation computes ∇θ exactly; finite differences, "
    "$(L(\\theta + h e_j) - L(\\theta - h e_j)) / 2h$ "
    "for every entry j, estimate it independently. Relative error "
    "‖a − b‖ / (‖a‖ + ‖b‖) per Wₗ and bₗ far below 1e-6 means backprop is right.",
    view)
