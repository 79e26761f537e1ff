"""Activation functions by Keras name. Each takes and returns a ``Tensor``.

``get('relu')`` resolves a name (or a callable, or None for linear). softmax and sigmoid
remember their logits (``_keras_logits``) so a cross-entropy loss can use the fused, stable
gradient ``p - y``, as Keras's TensorFlow backend does.
"""
from deepbasics import ops
from deepbasics.ops import activation as act
from deepbasics.registry import resolve


def linear(x):
    """y = x;  dy/dx = 1."""
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """y = max(x, 0);  dy/dx = 1[x > 0]. Keras's options: a slope below ``threshold``, a cap."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ops.relu(x)
    return act.GeneralReLU(negative_slope, max_value, threshold)(x)


def relu6(x):
    """y = min(max(x, 0), 6)."""
    return act.GeneralReLU(0.0, 6.0, 0.0)(x)


def leaky_relu(x, negative_slope=0.2):
    """y = x if x > 0 else a x (Keras's function default a = 0.2; the layer's is 0.3)."""
    return act.LeakyReLU(negative_slope)(x)


def step(x):
    """The course's step function: y = 1[x > 0]. Its derivative is 0: not trainable by gradients."""
    return act.Threshold("step")(x)


def sign(x):
    """The course's sign function: y = -1, 0 or 1. Its derivative is 0: not trainable by gradients."""
    return act.Threshold("sign")(x)


def elu(x, alpha=1.0):
    """y = x if x > 0 else alpha (e^x - 1)."""
    return act.ELU(alpha)(x)


SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def selu(x):
    """y = scale * elu(x, alpha) with Keras's self-normalising constants."""
    return act.ELU(SELU_ALPHA, SELU_SCALE)(x)


def softplus(x):
    """y = log(1 + e^x)."""
    return act.Softplus()(x)


def softsign(x):
    """y = x / (1 + |x|)."""
    return act.Softsign()(x)


def silu(x):
    """y = x sigmoid(x) (also called swish)."""
    return act.Swish()(x)


swish = silu


def gelu(x, approximate=False):
    """y = x Phi(x), Phi the standard normal CDF (tanh approximation when ``approximate``)."""
    return act.GELU(approximate)(x)


def hard_sigmoid(x):
    """Keras 3: y = clip(x / 6 + 1/2, 0, 1)."""
    return act.HardSigmoid()(x)


def hard_silu(x):
    """y = x hard_sigmoid(x) (also called hard_swish)."""
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def exponential(x):
    """y = e^x."""
    return ops.exp(x)


def mish(x):
    """y = x tanh(softplus(x))."""
    return x * ops.tanh(softplus(x))


def log_sigmoid(x):
    """y = log sigmoid(x) = -softplus(-x)."""
    return -softplus(-x)


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


ALL_ACTIVATIONS = {fn.__name__: fn for fn in (
    linear, relu, relu6, leaky_relu, step, sign, sigmoid, hard_sigmoid, tanh, elu, selu, softplus,
    softsign, silu, gelu, hard_silu, exponential, mish, log_sigmoid, softmax, log_softmax)}
ALL_ACTIVATIONS.update({"swish": silu, "hard_swish": hard_silu})


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
    if getattr(activation, "__name__", None) in ALL_ACTIVATIONS:
        return activation.__name__
    return getattr(activation, "__name__", str(activation))
