"""The ONNX graph under construction: nodes, weights (initializers) and unique tensor names.

Keras keeps channels last (batch, height, width, channels); ONNX's Conv and pooling want them
at axis 1 (batch, channels, height, width). A value remembers which order it is in, so a run of
convolutions, pooling, batch norm and activations stays channels first, with one transpose in
and one back out when a layer needs Keras's order (Flatten, Dense, Reshape, a model output).
"""
from typing import NamedTuple

import numpy as np
from onnx import helper, numpy_helper

OPSET = 17
# the IR version that came with opset 17 (onnx 1.12), so every ONNX Runtime that runs opset 17 (1.13 on)
# loads the file; the onnx package's own default is its newest IR version, often ahead of the runtime
IR_VERSION = 8


class Value(NamedTuple):
    """A tensor in the graph: its name, its rank, and whether its channels sit at axis 1."""

    name: str
    rank: int
    channels_first: bool = False


def channels_first_perm(rank):
    """(N, *spatial, C) -> (N, C, *spatial)."""
    return (0, rank - 1) + tuple(range(1, rank - 1))


def channels_last_perm(rank):
    """(N, C, *spatial) -> (N, *spatial, C)."""
    return (0,) + tuple(range(2, rank)) + (1,)


class Graph:
    """Collects nodes and initializers; every tensor name it hands out is unique."""

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)
        self.nodes, self.initializers = [], []
        self._names = set()
        self.integer_names = set()  # the tensors that hold integer ids (an Embedding's model input)
        self._channels_last = {}  # a channels-first value's name -> its transposed Value (made once)

    def reserve(self, name):
        """Claim a graph input or output name, so no inner tensor takes it."""
        self._names.add(name)
        return name

    def fresh(self, hint):
        name, i = hint, 1
        while name in self._names:
            name, i = f"{hint}_{i}", i + 1
        self._names.add(name)
        return name

    def op(self, op_type, inputs, hint, n_outputs=1, **attributes):
        """Add one node; returns its output name (or list of names when ``n_outputs`` > 1)."""
        outputs = [self.fresh(f"{hint}/{op_type}" + (f"_{i}" if i else "")) for i in range(n_outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), outputs, name=outputs[0], **attributes))
        return outputs[0] if n_outputs == 1 else outputs

    def weight(self, array, hint):
        """A floating-point constant (a weight, or a scalar that broadcasts) in the graph's dtype."""
        return self._initializer(np.asarray(array, dtype=self.dtype), hint)

    def ints(self, values, hint):
        """An int64 constant: shapes, axes, repeats."""
        return self._initializer(np.asarray(values, dtype=np.int64), hint)

    def _initializer(self, array, hint):
        name = self.fresh(hint)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def same_layout(self, x, name):
        """A new elementwise result ``name`` in the layout of ``x``."""
        return Value(name, x.rank, x.channels_first)

    # -- layout ----------------------------------------------------------------------------------
    def channels_last(self, x):
        """``x`` in Keras's order (a transpose if it is channels first)."""
        if not x.channels_first:
            return x
        if x.name not in self._channels_last:
            name = self.op("Transpose", [x.name], x.name, perm=list(channels_last_perm(x.rank)))
            self._channels_last[x.name] = Value(name, x.rank)
        return self._channels_last[x.name]

    def channels_first(self, x):
        """``x`` in ONNX's image order (a transpose if it is channels last)."""
        if x.channels_first:
            return x
        name = self.op("Transpose", [x.name], x.name, perm=list(channels_first_perm(x.rank)))
        return Value(name, x.rank, True)

    def axis(self, x, keras_axis):
        """The ONNX axis of ``x`` that holds Keras's axis ``keras_axis`` (negative counts from the end)."""
        axis = keras_axis % x.rank
        return channels_first_perm(x.rank).index(axis) if x.channels_first else axis


def layer_error(layer, problem):
    """The error for a layer the export cannot write, naming the layer and its class."""
    return ValueError(f"Cannot export layer {layer.name!r} ({type(layer).__name__}) to ONNX: {problem}")
