"""Conv1D, Conv2D and Conv2DTranspose: y = activation(conv(x, kernel) + bias), channels last."""
import numpy as np

from deepbasics import activations, backend, constraints, initializers, regularizers
from deepbasics.layers.layer import Layer
from deepbasics.ops import conv as conv_ops

# activations the conv op applies itself (one node); softmax and sigmoid stay separate nodes
_FUSED = {activations.relu: "relu", activations.tanh: "tanh", activations.linear: None}
_RESHAPE_HINT = {1: "x.reshape(-1, steps, 1) for one channel", 2: "x.reshape(-1, 28, 28, 1) for MNIST"}


def normalize_tuple(value, n, name, allow_zero=False):
    """An int or n positive ints -> a tuple of n ints (Keras's standardize_tuple)."""
    values = (value,) * n if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    try:
        values = tuple(values)
    except TypeError:
        values = ()
    if len(values) != n or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value!r}")
    if any(v < 0 or (v == 0 and not allow_zero) for v in values):
        least = "non-negative" if allow_zero else "positive"
        raise ValueError(f"The `{name}` argument must be a tuple of {n} {least} integers. Received {name}={value!r}")
    return tuple(int(v) for v in values)


def normalize_padding(padding, allowed):
    value = padding.lower() if isinstance(padding, str) else padding
    if value not in allowed:
        raise ValueError(f"The `padding` argument must be one of {allowed}. Received: padding={padding!r}")
    return value


def normalize_data_format(data_format, who):
    value = (data_format or backend.image_data_format()).lower()
    if value == "channels_first":
        raise ValueError(f"{who}: data_format='channels_first' is not supported; deepbasics is channels_last "
                         "only, (batch, ..., channels). Move the channels last, e.g. x.transpose(0, 2, 3, 1).")
    if value != "channels_last":
        raise ValueError(f"{who}: data_format must be 'channels_last' or 'channels_first', received {data_format!r}")
    return value


def check_input_rank(layer, shape, rank):
    """A clear error for an input of the wrong rank (flat MNIST rows into Conv2D)."""
    if len(shape) != rank + 2:
        raise ValueError(
            f"Input 0 of layer {layer.name!r} is incompatible with the layer: expected ndim={rank + 2} "
            f"(batch, {'height, width' if rank == 2 else 'steps'}, channels), found ndim={len(shape)}. "
            f"Full shape received: {tuple(shape)}. Reshape the input first, e.g. {_RESHAPE_HINT[rank]}.")


class _Conv(Layer):
    """What Conv1D and Conv2D share: argument checks, the kernel (*kernel_size, in, filters)."""

    _single_input = True

    rank = 2
    paddings = ("valid", "same")
    channels_axis = -2  # of the kernel: its input channels

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        who = type(self).__name__
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly positive integer. "
                             f"Received filters={filters!r}")
        if groups != 1:
            raise ValueError(f"{who}: grouped convolution is not supported; received groups={groups!r}, use groups=1.")
        self.filters, self.groups = int(filters), 1
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:  # Keras (and TensorFlow) refuse this
            raise ValueError(f"`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                             f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.padding = normalize_padding(padding, self.paddings)
        self.data_format = normalize_data_format(data_format, who)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = self.bias = None

    def _kernel_shape(self, channels):
        return self.kernel_size + (channels, self.filters)

    def build(self, input_shape):
        check_input_rank(self, input_shape, self.rank)
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the channels axis (last) of the input "
                             f"must be known, received shape {tuple(input_shape)}.")
        self.compute_output_shape(input_shape)  # a kernel larger than the input fails here, before any work
        self.kernel = self.add_weight(self._kernel_shape(channels), self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight((self.filters,), self.bias_initializer, name="bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _check_call(self, x):
        check_input_rank(self, x.shape, self.rank)
        channels = self.kernel.shape[self.channels_axis]
        if x.shape[-1] != channels:
            raise ValueError(f"Input 0 of layer {self.name!r} is incompatible with the layer: expected last "
                             f"axis (channels) of size {channels}, received input with shape {x.shape}.")
        self.compute_output_shape(x.shape)

    def call(self, x):
        self._check_call(x)
        fused = self.activation in _FUSED
        y = conv_ops.conv(x, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate,
                          activation=_FUSED[self.activation] if fused else None)
        return y if fused else self.activation(y)

    def compute_output_shape(self, input_shape):
        out = conv_ops.check_window_fits(input_shape[1:-1], self.kernel_size, self.padding, self.strides,
                                         self.dilation_rate, f"{type(self).__name__} {self.name!r}", "kernel_size")
        return (input_shape[0],) + out + (self.filters,)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class Conv2D(_Conv):
    """2-D convolution over (batch, height, width, channels); kernel (kh, kw, in, filters).

    >>> from deepbasics.layers.convolutional import Conv2D
    >>> layer = Conv2D(32, 3, activation="relu")
    >>> layer.build((None, 28, 28, 1)); layer.kernel.shape, layer.count_params()
    ((3, 3, 1, 32), 320)
    >>> layer.compute_output_shape((None, 28, 28, 1))
    (None, 26, 26, 32)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
                         **kwargs)


class Conv1D(_Conv):
    """1-D convolution over (batch, steps, channels); kernel (k, in, filters). padding may also be
    'causal': zeros before the sequence only, so output t sees inputs up to t."""

    rank = 1
    paddings = ("valid", "same", "causal")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
                         **kwargs)


class Conv2DTranspose(_Conv):
    """The transpose (adjoint) of Conv2D, for upsampling; kernel (kh, kw, filters, in).

    Output size per axis (Keras): 'valid' L s + max(k - s, 0), 'same' L s; with
    ``output_padding`` p: (L - 1) s + k - 2 pad + p (pad = k // 2 for 'same').
    """

    channels_axis = -1

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1, activation, **kwargs)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, 2, "output_padding", allow_zero=True)
            if any(p >= s for p, s in zip(self.output_padding, self.strides)):
                raise ValueError(f"Conv2DTranspose: each output_padding must be smaller than its stride; "
                                 f"received output_padding={output_padding!r}, strides={self.strides}")

    def _kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def call(self, x):
        self._check_call(x)
        fused = self.activation in _FUSED
        y = conv_ops.conv_transpose(x, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate,
                                    self.output_padding, activation=_FUSED[self.activation] if fused else None)
        return y if fused else self.activation(y)

    def compute_output_shape(self, input_shape):
        pads = self.output_padding or (None, None)
        out = tuple(conv_ops.transpose_output_length(n, k, self.padding, s, d, p) for n, k, s, d, p in
                    zip(input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate, pads))
        return (input_shape[0],) + out + (self.filters,)

    def get_config(self):
        config = super().get_config()
        del config["groups"]
        return {**config, "output_padding": self.output_padding}
