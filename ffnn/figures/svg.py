"""A static picture (SVG) of a figure made by this package's builders, for the frames drawn
while training plays.

Why: `st.plotly_chart` gives a chart a new element id whenever its figure changes, so the
browser builds the whole chart again on every frame (Plotly's newPlot: every axis, tick and
point as new SVG nodes). Measured on the home page: about 100 ms of browser CPU per frame, the
limit on how many students can play at once on one machine. The same figure as one picture
costs the browser a few milliseconds. While playing nobody can hover or zoom anyway (the chart
is rebuilt ten times a second); paused, the page shows the interactive Plotly chart again.

The builders stay the one source of what is drawn: this renders the subset of Plotly they use
for the live views (scatter markers and lines, a layout image, linear axes with fixed ranges,
a square aspect, a horizontal legend, vertical event lines and their notes), the way Plotly
draws it: same margins, ticks (Plotly's automatic tick rule), colours, dashes and fonts.
Anything else raises `Unsupported`, and the caller draws the Plotly chart instead.
"""

import html
import math

import numpy as np

# The plotly.js whose drawing this copies (bundled with plotly 7.1): tests/test_svg_plotly.py
# fails when the installed plotly bundles another, and compares the pictures with its charts.
PLOTLYJS_VERSION = "4.1.1"
FONT_FAMILY = '"Open Sans", verdana, arial, sans-serif'   # Plotly's default font
# plotly_white, the template of every figure here (see _layout.figure)
TEXT_COLOR = "#2a3f5f"
GRID_COLOR = "#EBF0F8"
TICK_COLOR = "#444444"
CHAR_WIDTH = 0.6        # generous glyph width, in font sizes (room for the y tick labels)
LEGEND_CHAR = 0.45      # average glyph width of a legend entry (spacing as Plotly's)
TICK_PAD = 3            # px between a tick and its label
SLACK = 1e-4            # share of an axis's span by which ticks may pass its ends (as Plotly)
# Grid lines and tick marks snap to whole pixels, one pixel wide, as Plotly draws them (its
# "crisp" class); otherwise a line at x = 134.2 is smeared over two columns of paler grey.
CRISP = ' shape-rendering="crispEdges"'
_SI = {-15: "f", -12: "p", -9: "n", -6: "µ", -3: "m", 3: "k", 6: "M", 9: "B", 12: "T"}


class Unsupported(ValueError):
    """The figure uses something this renderer does not draw: show the Plotly chart."""


def _get(d, path, default=None):
    for key in path.split("."):
        if not isinstance(d, dict) or d.get(key) is None:
            return default
        d = d[key]
    return d


def _num(v):
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _esc(text):
    return html.escape(str(text), quote=True)


# ---------------------------------------------------------------- ticks, as Plotly makes them


def auto_dtick(lo, hi, length_px, axis_letter):
    """Plotly's automatic tick spacing for a linear axis `length_px` long: about one tick per
    80 px (x) or 40 px (y), 4 to 9 of them, rounded up to the next 2, 5 or 10 times a power of
    10 strictly above."""
    nt = min(max(length_px / (80 if axis_letter == "x" else 40), 4), 9) + 1
    rough = abs(hi - lo) / nt
    if not rough > 0 or not math.isfinite(rough):
        return 1.0
    base = 10.0 ** math.floor(math.log10(rough))
    # strictly above, as plotly.js rounds (a rough step of exactly 2 units gives 5)
    return base * next(m for m in (2, 5, 10) if m > rough / base)


def tick_values(lo, hi, dtick, tick0=0.0):
    """Every tick0 + k * dtick inside [lo, hi], widened by 1e-4 of its span as Plotly does (so
    that 0.1 * 3 = 0.30000000000000004 still counts as inside [0, 0.3])."""
    if hi < lo:
        lo, hi = hi, lo
    eps = SLACK * (hi - lo)
    first = math.ceil((lo - tick0 - eps) / dtick)
    last = math.floor((hi - tick0 + eps) / dtick)
    return [tick0 + k * dtick for k in range(first, last + 1)][:50]


