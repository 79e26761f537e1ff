"""Small layers without weights: Activation and Flatten."""
import math

from deepbasics import activations, ops
from deepbasics.layers.dense import Dense  # noqa: F401 - Keras 2's path keras.layers.core.Dense
from deepbasics.layers.dropout import Dropout  # noqa: F401 - keras.layers.core.Dropout
from deepbasics.layers.layer import Layer


class Activation(Layer):
    """Applies an activation function: ``Activation('relu')``."""

    _single_input = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, x):
        return self.activation(x)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)."""

    _single_input = True

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"Flatten: only data_format='channels_last' is supported, received {data_format!r}")
        self.data_format = data_format

    def call(self, x):
        return ops.reshape(x, (x.shape[0], -1)) if x.ndim != 2 else x

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
