"""``Input`` and ``InputLayer``: declare the shape a model takes."""
import numpy as np

from deepbasics import backend
from deepbasics.layers.layer import Layer
from deepbasics.layers.symbolic import KerasTensor, Node


class InputLayer(Layer):
    """The entry of a model: passes its input through, declares ``batch_shape``."""

    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None,
                 input_shape=None, **kwargs):
        if shape is None and input_shape is not None:  # Keras 2 spelling
            shape = input_shape
        if batch_shape is None:
            if shape is None:
                raise ValueError("InputLayer needs `shape` (for example shape=(784,)) or `batch_shape`.")
            if isinstance(shape, (int, np.integer)):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        super().__init__(name=name, dtype=dtype, batch_input_shape=tuple(batch_shape), **kwargs)
        self.batch_shape = tuple(batch_shape)
        self._input_shape = self._output_shape = self.batch_shape
        self.built = True

    def call(self, x):
        return x

    def get_config(self):
        return {"batch_shape": self.batch_shape, "dtype": self.dtype, "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, batch_shape=None, name=None):  # noqa: N802 - Keras's name
    """A symbolic input of ``shape`` (without the batch axis): ``Input(shape=(784,))``."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape, name=name)
    node = Node(layer, ())
    node.outputs = KerasTensor(layer.batch_shape, dtype or backend.floatx(), node)
    return node.outputs
