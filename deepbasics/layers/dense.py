"""``Dense``: y = activation(x W + b), the fully connected layer."""
import numpy as np

from deepbasics import activations, initializers, ops
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

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, lora_rank=None,
                 **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(
                f"Received an invalid value for `units`, expected a positive integer. Received: units={units!r}")
        for arg, value in [("kernel_regularizer", kernel_regularizer), ("bias_regularizer", bias_regularizer),
                           ("activity_regularizer", activity_regularizer), ("kernel_constraint", kernel_constraint),
                           ("bias_constraint", bias_constraint), ("lora_rank", lora_rank)]:
            if value is not None:
                raise ValueError(f"Dense: `{arg}` is not supported yet in deepbasics; received {arg}={value!r}.")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel = self.bias = None

    def build(self, input_shape):
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"Dense {self.name!r}: the last axis of the input must be known, received shape {input_shape}.")
        self.kernel = self.add_weight((in_dim, self.units), self.kernel_initializer, name="kernel")
        if self.use_bias:
            self.bias = self.add_weight((self.units,), self.bias_initializer, name="bias")

    def call(self, x):
        if x.shape[-1] != self.kernel.shape[0]:
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
        }
