"""``Dense``: y = activation(x W + b), the fully connected layer."""
import numpy as np

from deepbasics import activations, constraints, initializers, ops, regularizers
from deepbasics.layers.layer import Layer


# activations the Linear op applies itself (one node); sigmoid and softmax stay separate nodes
# so that losses can find their logits
_FUSED = {activations.relu: "relu", activations.tanh: "tanh", activations.linear: None}


class Dense(Layer):
    """A fully connected layer: ``kernel`` of shape (input_dim, units), ``bias`` of (units,).

    >>> from deepbasics.layers import Dense
    >>> layer = Dense(64, activation="relu")
    >>> layer.build((None, 784)); layer.kernel.shape
    (784, 64)
    """

    _single_input = True

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, lora_rank=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(
                f"Received an invalid value for `units`, expected a positive integer. Received: units={units!r}")
        if lora_rank is not None:
            raise ValueError(f"Dense: `lora_rank` is not supported in deepbasics; received lora_rank={lora_rank!r}.")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = self.bias = None

    def build(self, input_shape):
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"Dense {self.name!r}: the last axis of the input must be known, received shape {input_shape}.")
        self.kernel = self.add_weight((in_dim, self.units), self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight((self.units,), self.bias_initializer, name="bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def call(self, x):
        if x.data.shape[-1] != self.kernel.data.shape[0]:
            raise ValueError(
                f"Input 0 of layer {self.name!r} is incompatible with the layer: expected last axis "
                f"of size {self.kernel.shape[0]}, received input with shape {x.shape}.")
        if self.activation in _FUSED:
            return ops.linear(x, self.kernel, self.bias, activation=_FUSED[self.activation])
        return self.activation(ops.linear(x, self.kernel, self.bias))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
