"""Layers that resize images or drop whole feature maps: UpSampling2D, ZeroPadding2D,
Cropping2D, SpatialDropout1D/2D. Channels last."""
import numpy as np

from deepbasics import ops
from deepbasics.layers.convolutional import check_input_rank, normalize_data_format, normalize_tuple
from deepbasics.layers.dropout import Dropout
from deepbasics.layers.layer import Layer
from deepbasics.ops import conv as conv_ops
from deepbasics.ops import pooling as pool_ops


def normalize_pairs(value, name, allow_zero=True):
    """An int, (h, w), or ((top, bottom), (left, right)) -> ((top, bottom), (left, right))."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value, value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, (tuple, list)) for v in value):
        return tuple(normalize_tuple(v, 2, name, allow_zero) for v in value)
    h, w = normalize_tuple(value, 2, name, allow_zero)
    return (h, h), (w, w)


class UpSampling2D(Layer):
    """Repeats each row ``size[0]`` times and each column ``size[1]`` times (nearest neighbour)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        if interpolation != "nearest":
            raise ValueError(f"UpSampling2D: only interpolation='nearest' is supported, received {interpolation!r}")
        self.size = normalize_tuple(size, 2, "size")
        self.data_format = normalize_data_format(data_format, "UpSampling2D")
        self.interpolation = interpolation

    def build(self, input_shape):
        check_input_rank(self, input_shape, 2)

    def call(self, x):
        check_input_rank(self, x.shape, 2)
        return pool_ops.UpSample(self.size)(x)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        return n, None if h is None else h * self.size[0], None if w is None else w * self.size[1], c

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


class ZeroPadding2D(Layer):
    """Zeros around each image: ``padding`` an int, (rows, cols), or ((top, bottom), (left, right))."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = normalize_pairs(padding, "padding")
        self.data_format = normalize_data_format(data_format, "ZeroPadding2D")

    def build(self, input_shape):
        check_input_rank(self, input_shape, 2)

    def call(self, x):
        check_input_rank(self, x.shape, 2)
        return conv_ops.ZeroPad(self.padding)(x)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        (top, bottom), (left, right) = self.padding
        return n, None if h is None else h + top + bottom, None if w is None else w + left + right, c

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class Cropping2D(Layer):
    """Removes rows and columns at the edges: ``cropping`` as ZeroPadding2D's ``padding``."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = normalize_pairs(cropping, "cropping")
        self.data_format = normalize_data_format(data_format, "Cropping2D")

    def build(self, input_shape):
        check_input_rank(self, input_shape, 2)
        self.compute_output_shape(input_shape)

    def call(self, x):
        check_input_rank(self, x.shape, 2)
        self.compute_output_shape(x.shape)
        (top, bottom), (left, right) = self.cropping
        return ops.getitem(x, (slice(None), slice(top, x.shape[1] - bottom), slice(left, x.shape[2] - right)))

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        out = [None if d is None else d - a - b for d, (a, b) in zip((h, w), self.cropping)]
        if any(d is not None and d < 1 for d in out):
            raise ValueError(f"Cropping2D {self.name!r}: cropping {self.cropping} removes every row or column "
                             f"of an input of shape {tuple(input_shape)}.")
        return n, out[0], out[1], c

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


class SpatialDropout2D(Dropout):
    """Dropout of whole feature maps: one keep/drop draw per (sample, channel), shared by all
    positions (neighbouring pixels are correlated, so dropping single pixels barely regularises)."""

    rank = 2

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, noise_shape=(None,) + (1,) * self.rank + (None,), seed=seed, **kwargs)
        self.data_format = normalize_data_format(data_format, type(self).__name__)

    def build(self, input_shape):
        check_input_rank(self, input_shape, self.rank)

    def call(self, x, training=None):
        check_input_rank(self, x.shape, self.rank)
        return super().call(x, training=training)

    def get_config(self):
        config = super().get_config()
        del config["noise_shape"], config["trainable"]  # Keras's SpatialDropout takes neither
        return {**config, "data_format": self.data_format}


class SpatialDropout1D(SpatialDropout2D):
    """Dropout of whole channels of (batch, steps, channels): one draw per (sample, channel)."""

    rank = 1

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]
        return config
