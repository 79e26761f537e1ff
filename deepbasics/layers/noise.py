"""GaussianNoise and Lambda: layers around a function of the input."""
import numpy as np

from deepbasics import backend
from deepbasics.layers.layer import Layer


class GaussianNoise(Layer):
    """Adds N(0, stddev^2) noise in training (a regulariser); the identity at inference."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not stddev >= 0:
            raise ValueError(f"`stddev` must be >= 0, received stddev={stddev!r}")
        self.stddev, self.seed = float(stddev), seed
        self._rng = None if seed is None else np.random.default_rng(seed)

    def call(self, x, training=None):
        if not training or self.stddev == 0:
            return x
        noise = (self._rng or backend.rng()).normal(0.0, self.stddev, x.shape).astype(x.dtype)
        return x + noise

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class Lambda(Layer):
    """Runs ``function(x)`` on Tensors (use ``deepbasics.ops`` inside to stay differentiable).

    Its config names the function but never holds its code: loading a model never runs code.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda needs a callable `function`, received {function!r}")
        if mask is not None:
            raise ValueError("Lambda: `mask` is not supported.")
        self.function, self.arguments = function, dict(arguments or {})
        self._declared_output_shape = output_shape

    def call(self, x):
        return self.function(x, **self.arguments)

    def compute_output_shape(self, input_shape):
        if self._declared_output_shape is not None:
            shape = self._declared_output_shape
            return tuple(shape(input_shape)) if callable(shape) else (input_shape[0],) + tuple(shape)
        from deepbasics.autodiff import Tensor, no_grad

        probe = np.zeros((1,) + tuple(1 if d is None else d for d in input_shape[1:]), dtype=self.dtype)
        with no_grad():
            out = self.call(Tensor(probe))
        return (input_shape[0],) + tuple(out.shape[1:])

    def get_config(self):
        shape = self._declared_output_shape
        return {**super().get_config(), "function": getattr(self.function, "__name__", repr(self.function)),
                "output_shape": None if shape is None or callable(shape) else list(shape),
                "arguments": dict(self.arguments)}

    @classmethod
    def from_config(cls, config):
        raise ValueError("A Lambda layer is never rebuilt from its config: that would mean running stored "
                         "code. Re-create it in Python with the same function.")
