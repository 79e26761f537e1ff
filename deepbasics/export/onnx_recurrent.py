"""ONNX forms of SimpleRNN, LSTM, GRU and Bidirectional: ONNX's RNN, LSTM and GRU operators.

The traps between the two conventions, each handled here:
- layout: Keras is batch major (batch, steps, features), ONNX's operators time major
  (steps, batch, features) with a directions axis on the outputs;
- weights: Keras's kernel is (features, gates * units), ONNX's W (1, gates * units, features);
- LSTM gate order: Keras's columns are i, f, c, o, ONNX's rows i, o, f, c;
- GRU: both order z, r, h; ``reset_after=True`` is ONNX's ``linear_before_reset=1``, and its
  (2, 3 units) bias is ONNX's [input bias, recurrent bias]; other Keras biases are input biases;
- ``go_backwards``: the sequence is reversed before a forward pass, so the outputs come in the
  order processed, as Keras returns them.
"""
import numpy as np

from deepbasics import activations, layers
from deepbasics.export.onnx_graph import Value, layer_error

INT64_MIN = np.iinfo(np.int64).min

# Keras activation -> (ONNX activation name, alpha, beta); None: the function takes no parameters
_ACTIVATIONS = {
    "tanh": ("Tanh", None, None),
    "sigmoid": ("Sigmoid", None, None),
    "relu": ("Relu", None, None),
    "linear": ("Affine", 1.0, 0.0),  # y = alpha x + beta
    "hard_sigmoid": ("HardSigmoid", 1.0 / 6.0, 0.5),  # Keras 3's slope, not ONNX's default 0.2
}


def _activation_attributes(layer, functions):
    """ONNX's ``activations`` list and, where one takes parameters, ``activation_alpha``/``_beta``
    (consumed in order by the functions that take them)."""
    names, alphas, betas = [], [], []
    for fn in functions:
        key = activations.serialize(fn)
        if key not in _ACTIVATIONS:
            raise layer_error(layer, f"activation {key!r} has no form in ONNX's recurrent operators; use one of "
                                     f"{sorted(_ACTIVATIONS)}.")
        name, alpha, beta = _ACTIVATIONS[key]
        names.append(name)
        if alpha is not None:
            alphas.append(alpha)
            betas.append(beta)
    attributes = {"activations": names}
    if alphas:
        attributes.update(activation_alpha=alphas, activation_beta=betas)
    return attributes


def _lstm_order(a, n):
    """Keras's gate blocks i, f, c, o (last axis) in ONNX's order i, o, f, c."""
    i, f, c, o = (a[..., k * n:(k + 1) * n] for k in range(4))
    return np.concatenate([i, o, f, c], axis=-1)


def _weights(layer):
    """(W, R, B) in ONNX's shapes, B None without a bias; plus the operator's own attributes."""
    n = layer.units
    kernel, recurrent = layer.kernel.data, layer.recurrent_kernel.data
    bias = None if layer.bias is None else layer.bias.data
    attributes = {}
    if isinstance(layer, layers.LSTM):
        op_type = "LSTM"
        kernel, recurrent = _lstm_order(kernel, n), _lstm_order(recurrent, n)
        bias = None if bias is None else _lstm_order(bias, n)
        functions = [layer.recurrent_activation, layer.activation, layer.activation]
    elif isinstance(layer, layers.GRU):
        op_type = "GRU"
        attributes["linear_before_reset"] = int(layer.reset_after)
        functions = [layer.recurrent_activation, layer.activation]
    else:
        op_type, functions = "RNN", [layer.activation]
    if bias is not None and bias.ndim == 1:  # an input bias only: ONNX adds a zero recurrent bias
        bias = np.concatenate([bias, np.zeros_like(bias)])
    packed = (kernel.T[None], recurrent.T[None], None if bias is None else bias.reshape(1, -1))
    return op_type, packed, {**attributes, **_activation_attributes(layer, functions)}


def _reverse_time(g, x, hint):
    """x[:, ::-1] on a (batch, steps, ...) value."""
    inputs = [x.name, g.ints([-1], f"{hint}/start"), g.ints([INT64_MIN], f"{hint}/end"),
              g.ints([1], f"{hint}/axis"), g.ints([-1], f"{hint}/step")]
    return Value(g.op("Slice", inputs, hint), x.rank)


def _squeeze(g, name, axis, hint):
    return g.op("Squeeze", [name, g.ints([axis], f"{hint}/axis")], hint)


def recurrent(layer, x, g):
    """Outputs as the layer returns them: the sequence (batch, steps, units) or the last state
    (batch, units); with ``return_state`` followed by h (and c for an LSTM)."""
    hint = layer.name
    x = g.channels_last(x)
    if layer.go_backwards:
        x = _reverse_time(g, x, hint)
    op_type, (w, r, b), attributes = _weights(layer)
    time_major = g.op("Transpose", [x.name], hint, perm=[1, 0, 2])
    inputs = [time_major, g.weight(w, f"{hint}/W"), g.weight(r, f"{hint}/R")]
    if b is not None:
        inputs.append(g.weight(b, f"{hint}/B"))
    n_states = 2 if op_type == "LSTM" else 1
    y, *states = g.op(op_type, inputs, hint, n_outputs=1 + n_states, hidden_size=layer.units, **attributes)
    states = [Value(_squeeze(g, s, 0, hint), 2) for s in states]  # (1, batch, units) -> (batch, units)
    if layer.return_sequences:  # (steps, 1, batch, units) -> (batch, steps, units)
        out = Value(g.op("Transpose", [_squeeze(g, y, 1, hint)], hint, perm=[1, 0, 2]), 3)
    else:
        out = states[0]
    return [out] + states if layer.return_state else out


def bidirectional(layer, x, g):
    """The forward and backward layers side by side, the backward sequence turned around so that
    step t of both belongs to input step t, then merged as ``merge_mode`` says."""
    for inner in (layer.forward_layer, layer.backward_layer):
        if type(inner) not in (layers.SimpleRNN, layers.LSTM, layers.GRU):
            raise layer_error(layer, f"it wraps {inner.name!r} ({type(inner).__name__}); ONNX export supports "
                                     "Bidirectional around SimpleRNN, LSTM or GRU.")
    forward, backward = recurrent(layer.forward_layer, x, g), recurrent(layer.backward_layer, x, g)
    states = []
    if layer.return_state:
        (forward, *f_states), (backward, *b_states) = forward, backward
        states = f_states + b_states
    if layer.return_sequences:
        backward = _reverse_time(g, backward, f"{layer.name}/backward")
    mode, hint, pair = layer.merge_mode, layer.name, [forward.name, backward.name]
    if mode is None:
        return [forward, backward] + states
    if mode == "concat":
        out = g.op("Concat", pair, hint, axis=-1)
    elif mode == "ave":
        out = g.op("Mul", [g.op("Add", pair, hint), g.weight(0.5, f"{hint}/half")], hint)
    else:
        out = g.op({"sum": "Add", "mul": "Mul"}[mode], pair, hint)
    out = Value(out, forward.rank)
    return [out] + states if layer.return_state else out


CONVERTERS = {
    layers.SimpleRNN: recurrent,
    layers.LSTM: recurrent,
    layers.GRU: recurrent,
    layers.Bidirectional: bidirectional,
}
