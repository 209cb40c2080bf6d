"""ffnn: the lecture's feedforward network and gradient descent, in NumPy with backprop by hand.

    from ffnn import Network, Trainer
    ffnn.datasets.make_dataset("spiral")    # the data sets, as the README uses them
"""

from . import datasets
from .activations import ACTIVATIONS
from .gradcheck import gradient_check
from .init import INITS
from .losses import LOSSES, OUTPUTS
from .network import Network
from .optimizers import OPTIMIZERS
from .trainer import Divergence, Trainer

__all__ = ["ACTIVATIONS", "INITS", "LOSSES", "OPTIMIZERS", "OUTPUTS", "Divergence", "Network",
           "Trainer", "datasets", "gradient_check"]
