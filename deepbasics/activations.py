"""Activation functions by Keras name. Each takes and returns a ``Tensor``.

``get('relu')`` resolves a name (or a callable, or None for linear). softmax and sigmoid
remember their logits (``_keras_logits``) so a cross-entropy loss can use the fused, stable
gradient ``p - y``, as Keras's TensorFlow backend does.
"""
from deepbasics import ops
from deepbasics.registry import resolve


def linear(x):
    """y = x;  dy/dx = 1."""
    return x


def relu(x):
    """y = max(x, 0);  dy/dx = 1[x > 0]."""
    return ops.relu(x)


def sigmoid(x):
    """y = 1 / (1 + e^-x);  dy/dx = y (1 - y)."""
    y = ops.sigmoid(x)
    y._keras_logits = x
    return y


def tanh(x):
    """y = tanh x;  dy/dx = 1 - y^2."""
    return ops.tanh(x)


def softmax(x, axis=-1):
    """y_i = e^x_i / sum_j e^x_j over ``axis``."""
    y = ops.softmax(x, axis)
    if axis in (-1, x.ndim - 1):
        y._keras_logits = x
    return y


def log_softmax(x, axis=-1):
    """y = x - log sum exp x over ``axis``."""
    return ops.log_softmax(x, axis)


ALL_ACTIVATIONS = {
    "linear": linear,
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
    "log_softmax": log_softmax,
}


def get(identifier):
    """An activation function from a Keras name, a callable, or None (linear)."""
    if identifier is None:
        return linear
    if callable(identifier) and not isinstance(identifier, str):
        return identifier
    if isinstance(identifier, str):
        return resolve(identifier, "activation function", ALL_ACTIVATIONS)
    raise TypeError(f"Could not interpret activation function identifier: {identifier!r}")


def serialize(activation):
    """The Keras name of an activation function (its ``__name__``)."""
    for name, fn in ALL_ACTIVATIONS.items():
        if fn is activation:
            return name
    return getattr(activation, "__name__", str(activation))