def tick_text(values, dtick, lo, hi, tickformat=None):
    """Labels as Plotly writes them: rounded to the tick spacing, trailing zeros dropped, an SI
    suffix past 10^3 (k, M, B) or below 10^-3 (m, µ, n), a true minus sign; ".N%" formats."""
    if tickformat:
        if tickformat.startswith(".") and tickformat.endswith("%") and tickformat[1:-1].isdigit():
            digits = int(tickformat[1:-1])
            return [_minus(f"{100 * v:.{digits}f}%") for v in values]
        raise Unsupported(f"tickformat {tickformat!r}")
    tickround = 2 - math.floor(math.log10(dtick) + 0.01)
    biggest = max(abs(lo), abs(hi))
    exp = math.floor(math.log10(biggest) + 0.01) if biggest > 0 else 0
    e = 3 * round((exp - 1) / 3) if abs(exp) > 3 else 0
    suffix = _SI.get(e, f"e{e}" if e else "")
    digits = max(0, tickround + e)
    out = []
    for v in values:
        s = f"{v / 10.0 ** e:.{digits}f}"
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        if s in ("-0", ""):
            s = "0"
        out.append(_minus(_thousands(s)) + (suffix if s != "0" else ""))
    return out


def _thousands(s):
    """Plotly's thousands separators: only with a decimal part or past 4 integer digits."""
    sign, s = ("-", s[1:]) if s.startswith("-") else ("", s)
    whole, dot, frac = s.partition(".")
    if dot or len(whole) > 4:
        whole = f"{int(whole):,}"
    return sign + whole + dot + frac


def _minus(s):
    return s.replace("-", "\u2212")


# ---------------------------------------------------------------- the picture


class _Axis:
    """One linear axis: data range -> pixels along [p0, p1]."""

    def __init__(self, spec, letter, p0, p1):
        if spec.get("type") not in (None, "linear", "-"):
            raise Unsupported(f"{spec.get('type')} axis")
        rng = spec.get("range")
        if rng is None or len(rng) != 2 or not all(isinstance(v, (int, float)) and
                                                   math.isfinite(v) for v in rng) \
                or rng[0] == rng[1]:
            raise Unsupported("axis without a fixed range")
        self.spec, self.letter = spec, letter
        self.lo, self.hi = float(rng[0]), float(rng[1])
        self.p0, self.p1 = p0, p1

    @property
    def length(self):
        return abs(self.p1 - self.p0)

    def px(self, v):
        v = np.asarray(v, dtype=np.float64)
        return self.p0 + (v - self.lo) / (self.hi - self.lo) * (self.p1 - self.p0)

    def ticks(self):
        """[(pixel, label)] of this axis's ticks."""
        spec = self.spec
        if spec.get("tickvals") is not None:
            vals = [float(v) for v in spec["tickvals"]]
            texts = list(spec.get("ticktext") or tick_text(vals, 1.0, self.lo, self.hi))
            dtick = None
        else:
            dtick = spec.get("dtick")
            if dtick is not None and not isinstance(dtick, (int, float)):
                raise Unsupported(f"dtick {dtick!r}")
            dtick = float(dtick) if dtick else auto_dtick(self.lo, self.hi, self.length,
                                                          self.letter)
            vals = tick_values(self.lo, self.hi, dtick, float(spec.get("tick0") or 0.0))
            texts = tick_text(vals, dtick, self.lo, self.hi, spec.get("tickformat"))
        if spec.get("showticklabels") is False:
            texts = [""] * len(vals)
        lo, hi = sorted((self.lo, self.hi))
        eps = SLACK * (hi - lo)
        return [(float(self.px(v)), t) for v, t in zip(vals, texts)
                if lo - eps <= v <= hi + eps]


def _plot_area(layout, width, height):
    """(left, top, right, bottom) of the plot area in px, margins as Plotly lays them."""
    m = layout.get("margin") or {}
    left, right = m.get("l", 80), m.get("r", 80)
    top, bottom = m.get("t", 100), m.get("b", 80)
    if m.get("autoexpand"):         # presentation mode lets Plotly grow margins for large type
        size = _get(layout, "font.size", 12)
        title = round(1.2 * size)
        # room for the widest y label (one at an end of the range, roughly), the titles and
        # the legend, as Plotly's automargin makes it
        yr = _get(layout, "yaxis.range") or [0, 1]
        chars = max(len(f"{v:.3g}") for v in yr) if all(
            isinstance(v, (int, float)) for v in yr) else 4
        ticks = 6
        left = max(left, int(ticks + chars * CHAR_WIDTH * size + 4 + title + 4))
        bottom = max(bottom, int(ticks + size + 4 + title + 4))
        top = max(top, int(1.3 * _get(layout, "legend.font.size", size) + 14))
    return left, top, width - right, height - bottom


