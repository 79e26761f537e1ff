"""Exporting a model for inference elsewhere, as Keras 3's ``keras.export``: ``format='onnx'``.

``model.export('m.onnx', format='onnx')`` writes an ONNX model (opset 17, IR version 8, a
dynamic batch axis) that ONNX Runtime runs. It needs the ``onnx`` package (the ``interop``
extra); ``import deepbasics`` never imports it.
"""
import os

FORMATS = ("onnx",)
OPSET = 17  # also in onnx_graph, which imports onnx; here without it


def export_model(model, filepath, format="onnx", verbose=None, input_signature=None, opset_version=None,
                 **kwargs):
    """Write ``model`` (Sequential or functional) to ``filepath`` in ``format``, atomically.

    Everything is checked and the whole ONNX model is built in memory first: on any error no
    file is written and an existing one is left as it was. ``verbose`` (default on, as Keras)
    prints where the file went.
    """
    _check_arguments(model, format, input_signature, opset_version, kwargs)
    path = _checked_path(filepath)
    _require_onnx()
    from deepbasics.export import onnx_model
    from deepbasics.utils.files import atomic_write

    proto = onnx_model.build(model)
    with atomic_write(path, "wb") as f:
        f.write(proto.SerializeToString())
    if verbose is None or verbose:
        print(f"Saved artifact at '{path}'.")


def _check_arguments(model, format, input_signature, opset_version, kwargs):
    from deepbasics.models import Model

    if kwargs:
        raise TypeError(f"export() got unexpected keyword arguments {sorted(kwargs)}.")
    if not isinstance(model, Model):
        raise TypeError(f"export expects a deepbasics Model, received {type(model).__name__}.")
    if format not in FORMATS:
        hint = ""
        if format == "tf_saved_model":
            hint = " (Keras's default, a TensorFlow SavedModel, needs TensorFlow; deepbasics writes ONNX)"
        raise ValueError(f"Unrecognized format={format!r}{hint}. Expected one of {FORMATS}.")
    if input_signature is not None:
        raise ValueError(f"`input_signature` is not supported: the ONNX model takes the model's own input shapes, "
                         f"with a dynamic batch axis. Received input_signature={input_signature!r}")
    if opset_version not in (None, OPSET):
        raise ValueError(f"ONNX export writes opset {OPSET}; received opset_version={opset_version!r}.")


def _checked_path(filepath):
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(f"`filepath` must be a str or a path, received {type(filepath).__name__}: {filepath!r}")
    path = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ValueError(f"`filepath` must name a file, received the folder {path!r}.")
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot export to {path!r}: the folder {folder!r} does not exist.")
    return path


def _require_onnx():
    try:
        import onnx  # noqa: F401 - only to learn whether it is installed
    except ImportError as error:
        raise ImportError("ONNX export needs the `onnx` package: pip install 'deepbasics[interop]'") from error
