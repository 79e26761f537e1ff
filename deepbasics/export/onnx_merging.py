"""ONNX forms of the merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate."""
from deepbasics import layers
from deepbasics.export.onnx_graph import Value


def _aligned(xs, g):
    """The inputs in one layout: channels first if every one is (no transposes), else Keras's."""
    if all(x.channels_first for x in xs) and len({x.rank for x in xs}) == 1:
        return xs
    return [g.channels_last(x) for x in xs]


def _elementwise(op_type, variadic):
    """A merge by ``op_type``: one node over all inputs if ONNX's op takes any number, else a chain."""
    def convert(layer, xs, g):
        xs = _aligned(xs, g)
        if variadic:
            y = g.op(op_type, [x.name for x in xs], layer.name)
        else:
            y = xs[0].name
            for x in xs[1:]:
                y = g.op(op_type, [y, x.name], layer.name)
        return Value(y, max(x.rank for x in xs), xs[0].channels_first)
    return convert


def concatenate(layer, xs, g):
    xs = _aligned(xs, g)
    return Value(g.op("Concat", [x.name for x in xs], layer.name, axis=g.axis(xs[0], layer.axis)),
                 xs[0].rank, xs[0].channels_first)


CONVERTERS = {
    layers.Add: _elementwise("Sum", variadic=True),
    layers.Subtract: _elementwise("Sub", variadic=False),
    layers.Multiply: _elementwise("Mul", variadic=False),
    layers.Average: _elementwise("Mean", variadic=True),
    layers.Maximum: _elementwise("Max", variadic=True),
    layers.Minimum: _elementwise("Min", variadic=True),
    layers.Concatenate: concatenate,
}
