"""How far apart the class colours stay for colour-blind students: CIEDE2000 ΔE between every
pair of ffnn.figures.palette.CLASS_COLORS (on white, as the points are drawn), for normal
vision and simulated protanopia, deuteranopia and tritanopia (Machado, Oliveira and Fernandes,
2009, severity 1), for each number of classes the app offers. Prints the closest pair.

    pip install colour-science && python bench/palette_cvd.py

ΔE ≈ 2 is a just-noticeable difference between patches side by side; markers a few pixels wide
need more. The points also carry one marker shape per class (palette.CLASS_SYMBOLS), so
colour is never the only cue.
"""

import itertools
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
warnings.filterwarnings("ignore")

import colour

from ffnn.figures.palette import CLASS_COLOR_NAMES, CLASS_COLORS, rgb

VISIONS = ("normal", "Protanomaly", "Deuteranomaly", "Tritanomaly")
NAMES = {"normal": "normal", "Protanomaly": "protanopia", "Deuteranomaly": "deuteranopia",
         "Tritanomaly": "tritanopia"}


def lab(colors, vision):
    """colors '#RRGGBB' -> CIE L*a*b* (D65) as seen with `vision` (Machado 2009 on linear RGB)."""
    srgb = np.array([rgb(c) for c in colors], dtype=float) / 255
    linear = colour.cctf_decoding(srgb, function="sRGB")
    if vision != "normal":
        M = colour.blindness.matrix_cvd_Machado2009(vision, 1.0)
        linear = np.clip(linear @ M.T, 0, 1)
    xyz = colour.RGB_to_XYZ(linear, colour.RGB_COLOURSPACES["sRGB"], apply_cctf_decoding=False)
    return colour.XYZ_to_Lab(xyz)


def closest(colors, vision):
    """(ΔE, i, j): the closest pair among `colors` under `vision`."""
    L = lab(colors, vision)
    return min((float(colour.delta_E(L[i], L[j], method="CIE 2000")), i, j)
               for i, j in itertools.combinations(range(len(colors)), 2))


def main():
    print("closest pair of class colours, CIEDE2000 ΔE (classes i and j)")
    print("classes  " + "  ".join(f"{NAMES[v]:>22}" for v in VISIONS))
    for k in range(2, len(CLASS_COLORS) + 1):
        cells = []
        for v in VISIONS:
            d, i, j = closest(CLASS_COLORS[:k], v)
            cells.append(f"{d:5.1f} ({CLASS_COLOR_NAMES[i][:8]}/{CLASS_COLOR_NAMES[j][:8]})")
        print(f"{k:>7}  " + "  ".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