def _natural_width(layout, height):
    """For a square plot: the width at which the square fills the height between the
    margins (None for any other plot)."""
    if _get(layout, "yaxis.scaleanchor") != "x":
        return None
    left, top, right, bottom = _plot_area(layout, 0, height)     # right = -margin r
    xr, yr = _get(layout, "xaxis.range"), _get(layout, "yaxis.range")
    if not xr or not yr:
        return None
    side = (bottom - top) * abs(xr[1] - xr[0]) / abs(yr[1] - yr[0]) \
        / float(_get(layout, "yaxis.scaleratio", 1.0))
    return math.ceil(left + side - right)


def _square(xa, ya, layout):
    """yaxis.scaleanchor = "x" (scaleratio 1), constrain "domain": the axis with more pixels
    per unit gives some up, toward the side `constraintoward` says (default the centre)."""
    yspec = layout.get("yaxis") or {}
    if yspec.get("scaleanchor") != "x":
        return
    ratio = float(yspec.get("scaleratio") or 1.0)
    sx = xa.length / abs(xa.hi - xa.lo)
    sy = ya.length / abs(ya.hi - ya.lo) / ratio
    s = min(sx, sy)
    if sx > s:
        new = s * abs(xa.hi - xa.lo)
        toward = _get(layout, "xaxis.constraintoward", "center")
        shift = {"left": 0.0, "right": 1.0}.get(toward, 0.5) * (xa.length - new)
        xa.p0, xa.p1 = xa.p0 + shift, xa.p0 + shift + new
    elif sy > s:
        new = s * ratio * abs(ya.hi - ya.lo)
        toward = _get(layout, "yaxis.constraintoward", "middle")
        shift = {"top": 0.0, "bottom": 1.0}.get(toward, 0.5) * (ya.length - new)
        top = ya.p1 + shift                      # ya runs bottom (p0) to top (p1)
        ya.p1, ya.p0 = top, top + new


def is_square(fig):
    """Whether the figure keeps its axes at one scale (yaxis.scaleanchor "x"): its picture
    then has a natural width, see to_svg."""
    return fig.layout.yaxis.scaleanchor == "x"


def to_svg(fig, width=None, max_width=None):
    """An SVG document (text) that draws `fig` (a go.Figure from this package's builders)
    `width` px wide (default: layout.width; else, for a square plot, the square and its
    margins; else 500), at most `max_width`, and layout.height px tall. Raises Unsupported for
    anything it does not draw."""
    layout = fig.layout.to_plotly_json()
    data = [t.to_plotly_json() for t in fig.data]
    height = int(layout.get("height") or 450)
    width = int(width or layout.get("width") or _natural_width(layout, height) or 500)
    width = min(width, int(max_width or width))
    for key in ("xaxis2", "yaxis2", "scene", "polar", "grid", "updatemenus", "sliders"):
        if layout.get(key):
            raise Unsupported(key)
    left, top, right, bottom = _plot_area(layout, width, height)
    if right - left < 20 or bottom - top < 20:
        raise Unsupported("no room for the plot")
    xa = _Axis(layout.get("xaxis") or {}, "x", left, right)
    ya = _Axis(layout.get("yaxis") or {}, "y", bottom, top)
    _square(xa, ya, layout)
    size = _get(layout, "font.size", 12)
    color = _get(layout, "font.color", TEXT_COLOR)

    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family={_attr(FONT_FAMILY)} '
            f'font-size="{size}" fill="{color}">'),
           '<defs><clipPath id="plot"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath>'
           '</defs>'.format(*map(_num, (min(xa.p0, xa.p1), min(ya.p0, ya.p1), xa.length,
                                        ya.length))),
           f'<rect width="{width}" height="{height}" fill="white"/>']
    out += _images(layout, xa, ya, "below")
    xticks, yticks = xa.ticks(), ya.ticks()
    out += _grid(xa, ya, xticks, yticks)
    out += _shapes(layout, xa, ya)
    out.append('<g clip-path="url(#plot)">')
    for trace in data:
        if trace.get("cliponaxis") is not False:
            out += _trace(trace, xa, ya)
    out.append("</g>")
    for trace in data:                       # cliponaxis False: may pass the plot's edge
        if trace.get("cliponaxis") is False:
            out += _trace(trace, xa, ya)
    out += _images(layout, xa, ya, "above")
    out += _axes(xa, ya, xticks, yticks, size, width, height)
    out += _annotations(layout, xa, ya, size)
    out += _legend(layout, data, top, left, size)
    out.append("</svg>")
    return "".join(out)


