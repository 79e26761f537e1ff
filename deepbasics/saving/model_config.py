"""Sequential and functional models <-> Keras model configs (Keras 3 and Keras 2 forms).

Writing: a Sequential model lists an InputLayer first when its input shape is known; a
functional model lists its layers in Keras's order with their ``inbound_nodes`` (Keras 3:
``{"args", "kwargs"}`` with ``__keras_tensor__`` references; Keras 2: ``[name, node, tensor,
kwargs]`` lists). Reading rebuilds the model by calling each layer on symbolic inputs, node
by node, as Keras does; every class goes through the ``ObjectLoader``'s allowlist.
"""
import numpy as np

from deepbasics.layers import Input, InputLayer
from deepbasics.models import Functional, Model, Sequential
from deepbasics.saving import allowlist
from deepbasics.saving.errors import ModelFileError, short
from deepbasics.saving.functional_loading import functional_from_config
from deepbasics.saving.keras_graph import graph_order, node_input_tensors
from deepbasics.saving.keras_objects import KERAS3, dtype_policy, keras_object, layer_config, plain, shape_json

MAX_RANK = 8


# -- writing ------------------------------------------------------------------------------------
def model_entry(model, form):
    """The whole model as one Keras object (without its compile config)."""
    if isinstance(model, Sequential):
        class_name, config = "Sequential", sequential_config(model, form)
    elif isinstance(model, Functional):
        class_name, config = "Functional", functional_config(model, form)
    else:
        class_name, config = type(model).__name__, plain(model.get_config())
    if form != KERAS3:
        return {"class_name": class_name, "config": config}
    module, registered = allowlist.MODEL_MODULES.get(class_name, (type(model).__module__, class_name))
    shape = None if isinstance(model, Functional) else _input_shape(model)
    return {"module": module, "class_name": class_name, "config": config, "registered_name": registered,
            "build_config": {"input_shape": shape_json(shape)}}


def layer_entry(layer, form):
    if isinstance(layer, Model):
        return model_entry(layer, form)
    entry = keras_object("layers", type(layer).__name__, layer_config(layer, form), form, cls=type(layer))
    if form == KERAS3 and layer.built and layer._input_shape is not None:
        entry["build_config"] = {"input_shape": shape_json(layer._input_shape)}
    return entry


def input_entry(name, batch_shape, dtype, form):
    shape = shape_json(batch_shape)
    if form == KERAS3:
        config = {"batch_shape": shape, "dtype": dtype, "sparse": False, "ragged": False, "name": name,
                  "optional": False}
    else:
        config = {"batch_input_shape": shape, "dtype": dtype, "sparse": False, "ragged": False, "name": name}
    return keras_object("layers", "InputLayer", config, form)


def _input_shape(model):
    if isinstance(model, Sequential):
        return model._declared_input_shape() or (model._input_shape if model.built else None)
    return getattr(model, "_input_shape", None)


def sequential_config(model, form):
    shape = _input_shape(model)
    entries = []
    if shape is not None:
        declared = getattr(model, "_input_layer", None)
        name = declared.name if declared is not None else (
            "input_layer" if form == KERAS3 or not model.layers else f"{model.layers[0].name}_input")
        entries.append(input_entry(name, shape, model.dtype, form))
    for layer in model.layers:
        entry = layer_entry(layer, form)
        if shape is not None:
            entry["config"].pop("batch_input_shape", None)  # the InputLayer holds it
        entries.append(entry)
    config = {"name": model.name, "trainable": model.trainable,
              "dtype": dtype_policy(model.dtype) if form == KERAS3 else model.dtype, "layers": entries}
    if form == KERAS3 and shape is not None:
        config["build_input_shape"] = shape_json(shape)
    return config


def functional_config(model, form):
    layers, nodes_of = graph_order(model.inputs, model.outputs)
    names = [layer.name for layer in layers]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"Model {model.name!r} has several layers named {twice}; a Keras config refers to layers "
                         "by name. Give them distinct names before saving.")
    index = {}
    for layer in layers:
        first = 1 if isinstance(layer, Functional) else 0  # Keras: a functional model's node 0 is its own
        calls = [n for n in nodes_of[id(layer)] if not isinstance(n.layer, InputLayer)]
        index.update({id(n): first + i for i, n in enumerate(calls)})
        index.update({id(n): 0 for n in nodes_of[id(layer)] if isinstance(n.layer, InputLayer)})

    def ref(t):
        return [t.node.layer.name, index[id(t.node)], t.index]

    entries = []
    for layer in layers:
        if isinstance(layer, InputLayer):
            entry = input_entry(layer.name, layer.batch_shape, layer.dtype, form)
        else:
            entry = layer_entry(layer, form)
            entry["config"].pop("batch_input_shape", None)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [_node_json(n, ref, form) for n in nodes_of[id(layer)]
                                  if not isinstance(n.layer, InputLayer)]
        entries.append(entry)
    return {"name": model.name, "trainable": model.trainable, "layers": entries,
            "input_layers": _refs(model._inputs_struct, ref, form),
            "output_layers": _refs(model._outputs_struct, ref, form)}


