"""Merge layers: combine a list of same-shaped tensors (Add, Multiply, ...) or join them (Concatenate)."""
from deepbasics import ops
from deepbasics.layers.layer import Layer


class _Merge(Layer):
    """Base: ``call`` gets a list of at least two tensors of one shape (broadcasting allowed)."""

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(f"A `{type(self).__name__}` layer should be called on a list of at least 2 inputs. "
                             f"Received: input_shape={input_shape}")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def call(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = self.combine(out, x)
        return self.finish(out, len(inputs))

    def finish(self, out, n):
        return out


class Add(_Merge):
    """y = x1 + x2 + ..."""

    def combine(self, a, b):
        return a + b


class Subtract(_Merge):
    """y = x1 - x2 (exactly two inputs)."""

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. Received: {input_shape}")

    def combine(self, a, b):
        return a - b


class Multiply(_Merge):
    """y = x1 * x2 * ..."""

    def combine(self, a, b):
        return a * b


class Average(Add):
    """y = (x1 + x2 + ...) / n"""

    def finish(self, out, n):
        return out * (1.0 / n)


class Maximum(_Merge):
    """y = elementwise max."""

    def combine(self, a, b):
        return ops.maximum(a, b)


class Minimum(_Merge):
    """y = elementwise min."""

    def combine(self, a, b):
        return ops.minimum(a, b)


class Concatenate(Layer):
    """Joins the inputs along ``axis`` (the last by default)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(f"A `Concatenate` layer should be called on a list of at least 2 inputs. "
                             f"Received: input_shape={input_shape}")
        ranks = {len(s) for s in input_shape}
        if len(ranks) != 1:
            raise ValueError(f"A `Concatenate` layer requires inputs of one rank, received shapes {input_shape}")
        axis = self.axis % len(input_shape[0])
        for s in input_shape[1:]:
            if any(a != b and None not in (a, b) for i, (a, b) in enumerate(zip(s, input_shape[0])) if i != axis):
                raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes except for the "
                                 f"concatenation axis. Received: input_shape={input_shape}")

    def compute_output_shape(self, input_shape):
        axis = self.axis % len(input_shape[0])
        sizes = [s[axis] for s in input_shape]
        out = list(input_shape[0])
        out[axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def call(self, inputs):
        return ops.concatenate(inputs, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)
