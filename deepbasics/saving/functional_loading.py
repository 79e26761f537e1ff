"""Rebuilding a functional model from its Keras config, node by node, as Keras does.

Each layer's ``inbound_nodes`` are calls waiting for their inputs; passes over the layers
make every call whose inputs exist, until none is left (a pass that makes none means the
graph has a loop or a missing layer). A node reference is ``[layer name, node index, tensor
index]``; a functional model used as a layer counts its own graph as node 0.
"""
from deepbasics.models import Functional
from deepbasics.saving.errors import short

IGNORED_CALL_ARGUMENTS = ("mask", "training")


def functional_from_config(config, loader, make_input, guard):
    layers_data = config.get("layers")
    if not isinstance(layers_data, list):
        loader.fail(f"the functional model's `layers` should be a list, found {short(layers_data)}")
    created, pending, outputs, next_index, order = {}, {}, {}, {}, []
    for i, entry in enumerate(layers_data):
        class_name, layer_config, _, registered = loader.parse(entry, f"layer {i} of the functional model")
        name = entry.get("name", layer_config.get("name"))
        if not isinstance(name, str) or name in created:
            loader.fail(f"layer {i} of the functional model needs a unique name, found {short(name)}")
        order.append(name)
        if class_name == "InputLayer" and loader.custom_object(class_name, registered) is None:
            tensor = make_input(layer_config, loader, f"layer {name!r} (InputLayer)")
            created[name], outputs[(name, 0)] = tensor.node.layer, [tensor]
            continue
        created[name] = loader.layer(entry, f"layer {i}")
        nodes = entry.get("inbound_nodes", [])
        if not isinstance(nodes, list):
            loader.fail(f"layer {name!r}: `inbound_nodes` should be a list, found {short(nodes)}")
        pending[name] = list(nodes)
        next_index[name] = 1 if isinstance(created[name], Functional) else 0
    while any(pending.values()):
        progress = False
        for name in order:
            queue = pending.get(name) or []
            while queue:
                args = _node_inputs(queue[0], created, outputs, loader, name)
                if args is None:
                    break
                out = guard(loader, f"layer {name!r}", created[name], args)
                outputs[(name, next_index[name])] = list(out) if isinstance(out, (list, tuple)) else [out]
                next_index[name] += 1
                queue.pop(0)
                progress = True
        if not progress:
            stuck = sorted(n for n, q in pending.items() if q)
            loader.fail(f"the functional model's graph cannot be rebuilt: layers {stuck} wait for inputs "
                        "that never come (a loop, or a reference to a missing node)")
    inputs = _structure(config.get("input_layers"), created, outputs, loader, "input_layers")
    outs = _structure(config.get("output_layers"), created, outputs, loader, "output_layers")
    return guard(loader, "the functional model", Functional, inputs, outs, name=config.get("name"),
                 trainable=bool(config.get("trainable", True)))


def _node_inputs(node, created, outputs, loader, name):
    """The symbolic input(s) of one call, or None while one of them is still to be made."""
    where = f"layer {name!r} inbound node"
    if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
        args, kwargs = node.get("args", []), node.get("kwargs") or {}
        if not isinstance(args, list) or len(args) != 1 or not isinstance(kwargs, dict):
            loader.fail(f"{where} should call the layer on one input (or one list), found {short(node)}")
        for key, value in kwargs.items():
            if key not in IGNORED_CALL_ARGUMENTS and value is not None:
                loader.fail(f"{where} passes {key}={short(value)}, which deepbasics does not support")
        arg = args[0]
        refs = [_history(a, loader, where) for a in arg] if isinstance(arg, list) else [_history(arg, loader, where)]
        single = not isinstance(arg, list)
    elif isinstance(node, list) and node:  # Keras 2: [[name, node, tensor, kwargs], ...]
        refs = [r[:3] if isinstance(r, list) else r for r in node]
        single = len(node) == 1
    else:
        loader.fail(f"{where} is not a layer call: {short(node)}")
    tensors = []
    for ref in refs:
        tensor = _tensor(ref, created, outputs, loader, where)
        if tensor is None:
            return None
        tensors.append(tensor)
    return tensors[0] if single else tensors


def _history(value, loader, where):
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        return (value.get("config") or {}).get("keras_history")
    loader.fail(f"{where}: expected a reference to a tensor, found {short(value)}")


def _tensor(ref, created, outputs, loader, where):
    ok = isinstance(ref, (list, tuple)) and len(ref) == 3 and isinstance(ref[0], str) and all(
        isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in ref[1:])
    if not ok:
        loader.fail(f"{where}: expected [layer name, node index, tensor index], found {short(ref)}")
    name, node_index, tensor_index = ref
    if name not in created:
        loader.fail(f"{where} refers to layer {name!r}, which the model does not have")
    made = outputs.get((name, node_index))
    if made is None:
        return None
    if tensor_index >= len(made):
        loader.fail(f"{where} refers to output {tensor_index} of layer {name!r}, which has {len(made)}")
    return made[tensor_index]


def _structure(value, created, outputs, loader, what):
    """input_layers / output_layers: one reference, a list of them, or a dict of them."""
    def one(ref):
        tensor = _tensor(ref, created, outputs, loader, what)
        if tensor is None:
            loader.fail(f"`{what}` refers to {short(ref)}, which the graph never makes")
        return tensor
    if isinstance(value, dict):
        return {k: one(v) for k, v in value.items()}
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        return one(value)
    if isinstance(value, list) and value:
        tensors = [one(v) for v in value]
        return tensors[0] if len(tensors) == 1 else tensors
    loader.fail(f"`{what}` should list the model's {what.split('_')[0]}s, found {short(value)}")
