"""The SVG pictures of ffnn.figures.svg against plotly.js itself.

svg.py re-implements plotly.js's margins, tick rule and label placement, checked against the
plotly.js bundled with the installed plotly package (svg.PLOTLYJS_VERSION). So:
- a test fails as soon as that bundled version changes: re-run the comparison below, adjust
  svg.py where it moved, then update PLOTLYJS_VERSION;
- the home page's two live charts, as the app makes them (the decision boundary 475 px wide at
  most, the small loss chart 320 px wide), are drawn twice in headless Chromium: by plotly.js
  (loaded from the plotly package's own file, no network) and as the picture, at the same size.
  The two rasters are compared: the same grid lines to the pixel, tick marks within 1 px, the
  tick labels within TICK_PX, titles, legend and notes within the tolerances below, and at most
  INK_SHARE of all pixels differing by more than INK_LEVELS (of 255) in a colour channel.
  `pytest -s` prints the measured figures.
"""

import io
import json
import os
from pathlib import Path

import numpy as np
import plotly
import plotly.offline
import pytest
from PIL import Image, ImageFilter

from ffnn.app import settings as S
from ffnn.app import state
from ffnn.app.views import boundary_figure
from ffnn.figures import loss_curves
from ffnn.figures.svg import PLOTLYJS_VERSION, to_svg

import browser as B

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
TICK_PX = 3.0         # tick labels, centre to centre (measured: at most 2.8)
TITLE_PX = 7.0        # axis titles (measured: at most 6.0, a y title placed from glyph widths)
LEGEND_PX = 6.0       # legend entries and event notes (measured: at most 5.0)
INK_LEVELS = 64       # a pixel "differs" when a colour channel is off by more than this
INK_SHARE = 0.02      # ... and at most this share of the picture may differ (measured: ~1 %)
GRID_ASTRAY = 0.03    # grid-coloured pixels farther than 1 px from the other's (measured: 1.7 %)


def test_the_bundled_plotlyjs_is_the_one_the_pictures_were_checked_against():
    bundled = plotly.offline.get_plotlyjs_version()
    assert bundled == PLOTLYJS_VERSION, (
        f"plotly now bundles plotly.js {bundled}; ffnn/figures/svg.py copies the margin, tick "
        f"and label rules of {PLOTLYJS_VERSION}. Run tests/test_svg_plotly.py's comparison, fix "
        "svg.py where plotly.js changed, then set svg.PLOTLYJS_VERSION.")


# ---- the comparison in Chromium ---------------------------------------------------------------

# Every visible text element of the chart under `root`: [text, centre x, centre y] in px from
# the chart's top left corner.
TEXTS_JS = """(root) => {
  const box = document.querySelector(root).getBoundingClientRect();
  return [...document.querySelector(root).parentNode.querySelectorAll('text')]
    .map(t => [t.textContent.trim(), t.getBoundingClientRect()])
    .filter(([s, r]) => s && r.width > 0)
    .map(([s, r]) => [s, r.x + r.width / 2 - box.x, r.y + r.height / 2 - box.y]);
}"""
PLOT_JS = """([data, layout]) => {
  document.body.innerHTML = '<div id="chart" style="display: inline-block; line-height: 0">'
    + '</div>';
  return Plotly.newPlot('chart', data, layout, {staticPlot: true}).then(gd => {
    const x = gd._fullLayout.xaxis, y = gd._fullLayout.yaxis;   // after the square's constraint
    return [x._offset, y._offset, x._length, y._length];
  });
}"""
PICTURE_JS = """(svg) => {
  document.body.innerHTML = '<div id="chart" style="display: inline-block; line-height: 0">'
    + svg + '</div>';
}"""


@pytest.fixture(scope="module")
def page():
    pytest.importorskip("playwright.sync_api")
    with B.chromium() as chromium:
        tab = chromium.new_page(viewport={"width": 1000, "height": 800}, device_scale_factor=1)
        tab.set_content("<html><body style='margin: 0'></body></html>")
        tab.add_script_tag(path=str(PLOTLY_JS))      # plotly's own file: no network
        assert tab.evaluate("Plotly.version") == plotly.offline.get_plotlyjs_version()
        yield tab


@pytest.fixture(scope="module")
def charts():
    """The home page's live charts after 50 updates, η changed once at t = 20 (an event note):
    name -> (figure, picture width as the home page asks for it, square or not)."""
    run = state.build_run(dict(S.DEFAULTS), None)
    run.trainer.step(20)
    run.trainer.lr = 0.3
    run.trainer.step(30)
    tr = run.trainer
    return {
        "decision boundary": (boundary_figure(run.data, run.net, show_test=True), 475, True),
        "loss curves": (loss_curves(tr.history, events=tr.events,
                                    max_iterations=tr.max_iterations), 320, False),
    }


def _raster(page, selector):
    png = page.locator(selector).first.screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


def draw_both(page, fig, width, square):
    """-> (plotly raster, picture raster, plotly texts, picture texts, plot area l, t, w, h)."""
    svg = to_svg(fig, max_width=width) if square else to_svg(fig, width)
    w = int(svg.split('width="', 1)[1].split('"', 1)[0])
    spec = json.loads(fig.to_json())
    spec["layout"].update(width=w, height=int(fig.layout.height))
    area = page.evaluate(PLOT_JS, [spec["data"], spec["layout"]])
    plotly_png = _raster(page, "#chart .main-svg")     # the first of plotly's layers: its size
    plotly_texts = page.evaluate(TEXTS_JS, "#chart .main-svg")
    page.evaluate(PICTURE_JS, svg)
    return plotly_png, _raster(page, "#chart svg"), plotly_texts, \
        page.evaluate(TEXTS_JS, "#chart svg"), area


