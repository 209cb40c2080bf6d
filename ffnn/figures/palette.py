"""The colours every page uses the same way: layers, classes, weight signs, train and test."""

import functools

# Paul Tol's "muted" scheme (colour-blind safe), darkest first so layers 1-3 differ most.
LAYER_COLORS = ("#332288", "#CC6677", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933",
                "#AA4499", "#DDCC77")

# Binary sets: class 0 orange, class 1 blue (Okabe-Ito), as in TensorFlow Playground. Each next
# colour is the one farthest (CIEDE2000) from those before it under normal vision, protanopia,
# deuteranopia and tritanopia at once: classes 2-5 from Paul Tol's schemes, 6-7 from a grid of
# sRGB. bench/palette_cvd.py prints the closest pair for each number of classes.
CLASS_COLORS = ("#E69F00", "#0072B2", "#663333", "#88CCEE", "#222255", "#CC3311", "#BBCC99",
                "#AA6677")

# Each class's marker shape too (colour is never the only cue), as Plotly names them; the live
# stage draws the same shapes (ffnn/app/stage.js). A test point has a thicker, darker outline.
CLASS_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "triangle-down", "cross",
                 "star", "x")
POINT_OUTLINE = {"train": ("#222222", 0.8), "test": ("#000000", 2.0)}

# The classes' colours in words, for text alternatives ("class 1 (blue)")
CLASS_COLOR_NAMES = ("orange", "blue", "dark brown", "pale sky blue", "navy", "red",
                     "sage green", "dusty rose")

# A weight's sign, as in Playground: positive blue, negative orange (Okabe-Ito shades).
SIGN_COLORS = {"positive": "#0072B2", "negative": "#E69F00"}

# Diverging scale centred at 0 (use it with cmin = -cmax): negative orange, 0 white, positive blue.
DIVERGING = ((0.0, SIGN_COLORS["negative"]), (0.5, "#F7F7F7"), (1.0, SIGN_COLORS["positive"]))

SPLIT_COLORS = {"train": "#222222", "test": "#D55E00"}
SPLIT_SYMBOLS = {"train": "circle", "test": "diamond"}

INPUT_COLOR = "#BBBBBB"  # input units carry no bias
FONT = {"size": 12}


def layer_color(l):
    """The colour of layer l (1-based, like the lecture)."""
    return LAYER_COLORS[(l - 1) % len(LAYER_COLORS)]


def class_color(c):
    """The colour of class c (0-based, like the labels)."""
    return CLASS_COLORS[c % len(CLASS_COLORS)]


def class_symbol(c):
    """The marker shape of class c."""
    return CLASS_SYMBOLS[c % len(CLASS_SYMBOLS)]


def mix(color, other="#FFFFFF", t=0.5):
    """'#RRGGBB' moved a fraction t of the way to `other` -> '#RRGGBB'."""
    a, b = rgb(color), rgb(other)
    return "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(a, b))


def rgb(color):
    """'#RRGGBB' -> (r, g, b), each 0..255."""
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


def luminance(color):
    """WCAG relative luminance of '#RRGGBB'."""
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b="#FFFFFF"):
    """WCAG contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@functools.lru_cache(maxsize=256)
def on_white(color, ratio=4.5):
    """`color`, darkened toward black just enough for text on white (WCAG AA: 4.5:1)."""
    t = 0.0
    while contrast(mix(color, "#000000", t)) < ratio:
        t += 0.02
    return mix(color, "#000000", t)