def _attr(text):
    return '"' + _esc(text) + '"'


def _images(layout, xa, ya, layer):
    out = []
    for im in layout.get("images") or ():
        if im.get("layer", "above") != layer or im.get("visible") is False:
            continue
        if im.get("xref") != "x" or im.get("yref") != "y" or im.get("sizing") != "stretch":
            raise Unsupported("layout image not in data coordinates, stretched")
        x0, x1 = xa.px(im["x"]), xa.px(im["x"] + im["sizex"])
        y0, y1 = ya.px(im["y"]), ya.px(im["y"] - im["sizey"])
        out.append(f'<image href="{_esc(im["source"])}" x="{_num(min(x0, x1))}" '
                   f'y="{_num(min(y0, y1))}" width="{_num(abs(x1 - x0))}" '
                   f'height="{_num(abs(y1 - y0))}" preserveAspectRatio="none" '
                   f'clip-path="url(#plot)" opacity="{im.get("opacity", 1)}"/>')
    return out


def _grid(xa, ya, xticks, yticks):
    out = []
    x0, x1 = sorted((xa.p0, xa.p1))
    y0, y1 = sorted((ya.p0, ya.p1))
    for axis, ticks in ((xa, xticks), (ya, yticks)):
        spec = axis.spec
        lines = []
        if spec.get("visible") is False:
            continue
        if spec.get("showgrid", True):
            # none within a pixel of the axis's ends, as plotly.js's Axes.clipEnds leaves them
            lines += [(p, spec.get("gridcolor", GRID_COLOR), spec.get("gridwidth", 1))
                      for p, _ in ticks if 1 < abs(p - axis.p0) < axis.length - 1]
        lo, hi = sorted((axis.lo, axis.hi))
        if spec.get("zeroline", True) and lo <= 0 <= hi:
            lines.append((float(axis.px(0.0)), spec.get("zerolinecolor", GRID_COLOR),
                          spec.get("zerolinewidth", 2)))
        for p, col, w in lines:
            if axis is xa:
                out.append(f'<path d="M{_num(p)},{_num(y0)}V{_num(y1)}" stroke="{col}" '
                           f'stroke-width="{w}"{CRISP}/>')
            else:
                out.append(f'<path d="M{_num(x0)},{_num(p)}H{_num(x1)}" stroke="{col}" '
                           f'stroke-width="{w}"{CRISP}/>')
    return out


def _dash(dash, width):
    """Plotly's dash patterns, which scale with the line width (at least 3 px)."""
    d = max(width, 3)
    pattern = {"solid": None, None: None, "dot": (d, d), "dash": (3 * d, 3 * d),
               "longdash": (5 * d, 5 * d), "dashdot": (3 * d, d, d, d),
               "longdashdot": (5 * d, 2 * d, d, 2 * d)}
    if dash not in pattern:
        raise Unsupported(f"dash {dash!r}")
    p = pattern[dash]
    return "" if p is None else f' stroke-dasharray="{",".join(_num(v) for v in p)}"'


def _shapes(layout, xa, ya):
    out = []
    for s in layout.get("shapes") or ():
        if s.get("type") != "line" or s.get("xref") != "x" or s.get("yref") != "paper" \
                or s.get("x0") != s.get("x1"):
            raise Unsupported("shape other than a vertical line")
        x = float(xa.px(s["x0"]))
        if not min(xa.p0, xa.p1) <= x <= max(xa.p0, xa.p1):
            continue
        y0 = ya.p0 + (ya.p1 - ya.p0) * s.get("y0", 0)
        y1 = ya.p0 + (ya.p1 - ya.p0) * s.get("y1", 1)
        line = s.get("line") or {}
        w = line.get("width", 2)
        out.append(f'<path d="M{_num(x)},{_num(y0)}V{_num(y1)}" '
                   f'stroke="{line.get("color", "#444444")}" stroke-width="{w}"'
                   f'{_dash(line.get("dash"), w)}/>')
    return out


