"""Keras configs -> deepbasics objects, for one file.

A ``class_name`` is looked up in the caller's ``custom_objects``, then in the allowlist of
its family, never imported; a ``module`` that is not Keras's is refused. Keras's arguments
that deepbasics lacks are dropped when they hold Keras's default and refused otherwise.
A Lambda's function comes from ``custom_objects``; stored code runs only with safe_mode=False.
"""
import inspect

from deepbasics import activations, constraints, initializers, layers, losses, metrics, optimizers, regularizers
from deepbasics.saving import allowlist, lambda_loading, model_config
from deepbasics.saving.errors import ModelFileError, short

# Keras arguments deepbasics has no use for, with the value that means "off"
KERAS_DEFAULTS = {
    "quantization_config": None, "renorm": False, "renorm_clipping": None,
    "renorm_momentum": 0.99, "sparse": False, "ragged": False, "optional": False, "input_axes": None,
    "output_axes": None, "autocast": True, "lora_alpha": None, "synchronized": False,
}
KERAS_MASK_ONLY = ("zero_output_for_mask",)  # acts on masked steps only, and deepbasics has no masks
KERAS2_OPTIMIZER_ONLY = ("jit_compile", "is_legacy_optimizer")
FLOAT_DTYPES = ("float16", "float32", "float64")
REGISTRIES = {"initializers": initializers.get, "regularizers": regularizers.get, "constraints": constraints.get,
              "optimizers": optimizers.get, "losses": losses.get, "metrics": metrics.get}


