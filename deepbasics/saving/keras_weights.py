"""Keras 3's weights layout (``model.weights.h5`` in a .keras file, and ``.weights.h5``):
``<path>/vars/<i>`` per object (see ``weights_layout``) and ``optimizer/vars/<i>`` holding
the optimizer's state in Keras's order (``Optimizer.get_state``)."""
from deepbasics.models import freezing
from deepbasics.saving.hdf5_writer import write_array
from deepbasics.saving.weights_layout import keras3_groups


def optimizer_variables(model):
    """The weights the optimizer updates, in the order it keeps their slots (compile's flags)."""
    return freezing.trainable_at_compile(model, model._compile_flags)


def has_optimizer(model):
    return getattr(model, "compiled", False) and model.optimizer is not None


def write_weights(h5, model, include_optimizer=True):
    for path, variables, name in keras3_groups(model):
        group = h5.require_group(path)
        group.attrs["name"] = name
        for i, variable in enumerate(variables):
            write_array(group, str(i), variable.data)
    if include_optimizer and has_optimizer(model):
        group = h5.require_group("optimizer/vars")
        group.attrs["name"] = model.optimizer.name
        for i, value in enumerate(model.optimizer.get_state(optimizer_variables(model))):
            write_array(group, str(i), value)


def plan_weights(plan, model, restore_optimizer=True):
    """Add every layer's weights (and the optimizer's state) of ``model`` to ``plan``."""
    reader = plan.reader
    for path, variables, name in keras3_groups(model):
        if not variables:
            continue
        group = reader.group(path)
        count = 0 if group is None else len(group)
        if count != len(variables):
            plan.mismatch(f"'{path}' holds {count} weights, but layer {name!r} has {len(variables)}")
            continue
        wheres = [f"{path}/{i}" for i in range(count)]
        datasets = [reader.dataset(group, str(i)) for i in range(count)]
        if any(ds is None for ds in datasets):
            plan.mismatch(f"'{path}' does not number its weights 0 to {count - 1}")
            continue
        plan.add(variables, datasets, wheres, f"layer {name!r}")
    group = reader.group("optimizer/vars")
    if restore_optimizer and group is not None and has_optimizer(model):
        datasets = [reader.dataset(group, str(i)) for i in range(len(group))]
        if any(ds is None for ds in datasets):
            reader.fail("'optimizer/vars' does not number its arrays from 0")
        plan.add_optimizer(model.optimizer, optimizer_variables(model), datasets, "optimizer/vars")
