"""Small helpers the pages share for drawing figures."""

import time

import streamlit as st

from ffnn.figures import decision_boundary
from ffnn.figures.describe import describe
from ffnn.figures.present import for_projector
from ffnn.grid import predict_grid

from .playback import playback
from .sidebar import bound
from .stage import EXTENT, RESOLUTION

CHART_CONFIG = {"displayModeBar": False, "scrollZoom": False}
PROJECTOR_HEIGHT = 300  # px: a chart, the controls and the counter fit a 1280x720 projector


def chart(fig, key, projector_height=PROJECTOR_HEIGHT):
    """One Plotly figure, full width, in our colours (not the Streamlit theme's); large type,
    thick lines and at most `projector_height` px tall in presentation mode (None: as built, for
    a figure whose layout is laid out in px, the matrices' titles and cells); its text
    alternative (describe) from the figure's own data."""
    if st.session_state.get("present"):
        for_projector(fig, projector_height)
    st.plotly_chart(fig, width="stretch", theme=None, key=key, config=CHART_CONFIG,
                    alt=describe(fig))


SIDE_CHART_PERIOD = 0.5  # seconds between rebuilds of a secondary chart while playing


def throttled(key, build):
    """build() while paused; while playing, at most every SIDE_CHART_PERIOD seconds, and the
    same figure in between (an unchanged chart costs the browser nothing to redraw)."""
    ss, now = st.session_state, time.monotonic()
    kept = ss.get("_throttled", {}).get(key)
    if playback().key is not None and kept and now - kept[0] < SIDE_CHART_PERIOD:
        return kept[1]
    fig = build()
    ss.setdefault("_throttled", {})[key] = (now, fig)
    return fig


def boundary_figure(data, net, *, show_test=False, discretize=False, height=520):
    """The decision boundary of `net` over the input plane with `data`'s points (the one
    place the pages build it): predict_grid, then ffnn.figures.decision_boundary."""
    xs, ys, Z = predict_grid(net, data.features, EXTENT, RESOLUTION)
    return decision_boundary(
        xs, ys, Z, task=data.task, n_classes=data.n_classes, points_train=data.points_train,
        y_train=data.y_train, points_test=data.points_test, y_test=data.y_test,
        show_test=show_test, discretize=discretize, extent=EXTENT, height=height)


def toggle(label, key, default=False, **kwargs):
    """A toggle whose value survives page switches (own key + shadow key, as in the sidebar)."""
    st.session_state.setdefault(key, default)
    return bound(st.toggle, label, key, **kwargs)
