"""deepbasics: deep learning from first principles, in NumPy, with Keras's API.

>>> import deepbasics
>>> model = deepbasics.Sequential([deepbasics.layers.Dense(1, input_dim=3)])
>>> model.count_params()
4
"""
from deepbasics import backend, ops  # ops first: it gives Tensor its operators
from deepbasics import activations, constraints, initializers, losses, metrics, optimizers, regularizers
from deepbasics import callbacks, layers, models, utils
from deepbasics import datasets, saving  # saving imports h5py only when a file is read or written
from deepbasics.autodiff import Tensor, Variable, no_grad
from deepbasics.layers import Input
from deepbasics.models import Model, Sequential

__version__ = "0.1.0"

__all__ = ["Input", "Model", "Sequential", "Tensor", "Variable", "activations", "backend", "callbacks",
           "constraints", "datasets", "initializers", "layers", "losses", "metrics", "models", "no_grad", "ops",
           "optimizers", "regularizers", "saving", "utils"]
