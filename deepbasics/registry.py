"""One helper for every Keras-named family: resolve a name, a config dict, a class or an object."""
import inspect
import re


def unknown(kind, name, names, extra=""):
    listed = ", ".join(repr(n) for n in sorted(names))
    return ValueError(f"Unknown {kind} {name!r}. Expected one of {listed}{extra}.")


def resolve(identifier, kind, registry, base=None, case_insensitive=False, extra=""):
    """Turn ``identifier`` into an object of the family ``kind``.

    ``registry`` maps Keras names to classes or functions. A string is looked up (and a class
    found there is instantiated with defaults); a dict ``{"class_name": ..., "config": {...}}``
    builds a class from its config; a class is instantiated; anything else is returned as is.
    """
    if isinstance(identifier, str):
        key = identifier.lower() if case_insensitive else identifier
        table = {k.lower(): v for k, v in registry.items()} if case_insensitive else registry
        if key not in table:
            raise unknown(kind, identifier, table, extra)
        found = table[key]
        return found() if inspect.isclass(found) else found
    if isinstance(identifier, dict):
        name = identifier.get("class_name")
        config = identifier.get("config", {}) or {}
        table = {k.lower(): v for k, v in registry.items()} if case_insensitive else registry
        found = table.get(name.lower() if case_insensitive and name else name)
        if found is None:
            raise unknown(kind, name, registry, extra)
        return found.from_config(config) if hasattr(found, "from_config") else found
    if inspect.isclass(identifier) and (base is None or issubclass(identifier, base)):
        return identifier()
    return identifier


def snake_case(name):
    """'BatchNormalization' -> 'batch_normalization', 'Conv2D' -> 'conv2d' (Keras's rule)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
