"""``save_model``, ``load_model``, ``save_weights``, ``load_weights``: the format follows the
file's suffix, as in Keras.

| suffix        | save_model / load_model        | save_weights / load_weights          |
|---------------|--------------------------------|--------------------------------------|
| .keras        | Keras 3's zip                  | (load_weights reads its weights)     |
| .h5, .hdf5    | Keras 2's HDF5 full model      | Keras 2's HDF5 weights (by_name too) |
| .weights.h5   |                                | Keras 3's weights layout             |
"""
import os

from deepbasics.models import Model
from deepbasics.saving import keras_archive, keras_file, legacy_h5
from deepbasics.saving.errors import ModelFileError
from deepbasics.saving.hdf5_reader import SafeHDF5

MODEL_SUFFIXES = (".keras", ".h5", ".hdf5")
WEIGHTS_SUFFIXES = (".weights.h5", ".h5", ".hdf5")


def _path(filepath):
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(f"`filepath` must be a path (str or os.PathLike), received {type(filepath).__name__}")
    return os.fspath(filepath)


def _check_model(model, what):
    if not isinstance(model, Model):
        raise TypeError(f"{what} takes a deepbasics Model, received {type(model).__name__}")


def _check_target(path, overwrite):
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save to {path!r}: the folder {folder!r} does not exist.")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path!r} exists and overwrite=False; nothing was written.")


def _check_source(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No file at {path!r}.")


def _check_built(model, action):
    """Keras refuses weights for a model whose layers have none yet; so does deepbasics."""
    unbuilt = [layer.name for layer in getattr(model, "layers", []) if not layer.built]
    if unbuilt or (not model.built and not model.weights):
        raise ValueError(f"Cannot {action} model {model.name!r}: it is not built yet (layers {unbuilt} have no "
                         "weights). Build it first: model.build((None, ...)) or call it on a batch of data.")


def _unexpected(kwargs, where):
    if kwargs:
        raise TypeError(f"{where}() got unexpected keyword arguments {sorted(kwargs)}")


def save_model(model, filepath, overwrite=True, include_optimizer=True, **kwargs):
    """Save the whole model: ``.keras`` (Keras 3's zip) or ``.h5`` / ``.hdf5`` (Keras 2's HDF5).

    The file is written atomically: on any failure the previous file is left as it was.
    """
    _check_model(model, "save_model")
    path = _path(filepath)
    save_format = kwargs.pop("save_format", None)
    if kwargs.pop("zipped", None) is False:
        raise ValueError("`zipped=False` (a folder instead of a .keras zip) is not supported.")
    _unexpected(kwargs, "save_model")
    if save_format not in (None, "keras", "h5"):
        raise ValueError(f"`save_format` must be 'keras' or 'h5' (TensorFlow's SavedModel is not written), "
                         f"received save_format={save_format!r}")
    suffixes = {"keras": (".keras",), "h5": (".h5", ".hdf5")}.get(save_format, MODEL_SUFFIXES)
    if not path.endswith(suffixes):
        raise ValueError(f"Cannot tell which format to write from filepath={path!r}: it must end in "
                         f"{', '.join(suffixes)} (Keras 3's .keras, or Keras 2's HDF5).")
    _check_target(path, overwrite)
    if path.endswith(".keras"):
        keras_file.save_keras(model, path, include_optimizer)
    else:
        legacy_h5.save_h5(model, path, include_optimizer)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model saved by ``save_model`` or by Keras (``.keras``, ``.h5``). Loading runs no code
    from the file: classes come from deepbasics' closed list or ``custom_objects``; a Lambda's
    stored bytecode is refused unless ``safe_mode=False``. A bad file raises one
    ``ModelFileError`` naming the file and the problem."""
    path = _path(filepath)
    if not path.endswith(MODEL_SUFFIXES):
        raise ValueError(f"Cannot tell the format of filepath={path!r}: it must end in {', '.join(MODEL_SUFFIXES)}.")
    _check_source(path)
    try:
        if path.endswith(".keras"):
            return keras_file.load_keras(path, custom_objects, compile, safe_mode)
        return legacy_h5.load_h5(path, custom_objects, compile, safe_mode)
    except RecursionError:
        raise ModelFileError(path, "its model config is nested too deeply to rebuild") from None
    except MemoryError:
        raise ModelFileError(path, "the model its config describes does not fit in memory") from None


def save_weights(model, filepath, overwrite=True, **kwargs):
    """Save the weights (and the optimizer's state): ``.weights.h5`` (Keras 3's layout) or
    ``.h5`` / ``.hdf5`` (Keras 2's), atomically."""
    _check_model(model, "save_weights")
    path = _path(filepath)
    kwargs.pop("save_format", None)
    _unexpected(kwargs, "save_weights")
    if not path.endswith(WEIGHTS_SUFFIXES):
        raise ValueError(f"Cannot tell which format to write from filepath={path!r}: it must end in "
                         f"{', '.join(WEIGHTS_SUFFIXES)}.")
    _check_built(model, "save the weights of")
    _check_target(path, overwrite)
    if path.endswith(".weights.h5"):
        keras_file.save_weights_h5(model, path)
    else:
        legacy_h5.save_weights_h5(model, path)


def load_weights(model, filepath, skip_mismatch=False, by_name=False, **kwargs):
    """Load weights into ``model``: from ``.weights.h5``, ``.h5``/``.hdf5`` (Keras 2's layout,
    by order or ``by_name=True``) or the weights of a ``.keras`` file. A weight of the wrong
    shape is named with both shapes and nothing changes (``skip_mismatch=True``: skipped with a
    warning)."""
    _check_model(model, "load_weights")
    path = _path(filepath)
    _unexpected(kwargs, "load_weights")
    if not path.endswith(WEIGHTS_SUFFIXES + (".keras",)):
        raise ValueError(f"Cannot tell the format of filepath={path!r}: it must end in "
                         f"{', '.join(WEIGHTS_SUFFIXES + ('.keras',))}.")
    _check_source(path)
    _check_built(model, "load weights into")
    if path.endswith(".keras"):
        if by_name:
            raise ValueError("`by_name=True` applies to Keras 2's .h5 weights only.")
        weights = keras_archive.read_archive(path, need_config=False)["weights"]
        return keras_file.load_weights_h5(model, path, skip_mismatch, source=weights, member=keras_archive.WEIGHTS)
    if _is_legacy(path):
        return legacy_h5.load_weights_h5(model, path, skip_mismatch, by_name)
    if by_name:
        raise ValueError(f"`by_name=True` applies to Keras 2's .h5 weights only; {path!r} has Keras 3's layout.")
    return keras_file.load_weights_h5(model, path, skip_mismatch)


def _is_legacy(path):
    """Keras 2's layout lists its layers in a ``layer_names`` attribute (at the root, or under
    ``model_weights`` in a whole-model file); Keras 3's has a ``layers`` group."""
    with SafeHDF5(path, path) as reader:
        return "layer_names" in reader.file.attrs or reader.group("model_weights") is not None
