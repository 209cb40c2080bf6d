"""The static SVG picture of a figure (ffnn.figures.svg): Plotly's tick rule and labels, worked
by hand, and pictures of the package's own figures read back as XML (size, regions picture,
markers, ticks, legend, notes, escaping), with pixel positions computed by hand.

The reference for "as Plotly draws it" is plotly.js itself (v4.1.1, bundled with the installed
plotly): the expected ticks below were also checked in Chromium on the same figures. Tests
cite the plotly.js rule they check (four of them found differences, since fixed).
"""

import base64
import re
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from ffnn.app import settings as S
from ffnn.app import state
from ffnn.app.views import RESOLUTION, boundary_figure
from ffnn.figures import loss_curves
from ffnn.figures._layout import figure, top_legend
from ffnn.figures.present import for_projector
from ffnn.figures.svg import Unsupported, auto_dtick, is_square, tick_text, tick_values, to_svg

NS = "{http://www.w3.org/2000/svg}"
MINUS = "\u2212"
MICRO = ("\u00b5", "\u03bc")   # micro sign or Greek mu: the same glyph (plotly.js writes U+03BC)


# ---- fixtures: real runs and the package's own figures ---------------------------------------

@pytest.fixture(scope="module")
def run():
    """The app's default run (circle, 500 points, half of them test), 50 updates in."""
    r = state.build_run(dict(S.DEFAULTS), None)
    r.trainer.step(50)
    return r


@pytest.fixture(scope="module")
def boundary(run):
    return boundary_figure(run.data, run.net, show_test=True)


@pytest.fixture(scope="module")
def boundary_svg(boundary):
    return to_svg(boundary)


EVENTS = [(20, "η → 0.3"), (40, "a < b & c")]


@pytest.fixture(scope="module")
def loss_svg(run):
    fig = loss_curves(run.trainer.history, events=EVENTS, max_iterations=1000)
    return to_svg(fig, width=480)


# ---- helpers ---------------------------------------------------------------------------------

def parse(svg):
    root = ET.fromstring(svg)
    assert root.tag == NS + "svg"
    return root


def labels(root):
    """[(text, element)] of every <text> in the picture."""
    return [(el.text, el) for el in root.iter(NS + "text")]


def label(root, text, anchor="middle"):
    """The one <text> with this content and text-anchor (x tick labels are "middle")."""
    found = [el for t, el in labels(root) if t == text and el.get("text-anchor") == anchor]
    assert len(found) == 1, (text, anchor, len(found))
    return found[0]


def plot_paths(root):
    """The <path>s inside the clipped plot group: the traces."""
    group = next(g for g in root.iter(NS + "g") if g.get("clip-path") == "url(#plot)")
    return list(group.iter(NS + "path"))


def marker_centres(root):
    """(x, y) of every marker drawn in the plot: each marker is one absolute "M" move."""
    ds = [p.get("d") for p in plot_paths(root) if p.get("fill") not in (None, "none")]
    return [(float(x), float(y)) for d in ds for x, y in re.findall(r"M(-?[\d.]+),(-?[\d.]+)", d)]


