"""ONNX forms of the layers that move values around: Flatten, Reshape, Permute, RepeatVector.

All of them work in Keras's order, so a channels-first value (after a convolution) is
transposed back first: Flatten then lists the values as Keras does, channels fastest.
"""
from deepbasics import layers
from deepbasics.export.onnx_graph import Value


def flatten(layer, x, g):
    x = g.channels_last(x)
    if x.rank == 2:
        return x
    return Value(g.op("Flatten", [x.name], layer.name, axis=1), 2)


def reshape(layer, x, g):
    """The batch axis is copied (a 0 in ONNX's shape), so any batch size works."""
    x = g.channels_last(x)
    shape = g.ints([0] + list(layer.target_shape), f"{layer.name}/shape")
    return Value(g.op("Reshape", [x.name, shape], layer.name), 1 + len(layer.target_shape))


def permute(layer, x, g):
    x = g.channels_last(x)
    return Value(g.op("Transpose", [x.name], layer.name, perm=[0] + list(layer.dims)), x.rank)


def repeat_vector(layer, x, g):
    """(batch, features) -> (batch, n, features): a new axis 1, tiled n times."""
    x = g.channels_last(x)
    wide = g.op("Unsqueeze", [x.name, g.ints([1], f"{layer.name}/axis")], layer.name)
    tiled = g.op("Tile", [wide, g.ints([1, layer.n, 1], f"{layer.name}/repeats")], layer.name)
    return Value(tiled, 3)


CONVERTERS = {
    layers.Flatten: flatten,
    layers.Reshape: reshape,
    layers.Permute: permute,
    layers.RepeatVector: repeat_vector,
}
