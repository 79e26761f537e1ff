"""Recurrent layers under Keras 3's names, arguments, defaults and weight layout:
``SimpleRNN``, ``LSTM`` and ``GRU``. Each runs the whole sequence as one graph node
(``deepbasics.ops.recurrent``); the layer holds the weights, dropout and the output format."""
import numpy as np

from deepbasics import activations, backend, constraints, initializers, regularizers
from deepbasics.layers.layer import Layer
from deepbasics.layers.symbolic import is_symbolic
from deepbasics.ops import recurrent as rnn_ops
from deepbasics.ops.dropout import Dropout as DropoutOp


class RecurrentBase(Layer):
    """What SimpleRNN, LSTM and GRU share. Subclasses set ``op_class``, ``gates`` (columns of the
    kernel per unit) and ``n_states``, and may override ``make_op`` and ``bias_shape``.

    Dropout (training only, inverted): ``dropout`` draws one mask per sequence over the input
    features, shared by every step and gate (as Keras 3 does when recurrent_dropout is 0);
    ``recurrent_dropout`` one mask per sequence over h_{t-1} where it enters the recurrent
    matmul (Keras 3 then draws one mask per gate; here the gates share it).
    ``stateful=True`` is rejected; ``unroll`` is accepted and has no effect (one kernel).
    """

    _single_input = True

    op_class, gates, n_states = None, 1, 1

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        kwargs.pop("implementation", None)  # Keras's choices between kernels: there is one kernel here
        kwargs.pop("use_cudnn", None)
        if kwargs.pop("time_major", False):
            raise ValueError(f"{type(self).__name__}: time_major=True is not supported; pass (batch, steps, features).")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a positive integer, "
                             f"got units={units!r}")
        if stateful:
            raise ValueError(f"{type(self).__name__}: stateful=True is not supported in deepbasics (the state is "
                             "reset for every batch). Pass the previous state with `initial_state=` instead.")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = _rate("dropout", dropout)
        self.recurrent_dropout = _rate("recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self._rng = None if seed is None else np.random.default_rng(seed)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), False, bool(unroll)
        rnn_ops.check_activation(activations.serialize(self.activation), "activation")
        self.kernel = self.recurrent_kernel = self.bias = None
        self._initial_state = None

    # -- weights ---------------------------------------------------------------------------------
    def build(self, input_shape):
        self._check_shape(input_shape)
        width = self.gates * self.units
        self.kernel = self.add_weight((input_shape[-1], width), self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            (self.units, width), self.recurrent_initializer, name="recurrent_kernel",
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(self.bias_shape(), self.make_bias_initializer(), name="bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True  # also when build() is called directly: the first call must not build again

    def bias_shape(self):
        return (self.gates * self.units,)

    def make_bias_initializer(self):
        return self.bias_initializer

    def _check_shape(self, shape):
        name = type(self).__name__
        if len(shape) != 3:
            raise ValueError(
                f"{name} {self.name!r} expects a 3-D input (batch, timesteps, features), received shape "
                f"{tuple(shape)}. Reshape the data first, e.g. x.reshape(len(x), timesteps, features) "
                "(MNIST rows as a sequence: x.reshape(-1, 28, 28)).")
        if shape[-1] is None:
            raise ValueError(f"{name} {self.name!r}: the features axis of the input must be known, received {tuple(shape)}.")
        if self.kernel is not None and shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"Input 0 of layer {self.name!r} is incompatible with the layer: expected "
                             f"{self.kernel.shape[0]} features, received input with shape {tuple(shape)}.")

    # -- calling ---------------------------------------------------------------------------------
    def __call__(self, x, training=None, initial_state=None, mask=None):
        """``initial_state``: a list of (batch, units) arrays or Tensors ([h] or, for LSTM, [h, c])."""
        if mask is not None:
            raise ValueError(f"{type(self).__name__}: `mask` is not supported in deepbasics (no masking yet).")
        if isinstance(x, (list, tuple)) and not is_symbolic(x):
            raise ValueError(f"{type(self).__name__} takes one input (batch, timesteps, features); pass the "
                             "initial states as `initial_state=[...]`.")
        if not is_symbolic(x):
            self._check_shape(np.shape(getattr(x, "data", x)))  # before building: name the real shape
        if initial_state is None:
            return super().__call__(x, training=training)
        if is_symbolic(x) or is_symbolic(initial_state):
            raise ValueError(f"{type(self).__name__}: `initial_state` works on arrays and Tensors; the "
                             "functional API does not pass states between layers yet.")
        self._initial_state = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
        try:
            return super().__call__(x, training=training)
        finally:
            self._initial_state = None

    def call(self, x, training=None):
        self._check_shape(x.shape)
        rng = self._rng or backend.rng()
        if training and self.dropout > 0:  # one mask per sequence, shared by the steps (Keras)
            x = DropoutOp(self.dropout, rng, (x.shape[0], 1, x.shape[2]))(x)
        mask = None
        if training and self.recurrent_dropout > 0:
            keep = rng.random((x.shape[0], self.units), dtype=np.float32) >= self.recurrent_dropout
            mask = keep * np.asarray(1.0 / (1.0 - self.recurrent_dropout), dtype=x.dtype)
        op = self.make_op(return_sequences=self.return_sequences, return_state=self.return_state,
                          go_backwards=self.go_backwards, recurrent_mask=mask)
        out = op(x, self.kernel, self.recurrent_kernel, self.bias, *self._states(x.shape[0]))
        return self._split(out, x.shape[1]) if self.return_state else out

    def make_op(self, **options):
        return self.op_class(activations.serialize(self.activation), **options)

    def _states(self, batch):
        if self._initial_state is None:
            return [None] * self.n_states
        states = list(self._initial_state)
        if len(states) != self.n_states:
            raise ValueError(f"{type(self).__name__} {self.name!r} takes {self.n_states} initial state(s), "
                             f"received {len(states)}.")
        for i, s in enumerate(states):
            if tuple(np.shape(getattr(s, "data", s))) != (batch, self.units):
                raise ValueError(f"{type(self).__name__} {self.name!r}: initial_state[{i}] must have shape "
                                 f"({batch}, {self.units}), received {tuple(np.shape(getattr(s, 'data', s)))}.")
        return [s if hasattr(s, "data") else np.asarray(s, dtype=self.dtype) for s in states]

    def _split(self, out, steps):
        """[output, h_T] (GRU, SimpleRNN) or [output, h_T, c_T] (LSTM) from the op's output."""
        if self.n_states == 1:
            h = rnn_ops.TimeSlice(-1)(out) if self.return_sequences else out
            return [out, h]
        n_out = steps if self.return_sequences else 1
        output = rnn_ops.TimeSlice(slice(0, n_out) if self.return_sequences else 0)(out)
        h = output if not self.return_sequences else rnn_ops.TimeSlice(n_out - 1)(out)
        return [output, h, rnn_ops.TimeSlice(n_out)(out)]

    def compute_output_shape(self, input_shape):
        batch = input_shape[0]
        out = (batch, input_shape[1], self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [out] + [(batch, self.units)] * self.n_states
        return out

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
        }


class SimpleRNN(RecurrentBase):
    """A fully connected RNN: h_t = activation(x_t W + b + h_{t-1} U).

    Weights: ``kernel`` (features, units), ``recurrent_kernel`` (units, units), ``bias`` (units,).

    >>> from deepbasics.layers.recurrent import SimpleRNN
    >>> layer = SimpleRNN(8); layer.build((None, 5, 3)); layer.count_params()
    96
    """

    op_class = rnn_ops.SimpleRNN


class LSTM(RecurrentBase):
    """Long short-term memory (Hochreiter & Schmidhuber 1997), Keras's gate order i, f, c, o:
    c_t = f * c_{t-1} + i * activation(x_t W_c + h_{t-1} U_c + b_c);  h_t = o * activation(c_t).

    Weights: ``kernel`` (features, 4 units), ``recurrent_kernel`` (units, 4 units), ``bias``
    (4 units,); ``unit_forget_bias`` starts the forget gate's bias at 1. ``return_state``
    returns [output, h, c].

    >>> from deepbasics.layers.recurrent import LSTM
    >>> layer = LSTM(128); layer.build((None, 28, 28)); layer.count_params()
    80384
    """

    op_class, gates, n_states = rnn_ops.LSTM, 4, 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        rnn_ops.check_activation(activations.serialize(self.recurrent_activation), "recurrent_activation")
        self.unit_forget_bias = bool(unit_forget_bias)

    def make_bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, n = self.bias_initializer, self.units

        def forget_bias_one(shape, dtype=None):  # Keras: [init(units), ones(units), init(2 units)]
            return np.concatenate([init((n,), dtype=dtype), np.ones((n,), dtype=dtype), init((2 * n,), dtype=dtype)])
        return forget_bias_one

    def make_op(self, **options):
        return self.op_class(activations.serialize(self.activation),
                             activations.serialize(self.recurrent_activation), **options)

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRU(RecurrentBase):
    """Gated recurrent unit (Cho et al. 2014), Keras's gate order z (update), r (reset), h:
    h_t = z * h_{t-1} + (1 - z) * activation(x_t W_h + r * (h_{t-1} U_h + b_rec_h) + b_h).

    ``reset_after=True`` (Keras 3's default, cuDNN's convention): the reset gate multiplies the
    recurrent product, and ``bias`` is (2, 3 units): input bias and recurrent bias.
    ``reset_after=False``: r multiplies h_{t-1} before the product; ``bias`` is (3 units,).

    >>> from deepbasics.layers.recurrent import GRU
    >>> layer = GRU(4); layer.build((None, 5, 3)); layer.count_params()
    108
    """

    op_class, gates, n_states = rnn_ops.GRU, 3, 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", reset_after=True, **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        rnn_ops.check_activation(activations.serialize(self.recurrent_activation), "recurrent_activation")
        self.reset_after = bool(reset_after)

    def bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def make_op(self, **options):
        return self.op_class(activations.serialize(self.activation),
                             activations.serialize(self.recurrent_activation), reset_after=self.reset_after,
                             **options)

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


def _rate(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 <= value < 1:
        raise ValueError(f"`{name}` must be a float in [0, 1), received {name}={value!r}")
    return float(value)
