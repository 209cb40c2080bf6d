"""Small helpers the pages share for drawing figures while training plays."""

import time

import streamlit as st

from ffnn.figures import decision_boundary
from ffnn.figures.present import for_projector
from ffnn.figures.svg import Unsupported, is_square, to_svg
from ffnn.grid import predict_grid

from .sidebar import bound

RESOLUTION = 80   # grid points per side of the decision boundary (80 x 80 = 6,400 outputs)
EXTENT = 6.0      # the input plane [-6, 6]^2, as in TensorFlow Playground
CHART_CONFIG = {"displayModeBar": False, "scrollZoom": False}
PROJECTOR_HEIGHT = 300  # px: a chart, the controls and the counter fit a 1280x720 projector
# px: a picture of a chart is drawn as wide as its column is at 1280 px with the sidebar open
# (this: the whole main area; a page passes the width of a narrower column), then scaled to
# the column. A square one is drawn at its own width (see to_svg) if the column has room,
# else at the column's, where Plotly shrinks the square too.
PICTURE_WIDTH = 800
WIDER_WITHOUT_SIDEBAR = 1.3   # presentation mode closes the sidebar: columns are this much wider


def chart(fig, key, picture_width=PICTURE_WIDTH, projector_height=PROJECTOR_HEIGHT):
    """One Plotly figure, full width, in our colours (not the Streamlit theme's); large type,
    thick lines and at most `projector_height` px tall in presentation mode. In the live area
    of a run that plays (see controls.Player.live), the same figure as a picture when it can be
    one (see ffnn.figures.svg: Streamlit rebuilds a Plotly chart on every frame; with pictures
    the home page's frame costs the browser ~46 ms of CPU instead of ~130, measured)."""
    ss = st.session_state
    if ss.get("present"):
        for_projector(fig, projector_height)
        picture_width = round(picture_width * WIDER_WITHOUT_SIDEBAR)
    if ss.get("_live_frame") and _picture(fig, key, picture_width):
        return
    st.plotly_chart(fig, width="stretch", theme=None, key=key, config=CHART_CONFIG)


def _picture(fig, key, width):
    """Draw `fig` as an SVG picture (`width` px wide unless it is square); False (nothing
    drawn) if it cannot be one. A figure drawn again unchanged (see throttled) reuses its
    picture."""
    kept = st.session_state.setdefault("_pictures", {})
    if key in kept and kept[key][0] is fig and kept[key][1] == width:
        svg, square = kept[key][2:]
    else:
        square = is_square(fig)
        try:
            svg = to_svg(fig, max_width=width) if square else to_svg(fig, width)
        except Unsupported:
            svg = None
        kept[key] = (fig, width, svg, square)
    if svg is None:
        return False
    st.image(svg, width="content" if square else "stretch")
    return True


SIDE_CHART_PERIOD = 0.5  # seconds between rebuilds of a secondary chart while playing


def throttled(key, build):
    """build() while paused; while playing, at most every SIDE_CHART_PERIOD seconds, and the
    same figure in between (an unchanged chart costs the browser nothing to redraw)."""
    ss, now = st.session_state, time.monotonic()
    kept = ss.get("_throttled", {}).get(key)
    if ss.get("playing") and kept and now - kept[0] < SIDE_CHART_PERIOD:
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
