"""``Model(inputs, outputs)``: a graph of layer calls, traced from symbolic ``Input`` tensors.

>>> import deepbasics as db
>>> x = db.Input(shape=(4,))
>>> h = db.layers.Dense(8, activation="relu")(x)
>>> model = db.Model(x, db.layers.Dense(1)(h))
>>> model.count_params()
49
"""
from deepbasics.layers.fusion import fused_call
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
        self._nodes, self._all_layers, self._nodes_by_depth = _map_graph(self.inputs, self.outputs)
        self._pairs = _sole_consumers(self._nodes, self.outputs)
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
        done = set()  # nodes already computed by a fused pair
        for node in self._nodes:
            if id(node) in done:
                continue
            args = ([values[id(t)] for t in node.inputs] if isinstance(node.inputs, (list, tuple))
                    else values[id(node.inputs)])
            follower = self._pairs.get(id(node))
            fused = fused_call(node.layer, follower.layer, args) if follower is not None else None
            if fused is not None:  # Conv then MaxPooling as one op (layers/fusion.py)
                node, out = follower, fused
                done.add(id(follower))
            else:
                out = node.layer(args, training=training)
            for symbolic, value in zip(_flat(node.outputs), _flat(out)):
                values[id(symbolic)] = value
        results = [values[id(t)] for t in self.outputs]
        return results if isinstance(self._outputs_struct, (list, tuple)) else results[0]

    def compute_output_shape(self, input_shape):
        return self._output_shape

    def _summary_connections(self):
        """Keras's ``Connected to`` texts, one per layer (``dense[0][0], dense_1[1][0]``), or None
        for a chain (one call per depth, each reading one tensor, no layer called twice)."""
        calls = [node for nodes in self._nodes_by_depth.values() for node in nodes]
        chain = all(len(nodes) == 1 and len(nodes[0].input_tensors) <= 1
                    for nodes in self._nodes_by_depth.values())
        if chain and len({id(node.layer) for node in calls}) == len(calls):
            return None
        mine = {id(node) for node in calls}
        texts = []
        for layer in self._all_layers:
            read = [f"{t.node.layer.name}[{t.node.index}][{t.index}]"
                    for node in layer._inbound_nodes if id(node) in mine
                    for t in node.input_tensors if t.node is not None]
            texts.append(", ".join(read) or "-")
        return texts

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


def _map_graph(inputs, outputs):
    """Keras's map of the graph: the layer calls in an order that runs (each after those it
    reads), the layers by decreasing depth (ties in first-seen order), and the calls by depth.

    A call's depth is the number of calls between it and the farthest output it feeds; a shared
    layer takes its deepest call's depth. Keras orders ``model.layers`` (and so the weights, the
    summary and the saved config) this way.
    """
    order, first_seen = _calls_from_inputs(inputs, outputs)
    node_depth, layer_depth = {}, {}
    for node in reversed(order):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        node_depth[id(node)] = layer_depth[id(node.layer)] = depth
        for parent in node.parents():
            node_depth[id(parent)] = max(node_depth.get(id(parent), 0), depth + 1)
    for t in inputs:  # an input no output reads is still a layer of the model
        layer_depth.setdefault(id(t.node.layer), 0)
        first_seen.setdefault(id(t.node.layer), (-1, t.node.layer))
    layers = sorted((pair[1] for pair in first_seen.values()),
                    key=lambda layer: (-layer_depth[id(layer)], first_seen[id(layer)][0]))
    by_depth = {}
    for node in order:
        by_depth.setdefault(node_depth[id(node)], []).append(node)
    calls = [node for node in order if not isinstance(node.layer, InputLayer)]
    return calls, layers, by_depth


def _calls_from_inputs(inputs, outputs):
    """Depth-first from each output through each call's inputs in order (Keras's traversal,
    without recursion): the calls inputs-first, and each layer's first-seen index."""
    input_nodes = {id(t.node) for t in inputs}
    order, done, first_seen = [], set(), {}
    for output in outputs:
        stack = [(output.node, None)]
        while stack:
            node, parents = stack.pop()
            if parents is None:  # first visit
                if id(node) in done:
                    continue
                first_seen.setdefault(id(node.layer), (len(first_seen), node.layer))
                if id(node) not in input_nodes and isinstance(node.layer, InputLayer):
                    raise ValueError(f"Output depends on input {node.layer.name!r}, which is not among the "
                                     "model's `inputs`.")
                parents = iter([] if id(node) in input_nodes else node.parents())
            parent = next(parents, None)
            if parent is None:
                done.add(id(node))
                order.append(node)
            else:
                stack.append((node, parents))
                if id(parent) not in done:
                    stack.append((parent, None))
    return order, first_seen


def _sole_consumers(nodes, outputs):
    """{id(node): the next node} where a node's one output feeds only that node, through its
    single input, and is no model output: the pairs a fused op may compute at once."""
    readers, consumer = {}, {}
    for node in nodes:
        for t in _flat(node.inputs):
            readers[id(t)] = readers.get(id(t), 0) + 1
            consumer[id(t)] = node
    final = {id(t) for t in outputs}
    pairs = {}
    for node in nodes:
        outs = _flat(node.outputs)
        if len(outs) == 1 and id(outs[0]) not in final and readers.get(id(outs[0])) == 1:
            follower = consumer[id(outs[0])]
            if not isinstance(follower.inputs, (list, tuple)):
                pairs[id(node)] = follower
    return pairs
