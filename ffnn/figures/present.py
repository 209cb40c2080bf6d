"""Presentation mode for a projector: large type, thick lines, large markers, same colours
(the palette is already colour-blind safe). Applied to any built figure."""

FONT_SIZE = 20
LINE_SCALE = 2.0
MARKER_SCALE = 1.6


def _scaled(value, factor, default):
    if value is None:
        return default * factor
    if isinstance(value, (int, float)):
        return value * factor
    try:                                   # an array of sizes (the neurons' δ dots, say)
        return [v * factor for v in value]
    except TypeError:
        return value


def for_projector(fig, max_height=None):
    """The figure with a 20 px base font, lines twice as thick, markers 1.6x as large, and its
    height capped (so it fits a 1280x720 screen without scrolling). Changes `fig` in place."""
    layout = fig.layout
    if layout.meta == "projector":          # already scaled (a figure reused between frames)
        return fig
    layout.meta = "projector"
    layout.font.size = FONT_SIZE
    if layout.legend is not None:
        layout.legend.font.size = FONT_SIZE - 4
    for note in layout.annotations or ():
        note.font.size = max(note.font.size or 0, FONT_SIZE - 4)
    # Large type needs room that the fixed margins (chosen for 12 px) do not leave: let Plotly
    # fit them again, as on a projector one redraw costs less than a cut-off label.
    layout.margin.autoexpand = True
    for name in layout:
        if name.startswith(("xaxis", "yaxis")) and layout[name] is not None:
            layout[name].automargin = True
            if name.startswith("yaxis"):     # clear of the x axis's first label in the corner
                layout[name].ticklabelstandoff = 8
    if max_height and (layout.height or 0) > max_height:
        layout.height = max_height
    for trace in fig.data:
        line = getattr(trace, "line", None)
        if line is not None and trace.type == "scatter":
            line.width = _scaled(line.width, LINE_SCALE, 2)
        marker = getattr(trace, "marker", None)
        if marker is not None and trace.type == "scatter" and "markers" in (trace.mode or ""):
            marker.size = _scaled(marker.size, MARKER_SCALE, 6)
    return fig
