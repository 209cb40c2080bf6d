"""Training curves: what gradient descent did over t. The loss and the accuracy, each layer's
gradient, the loss surface around θ, and θ at any earlier t, one view at a time."""

from ffnn.app import page
from ffnn.app.screens import curves, gradients, landscape, rewind

SCREENS = {"Loss and accuracy": curves, "Gradients per layer": gradients,
           "Loss landscape": landscape, "Rewind": rewind}

page.show_views("Training curves", SCREENS, key="curves_view")