def _finite_runs(px, py):
    """Split a polyline at gaps (NaN): -> [(px, py)] runs of finite points."""
    ok = np.isfinite(px) & np.isfinite(py)
    if ok.all():
        return [(px, py)]
    edges = np.flatnonzero(np.diff(np.r_[0, ok.astype(np.int8), 0]))
    return [(px[a:b], py[a:b]) for a, b in zip(edges[::2], edges[1::2])]


def _thin(px, py):
    """A polyline with many points per pixel column -> first, lowest, highest and last point of
    each column: the same picture (to the pixel) with a few points per column."""
    if len(px) <= 600:
        return px, py
    col = np.floor(px).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
    if len(starts) * 4 >= len(px):
        return px, py
    ends = np.r_[starts[1:], len(px)] - 1
    lo, hi = np.minimum.reduceat(py, starts), np.maximum.reduceat(py, starts)
    xs = np.column_stack([px[starts], px[starts], px[starts], px[ends]]).ravel()
    ys = np.column_stack([py[starts], lo, hi, py[ends]]).ravel()
    return xs, ys


def _values(a):
    if isinstance(a, dict):
        raise Unsupported("typed-array data")
    return np.asarray([np.nan if v is None else v for v in a] if isinstance(a, (list, tuple))
                      else a, dtype=np.float64)


def _trace(trace, xa, ya):
    if trace.get("type", "scatter") != "scatter":
        raise Unsupported(f"{trace.get('type')} trace")
    if trace.get("visible") in (False, "legendonly") or trace.get("x") is None:
        return []
    px, py = xa.px(_values(trace["x"])), ya.px(_values(trace["y"]))
    mode = trace.get("mode") or "lines"
    out = []
    if "lines" in mode:
        line = trace.get("line") or {}
        w = line.get("width", 2)
        d = "".join("M" + "L".join(f"{_num(x)},{_num(y)}" for x, y in zip(*_thin(rx, ry)))
                    for rx, ry in _finite_runs(px, py) if len(rx) > 1)
        opacity = trace.get("opacity")
        fade = f' opacity="{opacity:.3g}"' if opacity is not None and opacity < 1 else ""
        if d:
            out.append(f'<path d="{d}" fill="none" stroke="{line.get("color", "#444444")}" '
                       f'stroke-width="{w}" stroke-linejoin="round"{fade}'
                       f'{_dash(line.get("dash"), w)}/>')
    if "markers" in mode:
        out.append(_markers(trace.get("marker") or {}, px, py))
    if "text" in mode and trace.get("text") is not None:
        out += _point_texts(trace, px, py)
    return out


_TEXT_SIDE = {"middle left": ("end", -1, 0.35), "middle right": ("start", 1, 0.35),
              "top center": ("middle", 0, -0.5), "bottom center": ("middle", 0, 1.2),
              "top right": ("start", 1, -0.5), "bottom right": ("start", 1, 1.2)}


def _point_texts(trace, px, py):
    """`text` beside each point, at `textposition` (Plotly leaves a gap of the marker's
    radius plus 3 px)."""
    where = trace.get("textposition", "middle center")
    if where not in _TEXT_SIDE:
        raise Unsupported(f"textposition {where!r}")
    anchor, dx, dy = _TEXT_SIDE[where]
    font = trace.get("textfont") or {}
    fs = font.get("size", 12)
    gap = _get(trace, "marker.size", 6) / 2 + 3 if "markers" in trace.get("mode", "") else 3
    texts = trace["text"] if isinstance(trace["text"], (list, tuple, np.ndarray)) \
        else [trace["text"]] * len(px)
    color = font.get("color")
    fill = f' fill="{color}"' if isinstance(color, str) else ""
    return [f'<text x="{_num(x + dx * gap)}" y="{_num(y + dy * fs + (0 if dx else dy * gap))}" '
            f'text-anchor="{anchor}" font-size="{fs}"{fill}>{_esc(t)}</text>'
            for x, y, t in zip(px, py, texts) if np.isfinite(x) and np.isfinite(y) and t]


def _symbol(symbol, r):
    """A marker's outline as a path relative to its centre, as Plotly draws it (its size is
    the diameter)."""
    rr, dd = _num(r), _num(2 * r)
    if symbol in (None, "circle"):
        return f"m-{rr},0a{rr},{rr} 0 1,0 {dd},0a{rr},{rr} 0 1,0 -{dd},0z"
    if symbol == "diamond":
        rd = _num(r * 1.3)
        return f"m{rd},0l-{rd},{rd}l-{rd},-{rd}l{rd},-{rd}z"
    if symbol == "square":
        return f"m{rr},{rr}h-{dd}v-{dd}h{dd}z"
    raise Unsupported(f"marker symbol {symbol!r}")