def line_points(d):
    """The vertices of a polyline path "Mx,yLx,yL...": an (n, 2) array."""
    return np.array(re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", d), dtype=float)


def xy_figure(data, *, xrange=(0, 1), yrange=(0, 1), height=300, **layout):
    """A minimal figure the way the builders make them (template plotly_white, no validation),
    margins l=50 r=50 t=30 b=40."""
    base = {"height": height, "margin": {"l": 50, "r": 50, "t": 30, "b": 40},
            "xaxis": {"range": list(xrange)}, "yaxis": {"range": list(yrange)}}
    return figure(data, base | layout)


# ---- auto_dtick: Plotly's automatic tick spacing ---------------------------------------------

@pytest.mark.parametrize("lo, hi, length, letter, dtick", [
    # nt = min(max(450/80, 4), 9) + 1 = 6.625; rough = 12/6.625 = 1.81; base 1 -> 2
    (-6, 6, 450, "x", 2),
    # nt = min(450/40 = 11.25, 9) + 1 = 10; rough = 1.2; base 1 -> 2
    (-6, 6, 450, "y", 2),
    # nt = 230/40 + 1 = 6.75; rough = 0.8/6.75 = 0.1185; base 0.1, 1.185 -> 2 -> 0.2
    (0, 0.8, 230, "y", 0.2),
    # the loss chart's step axis at 480 px: nt = 420/80 + 1 = 6.25; rough = 160 -> 200
    (0, 1000, 420, "x", 200),
    # the accuracy axis: nt = 250/40 + 1 = 7.25; rough = 1.02/7.25 = 0.1407 -> 0.2
    (0, 1.02, 250, "y", 0.2),
    # nt = 400/80 + 1 = 6; rough = 3333; base 1000, 3.33 -> 5 -> 5000
    (0, 20000, 400, "x", 5000),
    # nt = 330/40 + 1 = 9.25; rough = 5.4e-7; base 1e-7, 5.4 -> 10 -> 1e-6
    (0, 5e-6, 330, "y", 1e-6),
    # nt = 9.25; rough = 0.3/9.25 = 0.0324; base 0.01, 3.24 -> 5 -> 0.05
    (0, 0.3, 330, "y", 0.05),
    # clamped above: 500/40 = 12.5 -> nt = 9 + 1 = 10; rough = 10; base 10, 1 -> 2 -> 20
    (0, 100, 500, "y", 20),
    # clamped below: 100/80 = 1.25 -> nt = 4 + 1 = 5; rough = 0.6; base 0.1, 6 -> 10 -> 1
    (0, 3, 100, "x", 1),
    # a reversed range gives the same spacing: |hi - lo| is what counts
    (6, -6, 450, "y", 2),
])
def test_auto_dtick_worked_by_hand(lo, hi, length, letter, dtick):
    assert auto_dtick(lo, hi, length, letter) == pytest.approx(dtick)


@pytest.mark.parametrize("lo, hi, length, letter, dtick", [
    # nt = max(300/80, 4) + 1 = 5; rough = 200; base 100, rough/base = 2 exactly -> 5 -> 500
    (0, 1000, 300, "x", 500),
    # nt = 5; rough = 5; base 1, rough/base = 5 exactly -> 10
    (0, 25, 300, "x", 10),
    # nt = max(150/40, 4) + 1 = 5; rough = 2; base 1, rough/base = 2 exactly -> 5
    (0, 10, 150, "y", 5),
])
def test_auto_dtick_on_a_tie_takes_the_next_step(lo, hi, length, letter, dtick):
    """plotly.js rounds rough/base up with Lib.roundUp(v, [2, 5, 10]), which returns the
    smallest entry strictly greater than v: a tie (exactly 2 or 5) goes to the next one.
    Checked in Chromium: [0, 1000] over 300 px on x has ticks 0, 500, 1000, [0, 25] over
    300 px 0, 10, 20, [0, 10] over 150 px on y 0, 5, 10 (m >= v would give 200, 5, 2).
    Ties are common whenever nt is clamped (x axes up to 320 px, y axes up to 160 px)."""
    assert auto_dtick(lo, hi, length, letter) == pytest.approx(dtick)


def test_auto_dtick_of_an_empty_range_is_one():
    assert auto_dtick(3, 3, 400, "x") == 1.0


# ---- tick_values -----------------------------------------------------------------------------

def test_tick_values_include_both_ends():
    assert tick_values(-6, 6, 2) == [-6, -4, -2, 0, 2, 4, 6]


def test_tick_values_keep_an_end_lost_to_rounding():
    # (0.3 - 0) / 0.1 == 2.9999999999999996: without slack the tick at 0.3 would be dropped
    vals = tick_values(0, 0.3, 0.1)
    assert vals == pytest.approx([0, 0.1, 0.2, 0.3])


def test_tick_values_only_inside_the_range():
    assert tick_values(0.5, 3.5, 1) == [1, 2, 3]
    assert tick_values(6, -6, 4) == [-4, 0, 4]          # a reversed range: ascending values


def test_tick_values_start_from_tick0():
    assert tick_values(0, 10, 4, tick0=1) == [1, 5, 9]
    assert tick_values(0, 10, 4, tick0=-3) == [1, 5, 9]  # tick0 need not lie in the range


# ---- tick_text -------------------------------------------------------------------------------

def test_tick_text_drops_trailing_zeros():
    # tickround = 2 - floor(log10(0.2) + 0.01) = 3: "0.200" -> "0.2"
    assert tick_text([0, 0.2, 0.4, 0.6000000000000001, 0.8], 0.2, 0, 0.8) == \
        ["0", "0.2", "0.4", "0.6", "0.8"]


def test_tick_text_uses_a_true_minus_sign():
    assert tick_text([-6, -4, 0, 6], 2, -6, 6) == [MINUS + "6", MINUS + "4", "0", "6"]
    assert tick_text([-0.5, 0.5], 0.5, -1, 1) == [MINUS + "0.5", "0.5"]


def test_tick_text_rounds_a_tiny_negative_to_plain_zero():
    assert tick_text([-1e-12], 0.2, -1, 1) == ["0"]


def test_tick_text_no_suffix_up_to_three_digits():
    # largest |value| 1000: exponent floor(3 + 0.01) = 3, not beyond 3
    assert tick_text([0, 200, 1000], 200, 0, 1000) == ["0", "200", "1000"]


def test_tick_text_thousands():
    # largest 20000: exponent 4 -> 3 * round(3 / 3) = 3 -> "k"; zero has no suffix
    assert tick_text([0, 5000, 10000, 15000, 20000], 5000, 0, 20000) == \
        ["0", "5k", "10k", "15k", "20k"]


def test_tick_text_millions_and_billions():
    # exponent 6 -> 3 * round(5 / 3) = 6 -> M; tickround 2 - 5 = -3, + 6 = 3 digits
    assert tick_text([0, 5e5, 1e6, 1.5e6, 2e6], 5e5, 0, 2e6) == ["0", "0.5M", "1M", "1.5M", "2M"]
    # exponent 9 -> 3 * round(8 / 3) = 9 -> B (Plotly's default exponentformat "B")
    assert tick_text([1e9, 2.5e9, 3e9], 5e8, 0, 3e9) == ["1B", "2.5B", "3B"]


def test_tick_text_micro():
    # largest 5e-6: exponent floor(-5.30 + 0.01) = -6 -> 3 * round(-7 / 3) = -6 -> micro
    texts = tick_text([0, 1e-6, 5e-6], 1e-6, 0, 5e-6)
    assert texts[0] == "0"
    assert texts[1][:-1] == "1" and texts[1][-1] in MICRO
    assert texts[2][:-1] == "5" and texts[2][-1] in MICRO


def test_tick_text_nano():
    # largest 5e-8: exponent floor(-7.30 + 0.01) = -8 -> 3 * round(-9 / 3) = -9 -> n
    assert tick_text([1e-8, 5e-8], 1e-8, 0, 5e-8) == ["10n", "50n"]


def test_tick_text_percent_format():
    assert tick_text([0.5], 0.1, 0, 1, ".0%") == ["50%"]
    assert tick_text([0, 0.2, 1], 0.2, 0, 1.02, ".0%") == ["0%", "20%", "100%"]
    assert tick_text([0.125], 0.1, 0, 1, ".1%") == ["12.5%"]
    assert tick_text([-0.5], 0.1, -1, 1, ".0%") == [MINUS + "50%"]


@pytest.mark.parametrize("fmt", [".2f", "%Y", ".0e", "%"])
def test_tick_text_unknown_format_is_unsupported(fmt):
    with pytest.raises(Unsupported):
        tick_text([0.5], 0.1, 0, 1, fmt)


def test_tick_text_thousands_separator_with_decimals():
    """(Not reached by the app's charts.) plotly.js (Lib.numSeparate) puts a
    thousands separator in a label that has decimals, or more than 4 integer digits. Checked
    in Chromium: y range [1000, 1001.2] reads 1000, 1,000.2, ... 1001, 1,001.2."""
    assert tick_text([1000, 1000.2, 1001], 0.2, 1000, 1001.2) == ["1000", "1,000.2", "1001"]


# ---- to_svg on the decision boundary ---------------------------------------------------------

def test_is_square(boundary, run):
    assert is_square(boundary)
    assert not is_square(loss_curves(run.trainer.history, max_iterations=1000))


def test_boundary_has_its_natural_size(boundary_svg):
    # height 520 - margins t 30, b 40 = 450 px: the square [-6, 6]^2 is 450 px wide, and with
    # margins l 40, r 10 the picture is 500 px wide
    root = parse(boundary_svg)
    assert (root.get("width"), root.get("height")) == ("500", "520")
    clip = next(root.iter(NS + "clipPath")).find(NS + "rect")
    assert [clip.get(k) for k in ("x", "y", "width", "height")] == ["40", "30", "450", "450"]


def test_boundary_embeds_the_regions_png_over_the_square(boundary_svg):
    root = parse(boundary_svg)
    (image,) = root.iter(NS + "image")
    href = image.get("href")
    assert href.startswith("data:image/png;base64,")
    png = base64.b64decode(href.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (RESOLUTION, RESOLUTION)    # IHDR width, height
    # 80 grid points over [-6, 6]: cells dx = 12/79 wide; the picture spans
    # [-6 - dx/2, 6 + dx/2] at 37.5 px per unit: 225/79 = 2.85 px beyond the square each side
    x, y, w, h = (float(image.get(k)) for k in ("x", "y", "width", "height"))
    beyond = 225 / 79
    assert x == pytest.approx(40 - beyond, abs=0.06)
    assert y == pytest.approx(30 - beyond, abs=0.06)
    assert w == pytest.approx(450 + 2 * beyond, abs=0.06)
    assert h == pytest.approx(450 + 2 * beyond, abs=0.06)
    assert x <= 40 and y <= 30 and x + w >= 490 and y + h >= 480     # covers the square


def test_boundary_draws_one_marker_per_point_where_it_lies(boundary_svg, run):
    data = run.data
    points = np.vstack([data.points_train, data.points_test])
    centres = np.array(marker_centres(parse(boundary_svg)))
    assert len(centres) == len(points) == 500
    # x in [-6, 6] -> [40, 490], y in [-6, 6] -> [480, 30]: 37.5 px per unit
    expected = np.column_stack([40 + (points[:, 0] + 6) * 37.5, 480 - (points[:, 1] + 6) * 37.5])
    # drawn to 0.1 px: every point has its marker within 0.05 px on each axis, and back
    dist = np.abs(centres[:, None, :] - expected[None, :, :]).max(axis=2)
    assert dist.min(axis=0).max() <= 0.051 and dist.min(axis=1).max() <= 0.051


def test_boundary_tick_labels_where_plotly_puts_them(boundary_svg):
    root = parse(boundary_svg)
    texts = [t for t, _ in labels(root)]
    for t in (MINUS + "6", MINUS + "4", MINUS + "2", "0", "2", "4", "6"):
        assert texts.count(t) == 2                          # once on each axis
    # the square sits at the left (xaxis.constraintoward "left"): x = 0 at 40 + 450/2
    assert label(root, "0").get("x") == "265"
    assert label(root, MINUS + "6").get("x") == "40"
    assert label(root, "6").get("x") == "490"
    # y labels: 6 at the top, -6 at the bottom, 450 px apart, 2 units = 75 px per tick
    top, zero, bottom = (float(label(root, t, "end").get("y")) for t in ("6", "0", MINUS + "6"))
    assert bottom - top == pytest.approx(450) and bottom - zero == pytest.approx(225)


def test_boundary_legend_and_axis_titles(boundary_svg):
    texts = [t for t, _ in labels(parse(boundary_svg))]
    for name in ("class 0", "class 1", "test", "x₁", "x₂"):
        assert name in texts
    assert "class 0 (test)" not in texts                    # test classes share one entry


def test_a_wider_picture_keeps_the_square_at_the_left(boundary):
    root = parse(to_svg(boundary, 700))
    assert root.get("width") == "700"
    assert label(root, "0").get("x") == "265"               # as at 500 px, checked in Chromium
    assert label(root, "6").get("x") == "490"


def test_a_narrower_picture_shrinks_the_square_toward_the_top(boundary):
    # 300 px: plot 250 px wide, so the square is 250 px; the y axis gives up 200 px, all below
    # (constraintoward "top": on a phone the spare height falls under the square): it runs 30
    # to 280; x = 0 at 40 + 125
    root = parse(to_svg(boundary, 300))
    clip = next(root.iter(NS + "clipPath")).find(NS + "rect")
    assert [clip.get(k) for k in ("x", "y", "width", "height")] == ["40", "30", "250", "250"]
    assert label(root, "0").get("x") == "165"


def test_presentation_mode_uses_large_type(run):
    fig = for_projector(boundary_figure(run.data, run.net, show_test=True), 300)
    root = parse(to_svg(fig))
    assert root.get("font-size") == "20" and root.get("height") == "300"
    assert label(root, "class 0", None).get("font-size") == "16"        # legend: 20 - 4
    # markers 1.6 x 6 = 9.6 px across: radius 4.8
    ds = [p.get("d") for p in plot_paths(root) if p.get("fill") not in (None, "none")]
    assert "a4.8,4.8" in "".join(ds)
    # the picture is the square and its margins: r = 10 px right of the square
    clip = next(root.iter(NS + "clipPath")).find(NS + "rect")
    assert clip.get("width") == clip.get("height")
    assert int(root.get("width")) == pytest.approx(
        float(clip.get("x")) + float(clip.get("width")) + 10, abs=1)


# ---- to_svg on the loss chart ----------------------------------------------------------------

def test_loss_chart_keeps_its_height_at_the_given_width(loss_svg):
    root = parse(loss_svg)
    assert (root.get("width"), root.get("height")) == ("480", "320")


def test_loss_chart_step_ticks(loss_svg):
    root = parse(loss_svg)
    # x from 50 to 480 - 10 = 470: 0.42 px per step
    for step in (0, 200, 400, 600, 800):
        assert float(label(root, str(step)).get("x")) == pytest.approx(50 + 0.42 * step)
    # "1000" would sit at 470, half of it past 480: Plotly hides it (checked in Chromium)
    assert "1000" not in [t for t, _ in labels(root)]


def test_loss_chart_legend_and_lines(loss_svg, run):
    root = parse(loss_svg)
    texts = [t for t, _ in labels(root)]
    assert "train loss" in texts and "test loss" in texts
    lines = [p for p in plot_paths(root) if p.get("fill") == "none"]
    assert len(lines) == 2                                  # train and test
    assert all(p.get("d").count("M") == 1 for p in lines)   # no gaps in a finite history
    # the train line starts at θ₀: the first recorded update's loss is L(θ at its step - 1)
    first = line_points(lines[0].get("d"))[0]
    step0 = run.trainer.history["step"].iloc[0]
    assert first[0] == pytest.approx(50 + 0.42 * (step0 - 1), abs=0.051)


def test_loss_chart_event_notes_escaped(loss_svg):
    root = parse(loss_svg)
    note = label(root, "η → 0.3", "start")
    assert float(note.get("x")) == pytest.approx(50 + 0.42 * 20 + 2)      # xshift 2 px
    assert "a &lt; b &amp; c" in loss_svg                   # escaped in the text...
    assert label(root, "a < b & c", "start") is not None    # ...and read back as written
    # each event is a dotted vertical line at its step, across the plot (y 280 to 30)
    verticals = [re.fullmatch(r"M([\d.]+),280V30", p.get("d") or "") for p in root.iter(NS + "path")
                 if p.get("stroke-dasharray")]
    xs = sorted(float(m.group(1)) for m in verticals if m)
    assert xs == pytest.approx([50 + 0.42 * 20, 50 + 0.42 * 40], abs=0.051)


def test_trace_names_are_escaped():
    data = [{"type": "scatter", "mode": "lines", "x": [0, 1], "y": [0, 1], "name": "W<1> & b"},
            {"type": "scatter", "mode": "lines", "x": [0, 1], "y": [1, 0], "name": "\"q\""}]
    svg = to_svg(xy_figure(data, legend=top_legend()), 400)
    assert "W&lt;1&gt; &amp; b" in svg and "&quot;q&quot;" in svg
    texts = [t for t, _ in labels(parse(svg))]
    assert "W<1> & b" in texts and '"q"' in texts


def test_an_end_tick_a_hair_past_the_range_is_drawn():
    """y range [0, 0.3] over 330 px has dtick 0.05; its last tick, 6 * 0.05, is
    0.30000000000000004 in floating point: a plain `lo <= v <= hi` would drop the top label
    and grid line. plotly.js lists ticks over the range widened by 1e-4 of its span (checked in
    Chromium: 0, 0.05, ..., 0.3).
    Same for [0, 0.6] with dtick 0.1."""
    data = [{"type": "scatter", "mode": "lines", "x": [0, 1], "y": [0, 0.3]}]
    root = parse(to_svg(xy_figure(data, yrange=(0, 0.3), height=400), 400))
    ylabels = [t for t, el in labels(root) if el.get("text-anchor") == "end"]
    assert ylabels == ["0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.3"]


# ---- what it does not draw -------------------------------------------------------------------

LINE = {"type": "scatter", "mode": "lines", "x": [0, 1], "y": [0, 1], "name": "a"}
LINE_B = {**LINE, "name": "b"}


@pytest.mark.parametrize("data, layout", [
    ([{"type": "heatmap", "z": [[0, 1], [1, 0]]}], {}),
    ([LINE], {"yaxis": {"type": "log", "range": [-1, 1]}}),
    ([LINE], {"xaxis": {}}),                                            # no range
    ([LINE], {"yaxis": {"range": [1, 1]}}),                             # an empty range
    ([LINE, LINE_B], {"legend": {"orientation": "v"}}),
    ([LINE, LINE_B], {}),                                               # Plotly's default: vertical
    ([{**LINE, "mode": "markers", "marker": {"color": ["red", "blue"]}}], {}),
    ([{**LINE, "mode": "markers", "marker": {"size": [4, 8]}}], {}),
    ([{**LINE, "mode": "markers", "marker": {"symbol": "star"}}], {}),
    ([LINE], {"xaxis2": {"range": [0, 1]}}),                            # subplots
    ([LINE], {"shapes": [{"type": "rect", "xref": "x", "yref": "y", "x0": 0, "x1": 1,
                          "y0": 0, "y1": 1}]}),
], ids=["heatmap", "log_axis", "no_range", "empty_range", "vertical_legend", "default_legend",
        "colour_per_point", "size_per_point", "star_symbol", "subplots", "rect_shape"])
def test_unsupported(data, layout):
    # an axis given in `layout` replaces the default one whole
    fig = figure(data, {"height": 300, "xaxis": {"range": [0, 1]}, "yaxis": {"range": [0, 1]},
                        **layout})
    with pytest.raises(Unsupported):
        to_svg(fig, 400)


def test_a_half_open_range_is_unsupported():
    """Plotly accepts a range with one end null (that end autoranges): not a fixed range, so
    Unsupported (not a TypeError, which views._picture would not catch). Not produced by the
    builders today."""
    fig = xy_figure([LINE], yrange=(None, 1))
    with pytest.raises(Unsupported):
        to_svg(fig, 400)


def test_log_loss_chart_is_unsupported(run):
    fig = loss_curves(run.trainer.history, log_y=True, max_iterations=1000)
    with pytest.raises(Unsupported):
        to_svg(fig, 480)


def test_regression_boundary_is_a_heatmap_so_unsupported():
    cfg, _ = S.reconcile(dict(S.DEFAULTS, dataset="plane"))
    assert S.task_of(cfg) == "regression"
    r = state.build_run(cfg, None)
    r.trainer.step(5)
    with pytest.raises(Unsupported):
        to_svg(boundary_figure(r.data, r.net, show_test=True))


# ---- lines: gaps and thinning ----------------------------------------------------------------

@pytest.mark.parametrize("gap", [np.nan, None])
def test_a_gap_splits_a_line_in_two(gap):
    data = [{"type": "scatter", "mode": "lines", "x": [0, 1, 2, 3, 4], "y": [0, 1, gap, 1, 0]}]
    (path,) = plot_paths(parse(to_svg(xy_figure(data, xrange=(0, 4)), 500)))
    d = path.get("d")
    assert d.count("M") == 2 and d.count("L") == 2          # 0-1 and 3-4
    # x from 50 to 450: 100 px per unit; y from 260 (0) to 30 (1)
    np.testing.assert_allclose(line_points(d), [[50, 260], [150, 30], [350, 30], [450, 260]])


def test_a_lone_point_between_gaps_draws_no_line():
    data = [{"type": "scatter", "mode": "lines", "x": [0, 1, 2, 3], "y": [0, None, 1, None]}]
    assert plot_paths(parse(to_svg(xy_figure(data, xrange=(0, 3)), 500))) == []


def test_a_long_line_is_thinned_keeping_each_columns_extremes():
    # 4,000 points over 400 px (x from 50 to 450, 10 steps per px): 10 points per column,
    # point j of column k at x = 10k + 2 + 2j/3, pixel 50 + k + 0.2 .. 50 + k + 0.8, well
    # inside the column even once drawn to 0.1 px
    rng = np.random.default_rng(0)
    n = 4000
    k, j = np.divmod(np.arange(n), 10)
    y = rng.uniform(-1, 1, n)
    data = [{"type": "scatter", "mode": "lines", "x": 10 * k + 2 + 2 * j / 3, "y": y}]
    (path,) = plot_paths(parse(to_svg(xy_figure(data, xrange=(0, n), yrange=(-1.5, 1.5)), 500)))
    pts = line_points(path.get("d"))
    assert path.get("d").count("M") == 1
    assert len(pts) <= 4 * 400 < n
    cols = np.floor(pts[:, 0]).astype(int)
    assert np.bincount(cols - 50).max() <= 4
    # y in [-1.5, 1.5] -> [260, 30]: 230/3 px per unit
    def py(v):
        return 260 - (v + 1.5) * 230 / 3
    lo, hi = y.reshape(400, 10).min(axis=1), y.reshape(400, 10).max(axis=1)
    for k in range(400):
        ys = pts[cols == 50 + k, 1]
        assert np.abs(ys - py(lo[k])).min() <= 0.051 and np.abs(ys - py(hi[k])).min() <= 0.051
    # the ends stay where they are
    np.testing.assert_allclose(pts[0], [50.2, py(y[0])], atol=0.051)
    np.testing.assert_allclose(pts[-1], [449.8, py(y[-1])], atol=0.051)


def test_a_short_line_is_not_thinned():
    n = 500                                                 # many points per column, but few
    data = [{"type": "scatter", "mode": "lines", "x": np.arange(n), "y": np.sin(np.arange(n))}]
    (path,) = plot_paths(parse(to_svg(xy_figure(data, xrange=(0, n), yrange=(-1, 1)), 150)))
    assert len(line_points(path.get("d"))) == n
