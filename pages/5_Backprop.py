"""Backpropagation: how ∇θ is computed, for one training point step by step, or unit by unit
over the whole input plane."""

from ffnn.app import page
from ffnn.app.screens import backprop, neurons

SCREENS = {"Step by step": backprop, "Per hidden unit": neurons}

page.show_views("Backpropagation", SCREENS, key="backprop_view")
