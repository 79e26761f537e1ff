"""Layers that move values around: Reshape, Permute, RepeatVector."""
import math

from deepbasics import ops
from deepbasics.layers.layer import Layer


class Reshape(Layer):
    """(batch, ...) -> (batch,) + target_shape; one entry may be -1 (inferred)."""

    _single_input = True

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        if sum(1 for d in target_shape if d == -1) > 1 or any(d == 0 or d < -1 for d in target_shape):
            raise ValueError(f"`target_shape` may hold positive sizes and at most one -1, received {target_shape}")
        self.target_shape = target_shape

    def compute_output_shape(self, input_shape):
        known = math.prod(d for d in input_shape[1:]) if None not in input_shape[1:] else None
        shape = list(self.target_shape)
        if -1 in shape:
            rest = math.prod(d for d in shape if d != -1)
            shape[shape.index(-1)] = None if known is None else known // rest
        elif known is not None and math.prod(shape) != known:
            raise ValueError(f"Reshape {self.name!r}: cannot reshape {input_shape[1:]} ({known} values) into "
                             f"{self.target_shape} ({math.prod(shape)} values).")
        return (input_shape[0],) + tuple(shape)

    def call(self, x):
        return ops.reshape(x, (x.shape[0],) + self.target_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permutes the non-batch axes: ``dims`` is 1-based, as in Keras (``Permute((2, 1))``)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` {dims}: expected a permutation of "
                             f"{tuple(range(1, len(dims) + 1))} (axis 0, the batch, stays put).")
        self.dims = dims

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def call(self, x):
        return ops.transpose(x, (0,) + self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or n <= 0:
            raise ValueError(f"`n` must be a positive integer, received n={n!r}")
        self.n = n

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, x):
        if x.ndim != 2:
            raise ValueError(f"RepeatVector expects a 2-D input (batch, features), received shape {x.shape}")
        return ops.concatenate([ops.reshape(x, (x.shape[0], 1, x.shape[1]))] * self.n, axis=1)

    def get_config(self):
        return {**super().get_config(), "n": self.n}
