"""Keras's activation functions as ONNX nodes, each with Keras's constants spelled out
(ONNX's defaults differ: LeakyRelu's slope is 0.01 there, 0.2 in ``keras.activations``;
HardSigmoid's slope 0.2 there, 1/6 in Keras 3)."""
import math

from onnx import helper

from deepbasics import activations
from deepbasics.export.onnx_graph import layer_error


def _unary(op_type, **attributes):
    return lambda g, x, hint: g.op(op_type, [x.name], hint, **attributes)


def _silu(g, x, hint):
    """x sigmoid(x)."""
    return g.op("Mul", [x.name, g.op("Sigmoid", [x.name], hint)], hint)


def _step(g, x, hint):
    positive = g.op("Greater", [x.name, g.weight(0.0, f"{hint}/zero")], hint)
    return g.op("Cast", [positive], hint, to=helper.np_dtype_to_tensor_dtype(g.dtype))


def _relu6(g, x, hint):
    return g.op("Clip", [x.name, g.weight(0.0, f"{hint}/min"), g.weight(6.0, f"{hint}/max")], hint)


def _gelu(g, x, hint):
    """0.5 x (1 + erf(x / sqrt 2)); ONNX's Gelu op needs opset 20."""
    scaled = g.op("Mul", [x.name, g.weight(1.0 / math.sqrt(2.0), f"{hint}/inv_sqrt2")], hint)
    one_plus = g.op("Add", [g.op("Erf", [scaled], hint), g.weight(1.0, f"{hint}/one")], hint)
    return g.op("Mul", [g.op("Mul", [x.name, one_plus], hint), g.weight(0.5, f"{hint}/half")], hint)


def _mish(g, x, hint):
    """x tanh(softplus(x)); ONNX's Mish op needs opset 18."""
    return g.op("Mul", [x.name, g.op("Tanh", [g.op("Softplus", [x.name], hint)], hint)], hint)


def _log_sigmoid(g, x, hint):
    """log sigmoid(x) = -softplus(-x)."""
    return g.op("Neg", [g.op("Softplus", [g.op("Neg", [x.name], hint)], hint)], hint)


def _softmax(op_type):
    return lambda g, x, hint: g.op(op_type, [x.name], hint, axis=g.axis(x, -1))


_HARD_SIGMOID = {"alpha": 1.0 / 6.0, "beta": 0.5}  # Keras 3: clip(x / 6 + 1/2, 0, 1)

EMITTERS = {
    "relu": _unary("Relu"),
    "relu6": _relu6,
    "leaky_relu": _unary("LeakyRelu", alpha=0.2),  # keras.activations.leaky_relu's default slope
    "step": _step,
    "sign": _unary("Sign"),
    "sigmoid": _unary("Sigmoid"),
    "hard_sigmoid": _unary("HardSigmoid", **_HARD_SIGMOID),
    "tanh": _unary("Tanh"),
    "elu": _unary("Elu", alpha=1.0),
    "selu": _unary("Selu", alpha=activations.SELU_ALPHA, gamma=activations.SELU_SCALE),
    "softplus": _unary("Softplus"),
    "softsign": _unary("Softsign"),
    "silu": _silu,  # also swish: the same function in deepbasics.activations
    "gelu": _gelu,
    "hard_silu": _unary("HardSwish"),  # x max(0, min(1, x / 6 + 1/2)): Keras's hard_silu (hard_swish)
    "exponential": _unary("Exp"),
    "mish": _mish,
    "log_sigmoid": _log_sigmoid,
    "softmax": _softmax("Softmax"),
    "log_softmax": _softmax("LogSoftmax"),
}


def activation_name(fn, layer):
    """The Keras name of ``fn`` if it is one of deepbasics's activation functions, else a clear error."""
    name = getattr(fn, "__name__", None)
    if activations.ALL_ACTIVATIONS.get(name) is not fn:
        raise layer_error(layer, f"its activation {fn!r} is not one of Keras's named activations, so it has no "
                                 f"ONNX form. Use one of {sorted(activations.ALL_ACTIVATIONS)}.")
    return name


def apply_activation(g, fn, x, layer):
    """``fn(x)`` as nodes; linear adds none."""
    name = activation_name(fn, layer)
    if name == "linear":
        return x
    return g.same_layout(x, EMITTERS[name](g, x, f"{layer.name}/{name}"))

