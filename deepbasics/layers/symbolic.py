"""Symbolic tensors for the functional API: ``Input(shape)`` and every layer called on one.

A ``KerasTensor`` holds only a shape and the ``Node`` that made it (a layer called on some
symbolic inputs); ``Model(inputs, outputs)`` walks these nodes back from the outputs.
"""


class Node:
    """One call of ``layer`` on symbolic ``inputs`` (a KerasTensor or a list of them)."""

    def __init__(self, layer, inputs, outputs=None):
        self.layer, self.inputs, self.outputs = layer, inputs, outputs
        # the n-th call of a layer is its node n (Keras's ``layer[n][i]`` in summaries and configs)
        calls = layer.__dict__.setdefault("_inbound_nodes", [])
        self.index = len(calls)
        calls.append(self)

    @property
    def input_tensors(self):
        return list(self.inputs) if isinstance(self.inputs, (list, tuple)) else [self.inputs]

    def parents(self):
        return [t.node for t in self.input_tensors if t.node is not None]


class KerasTensor:
    """A placeholder with a shape (``None`` for the batch axis) and the node that made it."""

    def __init__(self, shape, dtype, node=None, index=0):
        self.shape, self.dtype, self.node, self.index = tuple(shape), dtype, node, index

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def _keras_layer(self):
        return self.node.layer if self.node is not None else None

    def __repr__(self):
        name = self.node.layer.name if self.node is not None else "?"
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={name}>"


def is_symbolic(x):
    if isinstance(x, KerasTensor):
        return True
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(isinstance(t, KerasTensor) for t in x)


def symbolic_call(layer, inputs):
    """What ``layer(inputs)`` returns when ``inputs`` are symbolic: new KerasTensors, shapes from
    ``compute_output_shape``; the layer is built from the input shapes first."""
    shapes = [t.shape for t in inputs] if isinstance(inputs, (list, tuple)) else inputs.shape
    if not layer.built:
        layer._maybe_build(shapes)
    out_shape = layer.compute_output_shape(shapes)
    node = Node(layer, inputs)
    if isinstance(out_shape, list):  # several outputs (an RNN's return_state)
        node.outputs = [KerasTensor(s, layer.dtype, node, i) for i, s in enumerate(out_shape)]
    else:
        node.outputs = KerasTensor(out_shape, layer.dtype, node)
    return node.outputs
