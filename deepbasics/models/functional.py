"""``Model(inputs, outputs)``: a graph of layer calls, traced from symbolic ``Input`` tensors.

>>> import deepbasics as db
>>> x = db.Input(shape=(4,))
>>> h = db.layers.Dense(8, activation="relu")(x)
>>> model = db.Model(x, db.layers.Dense(1)(h))
>>> model.count_params()
49
"""
from deepbasics.layers.input_layer import InputLayer
from deepbasics.layers.symbolic import KerasTensor
from deepbasics.models.model import Model


class Functional(Model):
    """Runs the recorded layer calls in order; a shared layer is called once per node."""

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self.inputs = _as_list(inputs, "inputs")
        self.outputs = _as_list(outputs, "outputs")
        self._nodes = _nodes_between(self.inputs, self.outputs)
        layers = [t.node.layer for t in self.inputs]
        for node in self._nodes:
            if not any(node.layer is seen for seen in layers):
                layers.append(node.layer)
        self._all_layers = layers
        self._input_shape = [t.shape for t in self.inputs] if len(self.inputs) > 1 else self.inputs[0].shape
        shapes = [t.shape for t in self.outputs]
        self._output_shape = shapes if len(shapes) > 1 else shapes[0]
        self.built = True

    @property
    def layers(self):
        """Every layer of the graph, InputLayers first, as Keras lists them."""
        return list(self._all_layers)

    def call(self, inputs, training=None):
        values = {}
        given = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        if len(given) != len(self.inputs):
            raise ValueError(f"Model {self.name!r} expects {len(self.inputs)} input(s), received {len(given)}.")
        for symbolic, value in zip(self.inputs, given):
            values[id(symbolic)] = value
        for node in self._nodes:
            args = ([values[id(t)] for t in node.inputs] if isinstance(node.inputs, (list, tuple))
                    else values[id(node.inputs)])
            out = node.layer(args, training=training)
            for symbolic, value in zip(_flat(node.outputs), _flat(out)):
                values[id(symbolic)] = value
        results = [values[id(t)] for t in self.outputs]
        return results if isinstance(self._outputs_struct, (list, tuple)) else results[0]

    def compute_output_shape(self, input_shape):
        return self._output_shape

    # -- what the training loop asks ---------------------------------------------------------
    def _build_for(self, x):
        pass  # built from its Inputs

    def _expected_input_shape(self):
        return self.inputs[0].shape

    def _output_units(self):
        return self.outputs[0].shape[-1]


def _as_list(structure, what):
    items = list(structure.values()) if isinstance(structure, dict) else structure
    items = list(items) if isinstance(items, (list, tuple)) else [items]
    for t in items:
        if not isinstance(t, KerasTensor):
            raise TypeError(f"Model `{what}` must be symbolic tensors from Input() and layer calls, "
                            f"received {t!r}.")
    return items


def _flat(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _nodes_between(inputs, outputs):
    """The layer calls that lead from ``inputs`` to ``outputs``, each after those it reads."""
    input_nodes = {id(t.node) for t in inputs}
    order, state, stack = [], {}, [(t.node, False) for t in outputs]
    while stack:  # depth first, without recursion
        node, done = stack.pop()
        if done:
            order.append(node)
            state[id(node)] = "done"
            continue
        if state.get(id(node)) is not None:
            continue
        if id(node) in input_nodes:
            state[id(node)] = "done"
            continue
        if isinstance(node.layer, InputLayer):
            raise ValueError(f"Output depends on input {node.layer.name!r}, which is not among the model's "
                             "`inputs`.")
        state[id(node)] = "open"
        stack.append((node, True))
        stack.extend((parent, False) for parent in node.parents() if state.get(id(parent)) is None)
    return order