class ObjectLoader:
    """Builds the objects of one file (``path`` names it in every error)."""

    def __init__(self, path, custom_objects=None, safe_mode=True):
        if custom_objects is not None and not isinstance(custom_objects, dict):
            raise TypeError(f"`custom_objects` must be a dict of names to classes or functions, "
                            f"received {type(custom_objects).__name__}")
        self.path, self.custom, self.safe_mode = path, dict(custom_objects or {}), bool(safe_mode)

    def fail(self, problem):
        raise ModelFileError(self.path, problem)

    def parse(self, value, where):
        """``(class_name, config, module, registered_name)`` of a serialized object."""
        if not isinstance(value, dict) or not isinstance(value.get("class_name"), str):
            self.fail(f"{where} should be a Keras object {{'class_name': ..., 'config': ...}}, found {short(value)}")
        config = value.get("config", {})
        config = {} if config is None else config
        if value["class_name"] != "function" and not isinstance(config, dict):
            self.fail(f"{where}: the config of {value['class_name']!r} should be an object, found {short(config)}")
        return value["class_name"], config, value.get("module"), value.get("registered_name")

    def custom_object(self, *names):
        for name in names:
            if isinstance(name, str) and name in self.custom:
                return self.custom[name]
        return None

    def resolve_class(self, family, class_name, module, registered, where):
        found = self.custom_object(class_name, registered)
        if found is not None:
            return found
        if not allowlist.is_keras_module(module):
            self.fail(f"{where} names {class_name!r} from module {module!r}, which is not a Keras module; only "
                      "Keras's own classes and those passed in custom_objects are loaded (nothing is imported)")
        found = allowlist.lookup(family, class_name)
        if found is None:
            self.fail(f"{where} is of unknown class {class_name!r}. The {family} deepbasics loads are: "
                      f"{', '.join(allowlist.known(family))}; pass your own classes in custom_objects")
        return found

    def build(self, cls, config, where):
        """``cls.from_config(config)``, any failure reported as a bad file."""
        try:
            return cls.from_config(config) if hasattr(cls, "from_config") else cls(**config)
        except (TypeError, ValueError, KeyError) as exc:
            self.fail(f"{where}: {getattr(cls, '__name__', cls)} cannot be built from its config ({exc})")

    # -- small objects ---------------------------------------------------------------------------
    def obj(self, family, value, where):
        """An initializer, regularizer, constraint, optimizer, schedule, loss or metric."""
        if value is None:
            return None
        if isinstance(value, str):
            return self.by_name(family, value, where)
        class_name, config, module, registered = self.parse(value, where)
        if class_name == "function":
            return self.function(config, where, family)
        cls = self.resolve_class(family, class_name, module, registered, where)
        if not inspect.isclass(cls):
            return cls
        return self.build(cls, self.translate(family, config, where), f"{where} ({class_name})")

    def by_name(self, family, name, where):
        found = self.custom_object(name)
        if found is not None:
            return found
        if family == "metrics" and name.lower() in metrics.ACCURACY_NAMES:
            return name  # resolved by compile from the data's shapes
        if family not in REGISTRIES:
            self.fail(f"{where} should be a Keras object {{'class_name': ..., 'config': ...}}, found {short(name)}")
        try:
            REGISTRIES[family](name)
        except (ValueError, TypeError) as exc:
            self.fail(f"{where}: {exc}")
        return name  # a Keras name: the layer or compile resolves it, as it would in a script

    def translate(self, family, config, where):
        out = {k: v for k, v in config.items() if k not in KERAS_DEFAULTS or v != KERAS_DEFAULTS[k]}
        if family == "optimizers":
            for key in KERAS2_OPTIMIZER_ONLY:
                out.pop(key, None)
            if "lr" in out:  # Keras 2's name
                out["learning_rate"] = out.pop("lr")
            if isinstance(out.get("learning_rate"), dict):
                out["learning_rate"] = self.obj("schedules", out["learning_rate"], f"{where} learning_rate")
        if family == "losses" and out.get("reduction") == "auto":  # Keras 2's default
            out["reduction"] = "sum_over_batch_size"
        return out

    def activation(self, value, where):
        if value is None:
            return None
        if isinstance(value, dict):
            class_name, config, _, _ = self.parse(value, where)
            if class_name != "function":
                self.fail(f"{where} should name an activation function, found {short(value)}")
            value = config
        if not isinstance(value, str):
            self.fail(f"{where} should name an activation function, found {short(value)}")
        found = self.custom_object(value)
        if found is not None:
            return found
        if value not in activations.ALL_ACTIVATIONS:
            self.fail(f"{where}: unknown activation {value!r}. deepbasics has "
                      f"{', '.join(sorted(activations.ALL_ACTIVATIONS))}; pass your own in custom_objects")
        return value

    def function(self, name, where, family):
        """A function stored by name: the caller's, or a built-in loss, metric or activation."""
        if not isinstance(name, str):
            self.fail(f"{where} should name a function, found {short(name)}")
        found = self.custom_object(name)
        if found is not None:
            return found
        if family in ("losses", "metrics"):
            return self.by_name(family, name, where)
        if name in activations.ALL_ACTIVATIONS:
            return self.activation(name, where)
        self.fail(f"{where} needs the function {name!r}, which is not in the file (it never holds code): "
                  f"pass it when loading, custom_objects={{{name!r}: {name}}}")

    def dtype(self, value, where):
        if isinstance(value, dict):
            class_name, config, _, _ = self.parse(value, where)
            value = config.get("name")
        if value is None:
            return None
        if value not in FLOAT_DTYPES:
            self.fail(f"{where}: dtype {short(value)} is not supported (expected one of {', '.join(FLOAT_DTYPES)})")
        return value

    # -- layers ----------------------------------------------------------------------------------
    def layer(self, entry, where):
        """A layer (or a model used as a layer) from its entry in a model's config."""
        class_name, config, module, registered = self.parse(entry, where)
        where = f"layer {config.get('name', where)!r} ({class_name})"
        if class_name in allowlist.MODEL_CLASSES and self.custom_object(class_name, registered) is None:
            return model_config.model_from_entry(entry, self)
        cls = self.resolve_class("layers", class_name, module, registered, where)
        if cls is layers.Lambda:
            return lambda_loading.lambda_layer(self, config, where)
        return self.build(cls, self.layer_arguments(class_name, config, where), where)

    def layer_arguments(self, class_name, config, where):
        out = {}
        for key, value in config.items():
            if key in KERAS_MASK_ONLY or (key in KERAS_DEFAULTS and value == KERAS_DEFAULTS[key]):
                continue
            family = {"_initializer": "initializers", "_regularizer": "regularizers",
                      "_constraint": "constraints"}.get(key[key.rfind("_"):])
            if key == "dtype":
                value = self.dtype(value, f"{where} dtype")
            elif family:
                value = self.obj(family, value, f"{where} {key}")
            elif key in ("activation", "recurrent_activation"):
                value = self.activation(value, f"{where} {key}")
            elif key in ("layer", "backward_layer") and isinstance(value, dict):
                value = self.layer(value, f"{where} {key}")
            out[key] = value
        if class_name == "BatchNormalization" and isinstance(out.get("axis"), list) and len(out["axis"]) == 1:
            out["axis"] = int(out["axis"][0])  # tf.keras 2 wrote the axis as a list
        if class_name == "LeakyReLU" and "alpha" in out:
            out["negative_slope"] = out.pop("alpha")  # Keras 2's name
        return out