def _markers(marker, px, py):
    fill, size = marker.get("color", "#444444"), marker.get("size", 6)
    if not isinstance(size, (int, float)):
        raise Unsupported("marker sizes per point")
    fills = [fill] * len(px) if isinstance(fill, str) else _scale_colors(marker, fill)
    line = marker.get("line") or {}
    r = size / 2
    shape = _symbol(marker.get("symbol"), r)
    ok = np.isfinite(px) & np.isfinite(py)
    stroke = f'stroke="{line.get("color", "#444444")}" stroke-width="{line.get("width", 0)}"'
    # One path per colour (for most traces one in all): the browser parses and lays out one
    # element, not one per point.
    out = []
    for color in dict.fromkeys(f for f, keep in zip(fills, ok) if keep):
        if color in ("rgba(0,0,0,0)", "transparent") and not line.get("width"):
            continue                                  # hover targets: nothing to see
        d = "".join(f"M{_num(x)},{_num(y)}{shape}"
                    for x, y, f, keep in zip(px, py, fills, ok) if keep and f == color)
        out.append(f'<path fill="{color}" {stroke} d="{d}"/>')
    return "".join(out)


def _scale_colors(marker, values):
    """Per-point colours: `values` on `colorscale` between cmin and cmax, as Plotly maps them
    (linear between the stops, '#RRGGBB')."""
    scale, lo, hi = marker.get("colorscale"), marker.get("cmin"), marker.get("cmax")
    if not scale or lo is None or hi is None or isinstance(values, dict):
        raise Unsupported("marker colours per point without a fixed colour scale")
    v = np.clip((_values(values) - lo) / ((hi - lo) or 1.0), 0.0, 1.0)
    stops = np.array([float(st[0]) for st in scale])
    rgb = np.array([[int(st[1][i:i + 2], 16) for i in (1, 3, 5)] for st in scale], dtype=float)
    channels = [np.interp(np.nan_to_num(v, nan=0.5), stops, rgb[:, c]) for c in range(3)]
    return ["#" + "".join(f"{round(c):02X}" for c in px) for px in zip(*channels)]


def _inside(ticks, horizontal, size, width, height):
    """The ticks whose label fits in the picture (Plotly hides the others)."""
    if horizontal:
        return [(p, t) for p, t in ticks
                if p - len(t) * CHAR_WIDTH * size / 2 >= 0
                and p + len(t) * CHAR_WIDTH * size / 2 <= width]
    return [(p, t) for p, t in ticks if p - size / 2 >= 0 and p + size / 2 <= height]


def _axes(xa, ya, xticks, yticks, size, width, height):
    out = []
    y_bottom, x_left = max(ya.p0, ya.p1), min(xa.p0, xa.p1)
    tick_font = size
    for axis, ticks in ((xa, xticks), (ya, yticks)):
        spec = axis.spec
        if spec.get("visible") is False:
            continue
        ticklen = spec.get("ticklen", 5) if spec.get("ticks") in ("outside", "inside") else 0
        sign = 1 if spec.get("ticks") == "outside" else -1
        if ticklen:
            if axis is xa:
                d = "".join(f"M{_num(p)},{_num(y_bottom)}v{sign * ticklen}" for p, _ in ticks)
            else:
                d = "".join(f"M{_num(x_left)},{_num(p)}h{-sign * ticklen}" for p, _ in ticks)
            out.append(f'<path d="{d}" stroke="{spec.get("tickcolor", TICK_COLOR)}" '
                       f'stroke-width="{spec.get("tickwidth", 1)}"{CRISP}/>')
        pad = (ticklen if sign == 1 else 0) + TICK_PAD
        ticks = _inside(ticks, axis is xa, tick_font, width, height)
        if axis is xa:
            out += [f'<text x="{_num(p)}" y="{_num(y_bottom + pad + 0.8 * tick_font)}" '
                    f'text-anchor="middle">{_esc(t)}</text>' for p, t in ticks if t]
        else:
            out += [f'<text x="{_num(x_left - pad)}" y="{_num(p + 0.35 * tick_font)}" '
                    f'text-anchor="end">{_esc(t)}</text>' for p, t in ticks if t]
        title = _get(spec, "title.text")
        if title:
            standoff = _get(spec, "title.standoff", 15)
            fs = _get(spec, "title.font.size", round(1.2 * size))   # Plotly's default
            if axis is xa:
                y = y_bottom + pad + tick_font + standoff + 0.8 * fs
                out.append(f'<text x="{_num((xa.p0 + xa.p1) / 2)}" y="{_num(y)}" '
                           f'text-anchor="middle" font-size="{fs}">{_esc(title)}</text>')
            else:
                widest = max((len(t) for _, t in ticks), default=0) * CHAR_WIDTH * tick_font
                x = x_left - pad - widest - standoff - 0.25 * fs
                y = (ya.p0 + ya.p1) / 2
                out.append(f'<text transform="translate({_num(x)},{_num(y)}) rotate(-90)" '
                           f'text-anchor="middle" font-size="{fs}">{_esc(title)}</text>')
    return out


