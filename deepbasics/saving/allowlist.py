"""The closed list of classes a model file may name, by family, with Keras's module names.

Loading looks a ``class_name`` up here (or in the caller's ``custom_objects``) and nowhere
else: the ``module`` field of a file is checked, never imported.
"""
import inspect

from deepbasics import constraints, initializers, layers, losses, metrics, optimizers, regularizers
from deepbasics.optimizers import schedules

KERAS_MODULES = {
    "layers": "keras.layers", "initializers": "keras.initializers", "regularizers": "keras.regularizers",
    "constraints": "keras.constraints", "optimizers": "keras.optimizers",
    "schedules": "keras.optimizers.schedules", "losses": "keras.losses", "metrics": "keras.metrics",
}
MODEL_CLASSES = ("Sequential", "Functional", "Model")
# where Keras 3 says a model's class lives (module, registered_name), as it writes them
MODEL_MODULES = {"Sequential": ("keras", None), "Functional": ("keras.src.models.functional", "Functional")}


def _classes(table):
    """The class-named entries of a family's registry ('GlorotUniform', not 'glorot_uniform')."""
    return {name: cls for name, cls in table.items() if inspect.isclass(cls) and name[:1].isupper()}


def _layer_classes():
    found = {}
    for name in layers.__all__:
        cls = getattr(layers, name)
        if inspect.isclass(cls) and issubclass(cls, layers.Layer) and cls is not layers.Layer:
            found[name] = cls
    return found


FAMILIES = {
    "layers": _layer_classes(),
    "initializers": _classes(initializers.ALL_INITIALIZERS),
    "regularizers": _classes(regularizers.ALL_REGULARIZERS),
    "constraints": _classes(constraints.ALL_CONSTRAINTS),
    "optimizers": dict(optimizers.ALL_OPTIMIZERS),
    "schedules": dict(schedules.ALL_SCHEDULES),
    "losses": _classes(losses.ALL_LOSSES),
    "metrics": _classes(metrics.ALL_METRICS),
}


def lookup(family, class_name):
    """The deepbasics class for ``class_name`` in ``family``, or None."""
    table = FAMILIES[family]
    found = table.get(class_name)
    if found is None and family == "optimizers":  # Keras resolves optimizer names case-insensitively
        found = {k.lower(): v for k, v in table.items()}.get(class_name.lower())
    return found


def known(family):
    return sorted(FAMILIES[family]) + (list(MODEL_CLASSES) if family == "layers" else [])


def is_keras_module(module):
    """True for the module names Keras writes ('keras', 'keras.layers', 'keras.src.models...')."""
    return module is None or module == "keras" or (isinstance(module, str) and module.startswith("keras."))
