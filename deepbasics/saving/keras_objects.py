"""deepbasics objects -> Keras configs: Keras 3's ``{module, class_name, config, registered_name}``
(for .keras) or Keras 2's ``{class_name, config}`` (for .h5).

Layers give their Keras 2 style config (``get_config``); this module adds Keras 3's module
names, dtype policies and function references, and drops the Keras 2 arguments Keras 3 refuses.
"""
import numpy as np

from deepbasics import activations
from deepbasics.layers import Lambda
from deepbasics.saving import allowlist

KERAS3, KERAS2 = "keras3", "keras2"
KERAS_ACTIVATIONS = set(activations.ALL_ACTIVATIONS) - {"step", "sign"}  # Keras has no step, no sign
KERAS2_ONLY = ("batch_input_shape", "input_length")  # Keras 3's layers refuse these arguments


def dtype_policy(name):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


def keras_object(family, class_name, config, form, cls=None, module_always=False):
    """One object in the file's form; a class outside the allowlist keeps its own module.
    ``module_always``: Keras 2's form with the module all the same (Keras 3 finds a layer
    nested in a wrapper only by its module, also in a .h5 file)."""
    if form == KERAS2 and not module_always:
        return {"class_name": class_name, "config": config}
    own = cls is not None and allowlist.lookup(family, class_name) is not cls
    module = cls.__module__ if own else allowlist.KERAS_MODULES[family]
    return {"module": module, "class_name": class_name, "config": config,
            "registered_name": class_name if own else None}


def function_ref(name, module, form):
    """A function by name (Keras 3 writes the name, never the code); loading needs custom_objects."""
    if form == KERAS2:
        return name
    return {"module": module, "class_name": "function", "config": name, "registered_name": "function"}


def _family_of(key):
    if key.endswith("_initializer"):
        return "initializers"
    if key.endswith("_regularizer"):
        return "regularizers"
    if key.endswith("_constraint"):
        return "constraints"
    if key in ("layer", "backward_layer"):
        return "layers"
    if key == "learning_rate":
        return "schedules"
    return None


def convert_config(config, form):
    """A ``get_config()`` dict in the file's form (nested objects, dtypes, activations)."""
    out = {}
    for key, value in config.items():
        if form == KERAS3 and key in KERAS2_ONLY:
            continue
        family = _family_of(key)
        if key == "dtype" and form == KERAS3 and isinstance(value, str):
            value = dtype_policy(value)
        elif family and isinstance(value, dict) and "class_name" in value and "module" not in value:
            inner = value.get("config", {})
            inner = convert_config(inner, form) if family == "layers" else plain(inner)
            value = keras_object(family, value["class_name"], inner, form, module_always=family == "layers")
        elif key in ("activation", "recurrent_activation") and form == KERAS3 and value not in KERAS_ACTIVATIONS:
            value = function_ref(value, "builtins", form)
        out[key] = plain(value)
    return out


def layer_config(layer, form):
    """The layer's config in the file's form (a Lambda names its function, never its code)."""
    config = layer.get_config()
    if isinstance(layer, Lambda):
        fn = layer.function
        if getattr(fn, "__name__", "<lambda>") == "<lambda>":
            raise ValueError(f"Lambda layer {layer.name!r} wraps an anonymous `lambda`: its code would have to "
                             "be stored in the file, and deepbasics never stores code. Define the function "
                             "with `def`, then pass it back when loading: custom_objects={'name': function}.")
        config["function"] = function_ref(fn.__name__, fn.__module__, KERAS3)  # also in .h5, as Keras 3 writes it
    return convert_config(config, form)


def plain(value):
    """JSON-ready: tuples as lists, NumPy scalars and arrays as Python numbers and lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def shape_json(shape):
    """A shape, or a list of shapes (a merge layer's input), as JSON lists."""
    if shape is None:
        return None
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
        return [shape_json(s) for s in shape]
    return [None if d is None else int(d) for d in shape]