def _annotations(layout, xa, ya, size):
    """Notes at (x, paper y) or (x, y) in data units, shifted by xshift/yshift px; "<br>"
    starts a new line (Plotly's text markup; no other markup is drawn)."""
    out, width = [], _get(layout, "width")
    for note in layout.get("annotations") or ():
        if note.get("xref") != "x" or note.get("yref") not in ("paper", "y") \
                or note.get("showarrow", True):
            raise Unsupported("annotation other than a note at (x, paper or data y)")
        x = float(xa.px(note["x"])) + note.get("xshift", 0)
        if not (0 <= x <= (width or max(xa.p0, xa.p1) + 200)):
            continue
        fs = _get(note, "font.size", size)
        if note.get("yref") == "paper":
            y = ya.p0 + (ya.p1 - ya.p0) * note.get("y", 0.5)
        else:
            y = float(ya.px(note["y"]))
        lines = str(note["text"]).split("<br>")
        y -= note.get("yshift", 0)
        if note.get("yanchor") == "top":
            y += 0.8 * fs
        elif note.get("yanchor") == "bottom":
            y -= 0.25 * fs + 1.2 * fs * (len(lines) - 1)
        else:
            y -= 0.25 * fs
        anchor = {"left": "start", "right": "end"}.get(note.get("xanchor"), "middle")
        spans = _esc(lines[0]) if len(lines) == 1 else "".join(
            f'<tspan x="{_num(x)}" dy="{0 if i == 0 else _num(1.2 * fs)}">{_esc(line)}</tspan>'
            for i, line in enumerate(lines))
        out.append(f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" font-size="{fs}" '
                   f'fill="{_get(note, "font.color", TEXT_COLOR)}">{spans}</text>')
    return out


def _legend(layout, data, top, left, size):
    """Plotly's horizontal legend above the plot area (orientation "h", y = 1 of the area,
    anchored at the bottom; where a square plot is narrower or shorter than its area, the
    legend stays at the area's top): a 40 px sample of each trace's line or marker, then its
    name."""
    shown = [t for t in data if t.get("showlegend", True) is not False and t.get("name")
             and t.get("visible", True) is not False]
    if layout.get("showlegend") is False or len(shown) < 2 and not layout.get("showlegend"):
        return []
    legend = layout.get("legend") or {}
    if legend.get("orientation") != "h":
        raise Unsupported("vertical legend")
    fs = _get(legend, "font.size", size)
    x = left
    y = top - 0.9 * fs
    out = []
    for t in shown:
        mode = t.get("mode") or "lines"
        if "lines" in mode:
            line = t.get("line") or {}
            w = min(line.get("width", 2), 5)
            out.append(f'<path d="M{_num(x + 5)},{_num(y)}h30" stroke="{line.get("color")}" '
                       f'stroke-width="{w}"{_dash(line.get("dash"), w)}/>')
        if "markers" in mode:
            m = t.get("marker") or {}
            out.append(_markers({**m, "size": min(m.get("size", 6), 16)},
                                np.array([x + 20.0]), np.array([y])))
        out.append(f'<text x="{_num(x + 40)}" y="{_num(y + 0.35 * fs)}" '
                   f'font-size="{fs}">{_esc(t["name"])}</text>')
        x += 40 + len(str(t["name"])) * LEGEND_CHAR * fs + 5
    return out
