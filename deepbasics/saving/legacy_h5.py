"""Keras 2's HDF5 format (``.h5``): the whole model (``model_config`` and ``training_config``
attributes, weights under ``model_weights``, optimizer state under ``optimizer_weights``) or
the weights alone (the same layer groups at the root).

Weights are matched to the model's layers by order (those with weights, in ``model.layers``
order), or by layer name with ``by_name=True``, as Keras does.
"""
import json

from deepbasics.saving.compile_config import compile_config, compile_from_config
from deepbasics.saving.hdf5_reader import SafeHDF5
from deepbasics.saving.hdf5_writer import new_hdf5_file, write_array, write_names, write_text
from deepbasics.saving.keras_file import KERAS_VERSION
from deepbasics.saving.keras_objects import KERAS2, plain
from deepbasics.saving.keras_weights import has_optimizer, optimizer_variables
from deepbasics.saving.model_config import model_entry, model_from_entry
from deepbasics.saving.object_loader import ObjectLoader
from deepbasics.saving.weight_plan import WeightPlan
from deepbasics.saving.weights_layout import keras_layers, legacy_weight_names, legacy_weights

BACKEND = "numpy"  # the Keras 3 backend whose arrays these are
SLOT_NAMES = {"m": "momentum", "v": "velocity", "v_hat": "velocity_hat", "u": "norm"}  # Keras's names


# -- writing ------------------------------------------------------------------------------------
def save_h5(model, path, include_optimizer=True):
    from deepbasics import __version__

    layers = keras_layers(model)
    _check_names(layers)
    model_config = json.dumps(plain(model_entry(model, KERAS2)))
    training = compile_config(model, KERAS2) if include_optimizer else None
    with new_hdf5_file(path) as h5:
        h5.attrs["keras_version"], h5.attrs["backend"] = KERAS_VERSION, BACKEND
        h5.attrs["deepbasics_version"] = __version__
        write_text(h5, "model_config", model_config)
        if training is not None:
            write_text(h5, "training_config", json.dumps(plain(training)))
        write_layer_groups(h5.create_group("model_weights"), layers)
        if training is not None:
            _write_optimizer(h5, model)


def save_weights_h5(model, path):
    layers = keras_layers(model)
    _check_names(layers)
    with new_hdf5_file(path) as h5:
        write_layer_groups(h5, layers)


def _check_names(layers):
    bad = [layer.name for layer in layers if "/" in layer.name or not layer.name]
    if bad:
        raise ValueError(f"Layer names {bad} cannot name HDF5 groups (no '/' allowed); rename the layers.")


def write_layer_groups(group, layers):
    write_names(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"], group.attrs["keras_version"] = BACKEND, KERAS_VERSION
    for layer in sorted(layers, key=lambda item: item.name):  # Keras: sorted, so no name prefixes another
        layer_group = group.create_group(layer.name)
        names = legacy_weight_names(layer)
        write_names(layer_group, "weight_names", names)
        for name, weight in zip(names, legacy_weights(layer)):
            write_array(layer_group, name, weight.data)


def _write_optimizer(h5, model):
    optimizer, variables = model.optimizer, optimizer_variables(model)
    state = optimizer.get_state(variables)
    names = [f"{optimizer.name}/iteration"] + ([] if callable(optimizer.learning_rate) else
                                              [f"{optimizer.name}/learning_rate"])
    for group in optimizer.slot_groups:
        for v in variables:
            keys = [k for k in group if k in optimizer.slots_of(v)]
            names += [f"{optimizer.name}/{(v.name or 'w').replace('/', '_')}_{SLOT_NAMES.get(k, k)}" for k in keys]
    names += [f"{optimizer.name}/{name}" for name in optimizer.extra_state]
    names = [n if names.index(n) == i else f"{n}_{i}" for i, n in enumerate(names)]
    group = h5.create_group("optimizer_weights")
    write_names(group, "weight_names", names)
    for name, value in zip(names, state):
        write_array(group, name, value)


# -- reading ------------------------------------------------------------------------------------
def load_h5(path, custom_objects=None, compile=True, safe_mode=True):
    with SafeHDF5(path, path) as reader:
        config = reader.json(reader.file, "model_config")
        if config is None:
            reader.fail("it has no model_config: it holds weights only. Build the model in Python, then "
                        "call model.load_weights(...)")
        loader = ObjectLoader(path, custom_objects, safe_mode)
        model = model_from_entry(config, loader)
        weights = reader.group("model_weights")
        if weights is None:
            reader.fail("it has no model_weights group")
        plan = WeightPlan(reader)
        plan_layers(plan, weights, model)
        training = reader.json(reader.file, "training_config") if compile else None
        if compile and compile_from_config(model, training, loader, keras2=True):
            _plan_optimizer(plan, model)
        plan.apply()
    return model


def load_weights_h5(model, path, skip_mismatch=False, by_name=False):
    with SafeHDF5(path, path) as reader:
        group = reader.group("model_weights") or reader.file
        plan = WeightPlan(reader, skip_mismatch)
        plan_layers(plan, group, model, by_name)
        plan.apply()


def plan_layers(plan, group, model, by_name=False):
    reader = plan.reader
    saved = []
    for name in reader.names(group, "layer_names"):
        layer_group = reader.group(f"{group.name}/{name}")
        if layer_group is None:
            reader.fail(f"layer_names lists {name!r}, but there is no such group")
        names = reader.names(layer_group, "weight_names")
        if names:
            saved.append((name, layer_group, names))
    layers = [layer for layer in keras_layers(model) if legacy_weights(layer)]
    if by_name:
        by_layer = {}
        for layer in layers:
            by_layer.setdefault(layer.name, []).append(layer)
        pairs = [(entry, layer) for entry in saved for layer in by_layer.get(entry[0], [])]
    else:
        if len(saved) != len(layers):
            reader.fail(f"it holds weights for {len(saved)} layers, but the model has {len(layers)} layers with "
                        "weights (load by layer name with by_name=True). Nothing was loaded")
        pairs = list(zip(saved, layers))
    for (name, layer_group, names), layer in pairs:
        variables = legacy_weights(layer)
        if len(names) != len(variables):
            plan.mismatch(f"layer {name!r} holds {len(names)} weights in the file, but the model's layer "
                          f"{layer.name!r} has {len(variables)}")
            continue
        datasets = [reader.dataset(layer_group, n) for n in names]
        missing = [n for n, ds in zip(names, datasets) if ds is None]
        if missing:
            reader.fail(f"layer {name!r} lists weights {missing} that the file does not hold")
        plan.add(variables, datasets, [f"{layer_group.name}/{n}" for n in names], f"layer {layer.name!r}")


def _plan_optimizer(plan, model):
    reader = plan.reader
    group = reader.group("optimizer_weights")
    if group is None or not has_optimizer(model):
        return
    names = reader.names(group, "weight_names")
    datasets = [reader.dataset(group, n) for n in names]
    if any(ds is None for ds in datasets):
        reader.fail("optimizer_weights lists arrays that the file does not hold")
    plan.add_optimizer(model.optimizer, optimizer_variables(model), datasets, "optimizer_weights")
