"""Plotly figure builders: arrays and the trainer's history in, a go.Figure out (no Streamlit)."""

from ._layout import sub
from .boundary import decision_boundary
from .curves import accuracy_curves, loss_curves
from .gradients import (
    bias_label,
    gradient_bars,
    gradient_norms,
    matrix_heatmaps,
    shape_label,
    update_ratio,
)
from .palette import (
                      CLASS_COLORS,
                      DIVERGING,
                      LAYER_COLORS,
                      SIGN_COLORS,
                      SPLIT_COLORS,
                      class_color,
                      layer_color,
)
from .params import network_graph, param_heatmaps

__all__ = ["CLASS_COLORS", "DIVERGING", "LAYER_COLORS", "SIGN_COLORS", "SPLIT_COLORS",
           "accuracy_curves", "bias_label", "class_color", "decision_boundary",
           "gradient_bars", "gradient_norms", "layer_color", "loss_curves", "matrix_heatmaps",
           "network_graph",
           "param_heatmaps", "shape_label", "sub", "update_ratio"]
