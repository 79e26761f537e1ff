"""Where each weight of a model lives in Keras's files.

Keras 3 (``.keras``, ``.weights.h5``): ``<path>/vars/<i>``, where a model's layers are at
``layers/<snake_case class>[_n]`` (numbered per class, in ``model.layers`` order), a recurrent
layer keeps its weights in ``<path>/cell/vars``, Bidirectional in ``forward_layer`` and
``backward_layer``, TimeDistributed in ``layer``; every object also gets a (possibly empty)
``vars`` group whose ``name`` attribute is its name. Keras 2 (``.h5``): one group per layer
of ``model.layers``, weights in ``trainable + non-trainable`` order, listed in ``weight_names``.
"""
from deepbasics.layers import Bidirectional, Layer, TimeDistributed
from deepbasics.layers.recurrent import RecurrentBase
from deepbasics.models import Functional, Model, Sequential
from deepbasics.registry import snake_case
from deepbasics.saving.keras_graph import graph_order


def keras_layers(model):
    """``model.layers`` in Keras's order (a functional model's differs from deepbasics')."""
    if isinstance(model, Functional):
        return graph_order(model.inputs, model.outputs)[0]
    return list(model.layers)


def keras3_groups(model):
    """``[(group path, variables, name)]`` for every ``vars`` group Keras 3 writes for ``model``."""
    groups = [("vars", [], model.name)]
    _children(model, "", groups, {id(model)})
    return groups


def _visit(layer, path, groups, visited):
    if id(layer) in visited:
        return
    visited.add(id(layer))
    if isinstance(layer, RecurrentBase):  # Keras 3 keeps an RNN's weights in its cell
        groups.append((f"{path}/vars", [], layer.name))
        groups.append((f"{path}/cell/vars", list(layer.weights), f"{snake_case(type(layer).__name__)}_cell"))
        return
    holder = isinstance(layer, (Model, Bidirectional, TimeDistributed))
    groups.append((f"{path}/vars", [] if holder else list(layer.weights), layer.name))
    _children(layer, path, groups, visited)


def _children(obj, path, groups, visited):
    for attr, child in _tracked(obj):
        where = f"{path}/{attr}" if path else attr
        if isinstance(child, Layer):
            _visit(child, where, groups, visited)
        else:
            _container(child, where, groups, visited)


def _container(items, path, groups, visited):
    used = {}
    for item in items.values() if isinstance(items, dict) else items:
        if isinstance(item, Layer):
            _visit(item, f"{path}/{_unique(snake_case(type(item).__name__), used)}", groups, visited)
        elif isinstance(item, (list, tuple, dict)):
            _container(item, f"{path}/{_unique('container', used)}", groups, visited)


def _unique(name, used):
    used[name] = used.get(name, -1) + 1
    return name if used[name] == 0 else f"{name}_{used[name]}"


def _tracked(obj):
    """The (attribute, layer or container) pairs Keras walks, in its order."""
    if isinstance(obj, (Sequential, Functional)):
        return [("layers", keras_layers(obj))]
    if isinstance(obj, Bidirectional):
        return [("backward_layer", obj.backward_layer), ("forward_layer", obj.forward_layer)]
    if isinstance(obj, TimeDistributed):
        return [("layer", obj.layer)]
    if isinstance(obj, Model):  # subclassed: its attributes by name, private ones last (Keras's _name_key)
        found = {k: v for k, v in vars(obj).items() if _holds_layers(v)}
        found["layers"] = obj.layers
        return sorted(found.items(), key=lambda kv: "~" + kv[0] if kv[0].startswith("_") else kv[0])
    return []


def _holds_layers(value):
    if isinstance(value, Layer):
        return True
    if isinstance(value, dict):
        value = list(value.values())
    return isinstance(value, (list, tuple)) and any(_holds_layers(v) for v in value)


# -- Keras 2 (.h5) ------------------------------------------------------------------------------
def legacy_weights(layer):
    """A layer's weights as Keras 2 files list them: trainable first, then the others."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def legacy_weight_names(layer):
    """Keras 2's names ('dense/kernel:0'), unique within the layer's group."""
    names = []
    for i, w in enumerate(legacy_weights(layer)):
        name = f"{w.name or layer.name}:0"
        names.append(name if name not in names else f"{layer.name}/{i}:0")
    return names