def _node_json(node, ref, form):
    tensors = node_input_tensors(node)
    if form != KERAS3:
        return [ref(t) + [{}] for t in tensors]

    def keras_tensor(t):
        return {"class_name": "__keras_tensor__",
                "config": {"shape": shape_json(t.shape), "dtype": t.dtype, "keras_history": ref(t)}}
    arg = [keras_tensor(t) for t in tensors] if isinstance(node.inputs, (list, tuple)) else keras_tensor(tensors[0])
    return {"args": [arg], "kwargs": {}}


def _refs(structure, ref, form):
    if isinstance(structure, dict):
        return {k: ref(t) for k, t in structure.items()} if form == KERAS3 else [ref(t) for t in structure.values()]
    if isinstance(structure, (list, tuple)):
        return [ref(t) for t in structure]
    return ref(structure) if form == KERAS3 else [ref(structure)]


# -- reading ------------------------------------------------------------------------------------
def model_from_entry(entry, loader):
    """A model from its Keras object: Sequential, functional, or a class in custom_objects."""
    class_name, config, module, registered = loader.parse(entry, "the model")
    custom = loader.custom_object(class_name, registered)
    if custom is not None:
        return _custom_model(custom, config, entry, loader)
    if not allowlist.is_keras_module(module):
        loader.fail(f"the model names {class_name!r} from module {module!r}, which is not a Keras module; "
                    "only Keras's own classes and those passed in custom_objects are loaded (nothing is imported)")
    if class_name == "Sequential":
        return _sequential(config, loader)
    if class_name in ("Functional", "Model") and isinstance(config, dict) and "layers" in config:
        return _functional(config, loader)
    loader.fail(f"the model is of class {class_name!r}: deepbasics rebuilds Sequential and functional models, "
                "and subclassed models whose class is passed in custom_objects")


def _guard(loader, where, action, *args, **kwargs):
    """``action(...)``, a failure (a layer refusing its input shape...) reported as a bad file."""
    try:
        return action(*args, **kwargs)
    except ModelFileError:
        raise
    except (TypeError, ValueError, AttributeError, IndexError) as exc:
        loader.fail(f"{where}: {exc}")


def _sequential(config, loader):
    if isinstance(config, list):  # Keras 2.2 and earlier: the list of layers itself
        config = {"layers": config}
    layers_data = config.get("layers")
    if not isinstance(layers_data, list):
        loader.fail(f"the Sequential model's `layers` should be a list, found {short(layers_data)}")
    model = _guard(loader, "the Sequential model", Sequential, name=config.get("name"),
                   trainable=bool(config.get("trainable", True)))
    for i, entry in enumerate(layers_data):
        class_name, layer_config_, _, registered = loader.parse(entry, f"layer {i} of the Sequential model")
        if class_name == "InputLayer" and loader.custom_object(class_name, registered) is None:
            layer = _input(layer_config_, loader, f"layer {i} (InputLayer)")
        else:
            layer = loader.layer(entry, f"layer {i}")
        _guard(loader, f"layer {i} of the Sequential model", model.add, layer)
    shape = config.get("build_input_shape")
    if model.layers and not model.layers[0].built and shape is not None:
        shape = _shape(shape, loader, "build_input_shape")
        _guard(loader, "the Sequential model's build_input_shape", model.build, shape)
    return model


def _shape(value, loader, where):
    ok = isinstance(value, (list, tuple)) and 0 < len(value) <= MAX_RANK and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 2**31) for d in value)
    if not ok:
        loader.fail(f"{where} should be a shape like [null, 784], found {short(value)}")
    return tuple(value)


def _input(config, loader, where):
    shape = config.get("batch_shape", config.get("batch_input_shape"))
    if shape is None and config.get("shape") is not None:
        shape = [config.get("batch_size")] + list(config["shape"])
    shape = _shape(shape, loader, f"{where} batch_shape")
    if config.get("sparse") or config.get("ragged"):
        loader.fail(f"{where}: sparse and ragged inputs are not supported")
    dtype = loader.dtype(config.get("dtype"), f"{where} dtype")
    name = config.get("name")
    if name is not None and not isinstance(name, str):
        loader.fail(f"{where}: `name` should be a string, found {short(name)}")
    return Input(batch_shape=shape, dtype=dtype, name=name)


def _functional(config, loader):
    return functional_from_config(config, loader, _input, _guard)


def _custom_model(cls, config, entry, loader):
    model = loader.build(cls, config, f"the model ({cls.__name__})")
    shape = (entry.get("build_config") or {}).get("input_shape")
    if shape is not None and not model.built:
        shape = _shape(shape, loader, "the model's build_config")
        probe = np.zeros((1,) + tuple(1 if d is None else d for d in shape[1:]), dtype=model.dtype)
        _guard(loader, f"the model ({cls.__name__})", model, probe, training=False)
    return model