def _pairs(ours, theirs):
    """Texts matched by content (in reading order where one occurs more than once) ->
    [(text, dx, dy)]; every text of one must be in the other."""
    assert sorted(t[0] for t in ours) == sorted(t[0] for t in theirs)
    out = []
    for text in sorted({t[0] for t in ours}):
        a = sorted((t[1:] for t in ours if t[0] == text), key=lambda p: (round(p[1]), p[0]))
        b = sorted((t[1:] for t in theirs if t[0] == text), key=lambda p: (round(p[1]), p[0]))
        out += [(text, pa[0] - pb[0], pa[1] - pb[1]) for pa, pb in zip(a, b)]
    return out


def _lines(img, color, axis):
    """Rows (axis 1) or columns (axis 0) more than half covered by `color`: grid lines."""
    mask = (np.abs(img - np.array(color)).max(axis=2) <= 2)
    return np.flatnonzero(mask.mean(axis=axis) > 0.5).tolist()


def _tick_marks(img, area):
    """Tick marks, read from the pixels: columns with two or more dark pixels in the 3 px band
    just below the plot area (x ticks), rows with two or more just left of it (y ticks)."""
    left, top, w, h = (round(v) for v in area)
    dark = img.max(axis=2) < 100
    below = dark[top + h + 1:top + h + 4, left - 2:left + w + 3].sum(axis=0) >= 2
    beside = dark[top - 2:top + h + 3, left - 3:left].sum(axis=1) >= 2
    return (np.flatnonzero(below) + left - 2).tolist(), (np.flatnonzero(beside) + top - 2).tolist()


def _same_within(a, b, px=1):
    return len(a) == len(b) and all(abs(p - q) <= px for p, q in zip(a, b))


def _near(a, b, px=1):
    """Share of a's True pixels farther than `px` from every True pixel of b."""
    grown = Image.fromarray(b.astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(2 * px + 1))
    return float((a & ~(np.asarray(grown) > 0)).sum() / max(a.sum(), 1))


@pytest.mark.browser
@pytest.mark.skipif(not os.access(B.CHROMIUM, os.X_OK), reason=B.SKIP_REASON)
@pytest.mark.parametrize("name", ["decision boundary", "loss curves"])
def test_the_picture_is_the_plotly_chart(page, charts, name, record_property):
    fig, width, square = charts[name]
    theirs, ours, their_texts, our_texts, area = draw_both(page, fig, width, square)
    assert ours.shape == theirs.shape

    titles = {_title(fig.layout.xaxis), _title(fig.layout.yaxis)} - {None}
    left, bottom = area[0], area[1] + area[3]
    labels = {t[0] for t in their_texts if t[1] < left or t[2] > bottom} - titles
    moved = {text: max(abs(dx), abs(dy)) for text, dx, dy in _pairs(our_texts, their_texts)}
    worst = {kind: max((moved[t] for t in texts), default=0.0) for kind, texts in (
        ("ticks", labels), ("titles", titles), ("legend, notes", set(moved) - labels - titles))}
    assert worst["ticks"] <= TICK_PX, moved
    assert worst["titles"] <= TITLE_PX, moved
    assert worst["legend, notes"] <= LEGEND_PX, moved

    assert _lines(ours, GRID, 0) == _lines(theirs, GRID, 0)        # vertical grid lines
    assert _lines(ours, GRID, 1) == _lines(theirs, GRID, 1)        # horizontal ones
    grid_ours, grid_theirs = (np.abs(img - np.array(GRID)).max(axis=2) <= 2
                              for img in (ours, theirs))
    astray = max(_near(grid_ours, grid_theirs), _near(grid_theirs, grid_ours))
    if grid_theirs.sum() >= 200:                 # a chart with grid lines (not the boundary)
        assert astray <= GRID_ASTRAY, astray
    (x_ours, y_ours), (x_theirs, y_theirs) = _tick_marks(ours, area), _tick_marks(theirs, area)
    assert _same_within(x_ours, x_theirs) and _same_within(y_ours, y_theirs), (
        x_ours, x_theirs, y_ours, y_theirs)

    diff = np.abs(ours - theirs).max(axis=2)
    share = float((diff > INK_LEVELS).mean())
    figures = {"size": f"{ours.shape[1]}x{ours.shape[0]}", "differing": f"{share:.2%}",
               "mean level diff": round(float(diff.mean()), 2),
               "grid pixels": int(grid_theirs.sum()), "grid astray": f"{astray:.2%}",
               "tick marks": len(x_theirs) + len(y_theirs),
               **{f"worst {k} px": round(v, 1) for k, v in worst.items()}}
    record_property("figures", figures)
    print(f"\n{name}: {figures}")
    assert share <= INK_SHARE, figures


GRID = (235, 240, 248)   # plotly_white's grid colour, #EBF0F8


def _title(axis):
    return axis.title.text if axis.title and axis.title.text else None
