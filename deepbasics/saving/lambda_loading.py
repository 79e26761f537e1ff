"""Rebuilding a Lambda layer: its function comes from ``custom_objects``.

A Lambda saved by Keras around an anonymous ``lambda`` carries the function's bytecode.
Loading it means running that code, so it is refused unless the caller passes
``safe_mode=False`` (Keras's rule); even then nothing else in the file can run code.
"""
import base64
import binascii
import builtins
import marshal
import types

from deepbasics.layers import Lambda
from deepbasics.saving.errors import short

PASSED_ON = ("name", "trainable", "dtype", "batch_input_shape", "input_shape")


def lambda_layer(loader, config, where):
    function = _function(loader, config.get("function"), config.get("function_type"), where)
    shape = config.get("output_shape")
    if isinstance(shape, (dict, str)) or config.get("output_shape_type") == "lambda":
        shape = _function(loader, shape, config.get("output_shape_type"), f"{where} output_shape")
    elif isinstance(shape, list):
        shape = tuple(shape)
    arguments = config.get("arguments") or {}
    if not isinstance(arguments, dict):
        loader.fail(f"{where}: `arguments` should be an object, found {short(arguments)}")
    kwargs = {k: config[k] for k in PASSED_ON if k in config}
    if "dtype" in kwargs:
        kwargs["dtype"] = loader.dtype(kwargs["dtype"], f"{where} dtype")
    try:
        return Lambda(function, output_shape=shape, arguments=arguments, **kwargs)
    except (TypeError, ValueError) as exc:
        loader.fail(f"{where} cannot be built ({exc})")


def _function(loader, spec, spec_type, where):
    """The function behind ``spec``: a name (custom_objects) or stored bytecode."""
    if isinstance(spec, dict) and spec.get("class_name") == "__lambda__":  # Keras 3
        code = spec.get("config") or {}
        return _from_code(loader, code.get("code"), code.get("defaults"), code.get("closure"), where)
    if isinstance(spec, (list, tuple)) or spec_type == "lambda":  # Keras 2: [code, defaults, closure]
        parts = list(spec) if isinstance(spec, (list, tuple)) else [spec]
        code, defaults, closure = (parts + [None, None])[:3]
        return _from_code(loader, code, defaults, closure, where)
    if isinstance(spec, dict):
        class_name, name, _, _ = loader.parse(spec, where)
        if class_name != "function":
            loader.fail(f"{where} should name a function, found {short(spec)}")
        spec = name
    if not isinstance(spec, str):
        loader.fail(f"{where} should name a function, found {short(spec)}")
    found = loader.custom_object(spec)
    if found is None or not callable(found):
        loader.fail(f"{where} calls the function {spec!r}, which a file never holds: pass it when loading, "
                    f"custom_objects={{{spec!r}: {spec}}}")
    return found


def _from_code(loader, code, defaults, closure, where):
    if loader.safe_mode:
        loader.fail(f"{where} holds a Python lambda as bytecode; loading it would run code from the file. "
                    "If you trust this file, pass safe_mode=False; otherwise rebuild the layer in Python")
    try:
        raw = base64.decodebytes(code.encode("ascii"))
        compiled = marshal.loads(raw)
        if not isinstance(compiled, types.CodeType):
            raise ValueError("not a code object")
        cells = None if closure is None else tuple(types.CellType(v) for v in closure)
        return types.FunctionType(compiled, {"__builtins__": builtins}, compiled.co_name,
                                  None if defaults is None else tuple(defaults), cells)
    except (AttributeError, TypeError, ValueError, EOFError, binascii.Error) as exc:
        loader.fail(f"{where}: its stored lambda cannot be read by this Python ({exc})")
