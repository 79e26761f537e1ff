"""Pooling layers: max and average over windows (1-D and 2-D), and their global forms."""
from deepbasics import ops
from deepbasics.layers.convolutional import check_input_rank, normalize_data_format, normalize_padding, \
    normalize_tuple
from deepbasics.layers.layer import Layer
from deepbasics.ops import conv as conv_ops
from deepbasics.ops import pooling as pool_ops


class _Pooling(Layer):
    """A window of ``pool_size`` moved by ``strides`` (default: ``pool_size``, no overlap)."""

    _single_input = True

    rank = 2
    op = None  # the pooling Function

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, "strides")
        self.padding = normalize_padding(padding, ("valid", "same"))
        self.data_format = normalize_data_format(data_format, type(self).__name__)

    def build(self, input_shape):
        check_input_rank(self, input_shape, self.rank)
        self.compute_output_shape(input_shape)  # a window larger than the input fails here

    def call(self, x):
        check_input_rank(self, x.shape, self.rank)
        self.compute_output_shape(x.shape)
        return self.op(self.pool_size, self.strides, self.padding)(x)

    def compute_output_shape(self, input_shape):
        out = conv_ops.check_window_fits(input_shape[1:-1], self.pool_size, self.padding, self.strides,
                                         (1,) * self.rank, f"{type(self).__name__} {self.name!r}", "pool_size")
        return (input_shape[0],) + out + (input_shape[-1],)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}


class MaxPooling2D(_Pooling):
    """The maximum of each pool_size window (default 2x2, stride 2: halves height and width).
    The gradient goes to the first maximum of each window, as in TensorFlow and PyTorch.

    >>> from deepbasics.layers.pooling import MaxPooling2D
    >>> MaxPooling2D().compute_output_shape((None, 26, 26, 32))
    (None, 13, 13, 32)
    """

    op = pool_ops.MaxPool

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(_Pooling):
    """The mean of each pool_size window ('same' padding: the mean of the real values)."""

    op = pool_ops.AvgPool

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling1D(_Pooling):
    """Max pooling over the steps of (batch, steps, channels)."""

    rank = 1
    op = pool_ops.MaxPool

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(_Pooling):
    """Average pooling over the steps of (batch, steps, channels)."""

    rank = 1
    op = pool_ops.AvgPool

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class _GlobalPooling(Layer):
    """A reduction over all spatial axes: (batch, *spatial, channels) -> (batch, channels)."""

    _single_input = True

    rank = 2
    reduce = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)

    def build(self, input_shape):
        check_input_rank(self, input_shape, self.rank)

    def call(self, x):
        check_input_rank(self, x.shape, self.rank)
        return self.reduce(x, axis=tuple(range(1, self.rank + 1)), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        if self.keepdims:
            return (input_shape[0],) + (1,) * self.rank + (input_shape[-1],)
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling2D(_GlobalPooling):
    """The mean over height and width of each channel."""

    reduce = staticmethod(ops.mean)


class GlobalMaxPooling2D(_GlobalPooling):
    """The maximum over height and width of each channel."""

    reduce = staticmethod(ops.max)


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over the steps of each channel."""

    rank = 1
    reduce = staticmethod(ops.mean)


class GlobalMaxPooling1D(_GlobalPooling):
    """The maximum over the steps of each channel."""

    rank = 1
    reduce = staticmethod(ops.max)


# Keras's short aliases
MaxPool2D, AvgPool2D, MaxPool1D, AvgPool1D = MaxPooling2D, AveragePooling2D, MaxPooling1D, AveragePooling1D
GlobalAvgPool2D, GlobalMaxPool2D = GlobalAveragePooling2D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalMaxPool1D = GlobalAveragePooling1D, GlobalMaxPooling1D
