"""ONNX forms of the core layers: Dense, the activation layers, the layers that are the identity
at inference (Dropout, noise), BatchNormalization and Embedding.

Each converter is ``convert(layer, x, g) -> Value``: ``x`` the input Value, ``g`` the Graph.
"""
import numpy as np
from onnx import TensorProto

from deepbasics import layers
from deepbasics.export.onnx_activations import apply_activation
from deepbasics.export.onnx_graph import Value, channels_first_perm, layer_error


def dense(layer, x, g):
    """y = activation(x W + b): Gemm for (batch, features), MatMul (+ Add) for longer shapes."""
    x = g.channels_last(x)
    hint = layer.name
    kernel = g.weight(layer.kernel.data, f"{hint}/kernel")
    bias = g.weight(layer.bias.data, f"{hint}/bias") if layer.bias is not None else None
    if x.rank == 2:
        y = g.op("Gemm", [x.name, kernel] + ([bias] if bias else []), hint)
    else:
        y = g.op("MatMul", [x.name, kernel], hint)
        if bias:
            y = g.op("Add", [y, bias], hint)
    return apply_activation(g, layer.activation, Value(y, x.rank), layer)


def activation(layer, x, g):
    return apply_activation(g, layer.activation, x, layer)


def identity(layer, x, g):
    """Dropout, SpatialDropout and GaussianNoise pass their input through at inference."""
    return x


def relu(layer, x, g):
    """Keras's ReLU layer: y = x above ``threshold`` (capped at ``max_value``),
    ``negative_slope`` (x - threshold) below it."""
    slope, cap, threshold, hint = layer.negative_slope, layer.max_value, layer.threshold, layer.name
    if not slope and not threshold:
        if cap is None:
            return g.same_layout(x, g.op("Relu", [x.name], hint))
        clip = [x.name, g.weight(0.0, f"{hint}/min"), g.weight(cap, f"{hint}/max")]
        return g.same_layout(x, g.op("Clip", clip, hint))
    t = g.weight(threshold, f"{hint}/threshold")
    above = g.op("Greater", [x.name, t], hint)
    y = g.op("Where", [above, x.name, g.weight(0.0, f"{hint}/zero")], hint)
    if cap is not None:
        y = g.op("Min", [y, g.weight(cap, f"{hint}/max")], hint)
    if slope:
        below = g.op("Relu", [g.op("Sub", [t, x.name], hint)], hint)
        y = g.op("Sub", [y, g.op("Mul", [below, g.weight(slope, f"{hint}/slope")], hint)], hint)
    return g.same_layout(x, y)


def leaky_relu(layer, x, g):
    # the slope is always written out: ONNX's default is 0.01, the Keras layer's 0.3
    return g.same_layout(x, g.op("LeakyRelu", [x.name], layer.name, alpha=float(layer.negative_slope)))


def elu(layer, x, g):
    return g.same_layout(x, g.op("Elu", [x.name], layer.name, alpha=float(layer.alpha)))


def prelu(layer, x, g):
    """y = x for x > 0, alpha x below; alpha (*spatial, channels) moves its channels first with x."""
    alpha = layer.alpha.data
    if x.channels_first:
        alpha = alpha.transpose(np.array(channels_first_perm(x.rank))[1:] - 1)
    return g.same_layout(x, g.op("PRelu", [x.name, g.weight(alpha, f"{layer.name}/alpha")], layer.name))


def softmax(layer, x, g):
    axis = layer.axis
    if isinstance(axis, (list, tuple)):
        if len(axis) != 1:
            raise layer_error(layer, f"ONNX's Softmax normalises over one axis, this layer over axis={axis}.")
        axis = axis[0]
    return g.same_layout(x, g.op("Softmax", [x.name], layer.name, axis=g.axis(x, axis)))


def batch_normalization(layer, x, g):
    """Inference: y = gamma (x - moving_mean) / sqrt(moving_variance + epsilon) + beta, with
    Keras's epsilon (1e-3) written out (ONNX's default is 1e-5)."""
    hint, axis = layer.name, g.axis(x, layer.axis)
    mean, var = layer.moving_mean.data, layer.moving_variance.data
    gamma = layer.gamma.data if layer.gamma is not None else np.ones_like(mean)
    beta = layer.beta.data if layer.beta is not None else np.zeros_like(mean)
    if axis == 1:  # ONNX's BatchNormalization takes its channels at axis 1
        inputs = [x.name] + [g.weight(a, f"{hint}/{n}") for a, n in
                             [(gamma, "gamma"), (beta, "beta"), (mean, "moving_mean"), (var, "moving_variance")]]
        return g.same_layout(x, g.op("BatchNormalization", inputs, hint, epsilon=layer.epsilon))
    # any other axis: the same affine map, y = x scale + shift, broadcast along that axis
    scale = gamma.astype(np.float64) / np.sqrt(var.astype(np.float64) + layer.epsilon)
    shift = beta - mean * scale
    shape = [-1] + [1] * (x.rank - 1 - axis)
    y = g.op("Mul", [x.name, g.weight(scale.reshape(shape), f"{hint}/scale")], hint)
    return g.same_layout(x, g.op("Add", [y, g.weight(shift.reshape(shape), f"{hint}/shift")], hint))


def embedding(layer, x, g):
    """y = embeddings[ids]; float ids (a float32 model input) are cast to int64 first."""
    x = g.channels_last(x)
    ids = x.name
    if ids not in g.integer_names:
        ids = g.op("Cast", [ids], layer.name, to=TensorProto.INT64)
    table = g.weight(layer.embeddings.data, f"{layer.name}/embeddings")
    return Value(g.op("Gather", [table, ids], layer.name, axis=0), x.rank + 1)


CONVERTERS = {
    layers.Dense: dense,
    layers.Activation: activation,
    layers.Dropout: identity,
    layers.SpatialDropout1D: identity,
    layers.SpatialDropout2D: identity,
    layers.GaussianNoise: identity,
    layers.ReLU: relu,
    layers.LeakyReLU: leaky_relu,
    layers.ELU: elu,
    layers.PReLU: prelu,
    layers.Softmax: softmax,
    layers.BatchNormalization: batch_normalization,
    layers.Embedding: embedding,
}
