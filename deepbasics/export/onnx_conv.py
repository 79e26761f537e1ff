"""ONNX forms of the image layers: Conv1D/Conv2D, pooling (windowed and global), ZeroPadding2D,
Cropping2D and UpSampling2D. They work channels first, ONNX's order (see ``onnx_graph``).

Padding follows TensorFlow's 'same' rule, as Keras does: total padding
max((out - 1) s + (k - 1) d + 1 - L, 0) per axis, the odd one after. It is written out as
explicit pads, except along an axis of unknown length with a stride above 1: there it is left
to ONNX's ``auto_pad='SAME_UPPER'`` (the same rule, computed at run time).
"""
import numpy as np

from deepbasics import layers
from deepbasics.export.onnx_activations import apply_activation
from deepbasics.export.onnx_graph import Value
from deepbasics.ops.conv import pad_amounts

INT64_MAX = np.iinfo(np.int64).max


def _padding(padding, spatial, window, strides, dilation):
    """ONNX's padding attributes for Keras's 'valid', 'same' or 'causal' (pads: all begins, then all ends)."""
    if padding == "same" and any(n is None and s > 1 for n, s in zip(spatial, strides)):
        return {"auto_pad": "SAME_UPPER"}  # dilation is 1 here: Keras refuses strides > 1 with dilation > 1
    # with stride 1 the padding is (k - 1) d whatever the length, so an unknown length can stand as 1
    pairs = [pad_amounts(1 if n is None else n, k, padding, s, d)
             for n, k, s, d in zip(spatial, window, strides, dilation)]
    return {"pads": [int(a) for a, _ in pairs] + [int(b) for _, b in pairs]}


def conv(layer, x, g):
    """Keras's kernel (*window, in, filters) becomes ONNX's (filters, in, *window)."""
    x = g.channels_first(x)
    rank, hint = layer.rank, layer.name
    kernel = layer.kernel.data.transpose((rank + 1, rank) + tuple(range(rank)))
    inputs = [x.name, g.weight(kernel, f"{hint}/kernel")]
    if layer.bias is not None:
        inputs.append(g.weight(layer.bias.data, f"{hint}/bias"))
    spatial = tuple(layer.input_shape[1:-1])
    y = g.op("Conv", inputs, hint, kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
             dilations=list(layer.dilation_rate),
             **_padding(layer.padding, spatial, layer.kernel_size, layer.strides, layer.dilation_rate))
    return apply_activation(g, layer.activation, Value(y, x.rank, True), layer)


def _pooling(op_type):
    def convert(layer, x, g):
        x = g.channels_first(x)
        ones = (1,) * layer.rank
        spatial = tuple(layer.input_shape[1:-1])
        # AveragePool's count_include_pad=0 (the default): 'same' windows average their real values only
        y = g.op(op_type, [x.name], layer.name, kernel_shape=list(layer.pool_size), strides=list(layer.strides),
                 **_padding(layer.padding, spatial, layer.pool_size, layer.strides, ones))
        return Value(y, x.rank, True)
    return convert


def _global_pooling(op_type):
    """A reduction over the spatial axes, in whichever order ``x`` is."""
    def convert(layer, x, g):
        spatial = list(range(2, x.rank)) if x.channels_first else list(range(1, x.rank - 1))
        y = g.op(op_type, [x.name], layer.name, axes=spatial, keepdims=int(layer.keepdims))
        return Value(y, x.rank, x.channels_first) if layer.keepdims else Value(y, 2)
    return convert


def zero_padding(layer, x, g):
    x = g.channels_first(x)
    (top, bottom), (left, right) = layer.padding
    pads = g.ints([0, 0, top, left, 0, 0, bottom, right], f"{layer.name}/pads")
    return Value(g.op("Pad", [x.name, pads], layer.name), x.rank, True)


def cropping(layer, x, g):
    x = g.channels_first(x)
    (top, bottom), (left, right) = layer.cropping
    ends = [-bottom if bottom else INT64_MAX, -right if right else INT64_MAX]
    inputs = [x.name, g.ints([top, left], f"{layer.name}/starts"), g.ints(ends, f"{layer.name}/ends"),
              g.ints([2, 3], f"{layer.name}/axes")]
    return Value(g.op("Slice", inputs, layer.name), x.rank, True)


def up_sampling(layer, x, g):
    """Nearest neighbour: output pixel i reads input pixel floor(i / size)."""
    x = g.channels_first(x)
    scales = g.weight([1, 1, *layer.size], f"{layer.name}/scales")  # float32, as Resize wants
    y = g.op("Resize", [x.name, "", scales], layer.name, mode="nearest",
             coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    return Value(y, x.rank, True)


CONVERTERS = {
    layers.Conv1D: conv,
    layers.Conv2D: conv,
    layers.MaxPooling1D: _pooling("MaxPool"),
    layers.MaxPooling2D: _pooling("MaxPool"),
    layers.AveragePooling1D: _pooling("AveragePool"),
    layers.AveragePooling2D: _pooling("AveragePool"),
    layers.GlobalAveragePooling1D: _global_pooling("ReduceMean"),
    layers.GlobalAveragePooling2D: _global_pooling("ReduceMean"),
    layers.GlobalMaxPooling1D: _global_pooling("ReduceMax"),
    layers.GlobalMaxPooling2D: _global_pooling("ReduceMax"),
    layers.ZeroPadding2D: zero_padding,
    layers.Cropping2D: cropping,
    layers.UpSampling2D: up_sampling,
}
