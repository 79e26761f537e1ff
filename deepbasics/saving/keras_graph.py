"""A functional model's layers and nodes in the order Keras 3 gives them.

Keras names the weight groups of a model's layers by their position in ``model.layers``
('dense', 'dense_1', ...), and writes its config in that order, so a file is only read back
right if both sides order the layers alike. Keras's rule (``ops/function.py: map_graph``):
walk back from the outputs depth first, number each layer when first seen; a node's depth is
1 + the largest depth of the nodes that read its output; layers go deepest first, ties by
their number.
"""
from deepbasics.layers.input_layer import InputLayer


def _is_input_node(node):
    return isinstance(node.layer, InputLayer)


def node_input_tensors(node):
    return list(node.inputs) if isinstance(node.inputs, (list, tuple)) else [node.inputs]


def _walk(inputs, outputs):
    """Nodes from the inputs to the outputs (post-order) and each layer's first-seen number."""
    input_ids = {id(t) for t in inputs}
    finished, ordered, numbers = set(), [], {}
    for output in outputs:
        stack = [(output, None)]
        while stack:
            tensor, pending = stack.pop()
            node = tensor.node
            if pending is None:  # first visit of this tensor's node
                if node is None or id(node) in finished:
                    continue
                if not _is_input_node(node) and id(tensor) in input_ids:
                    finished.add(id(node))
                    continue
                numbers.setdefault(id(node.layer), len(numbers))
                pending = [] if _is_input_node(node) else node_input_tensors(node)[::-1]
            if pending:
                child = pending.pop()
                stack.append((tensor, pending))
                stack.append((child, None))
                continue
            if id(node) not in finished:
                finished.add(id(node))
                ordered.append(node)
    return ordered, numbers


def graph_order(inputs, outputs):
    """``(layers, nodes_of)``: the layers as Keras's ``model.layers`` lists them, and for each
    layer (by id) its nodes in this graph, in the order they were traced."""
    ordered, numbers = _walk(inputs, outputs)
    in_graph = {id(n) for n in ordered}
    node_depth, layer_depth, layer_of = {}, {}, {}
    for node in reversed(ordered):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = node_depth[id(node)] = depth
        layer_of[id(node.layer)] = node.layer
        for parent in node.parents():
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in inputs:  # inputs no output depends on still count, at depth 0
        if id(t.node.layer) not in layer_depth:
            layer_depth[id(t.node.layer)], numbers[id(t.node.layer)] = 0, -1
            layer_of[id(t.node.layer)] = t.node.layer
            ordered.append(t.node)
    layers = sorted(layer_of.values(), key=lambda layer: (-layer_depth[id(layer)], numbers[id(layer)]))
    nodes_of = {}
    for node in ordered:
        nodes_of.setdefault(id(node.layer), []).append(node)
    return layers, nodes_of
