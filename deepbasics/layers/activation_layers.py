"""Activation layers with arguments: ReLU, LeakyReLU, ELU, PReLU, Softmax."""
import warnings

from deepbasics import activations, initializers, ops
from deepbasics.layers.layer import Layer


class ReLU(Layer):
    """Keras's ReLU layer: ``max_value`` cap, ``negative_slope`` below ``threshold``."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f"`max_value` of a ReLU layer cannot be negative, received max_value={max_value!r}")
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"`negative_slope` of a ReLU layer must be >= 0, received negative_slope={negative_slope!r}")
        if threshold is None or threshold < 0:
            raise ValueError(f"`threshold` of a ReLU layer must be >= 0, received threshold={threshold!r}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, x):
        return activations.relu(x, self.negative_slope, self.max_value, self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer):
    """y = x if x > 0 else negative_slope x, Keras's layer default slope 0.3 (``alpha`` is Keras 2's name)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            warnings.warn("LeakyReLU: argument `alpha` is deprecated. Use `negative_slope` instead.",
                          DeprecationWarning, stacklevel=2)
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"`negative_slope` of a LeakyReLU layer must be >= 0, received {negative_slope!r}")
        self.negative_slope = negative_slope

    def call(self, x):
        return activations.leaky_relu(x, self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(Layer):
    """y = x if x > 0 else alpha (e^x - 1)."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, x):
        return activations.elu(x, self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(Layer):
    """y = max(x, 0) - alpha max(-x, 0), ``alpha`` learned per feature (shared over ``shared_axes``)."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        if alpha_regularizer is not None or alpha_constraint is not None:
            raise ValueError("PReLU: `alpha_regularizer` and `alpha_constraint` are not supported yet.")
        self.alpha_initializer = initializers.get(alpha_initializer)
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else list(shared_axes)

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            shape[axis - 1] = 1
        self.alpha = self.add_weight(tuple(shape), self.alpha_initializer, name="alpha")

    def call(self, x):
        return ops.relu(x) - self.alpha * ops.relu(-x)

    def get_config(self):
        return {**super().get_config(), "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "shared_axes": self.shared_axes}


class Softmax(Layer):
    """y = softmax(x) over ``axis``."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, x):
        return activations.softmax(x, self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
