"""Whole models in Keras 3's ``.keras`` zip (config, metadata, weights), and weights alone in
Keras 3's ``.weights.h5``."""
import datetime

from deepbasics.saving import keras_archive
from deepbasics.saving.compile_config import compile_config, compile_from_config
from deepbasics.saving.hdf5_reader import SafeHDF5
from deepbasics.saving.hdf5_writer import hdf5_bytes, new_hdf5_file
from deepbasics.saving.keras_objects import KERAS3, plain
from deepbasics.saving.keras_weights import plan_weights, write_weights
from deepbasics.saving.model_config import model_entry, model_from_entry
from deepbasics.saving.object_loader import ObjectLoader
from deepbasics.saving.weight_plan import WeightPlan

KERAS_VERSION = "3.15.1"  # the Keras release whose format these files follow


def save_keras(model, path, include_optimizer=True):
    """Everything is serialized first; only then is the file written, atomically."""
    from deepbasics import __version__

    config = model_entry(model, KERAS3)
    compile_cfg = compile_config(model, KERAS3) if include_optimizer else None
    if compile_cfg is not None:
        config["compile_config"] = compile_cfg
    weights = hdf5_bytes(lambda h5: write_weights(h5, model, include_optimizer))
    metadata = {"keras_version": KERAS_VERSION, "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
                "deepbasics_version": __version__}
    keras_archive.write_archive(path, plain(config), metadata, weights)


def load_keras(path, custom_objects=None, compile=True, safe_mode=True):
    archive = keras_archive.read_archive(path)
    loader = ObjectLoader(path, custom_objects, safe_mode)
    with SafeHDF5(archive["weights"], path, member=keras_archive.WEIGHTS) as reader:
        model = model_from_entry(archive["config"], loader)
        compiled = compile and compile_from_config(model, archive["config"].get("compile_config"), loader)
        plan = WeightPlan(reader)
        plan_weights(plan, model, restore_optimizer=compiled)
        plan.apply()
    return model


def save_weights_h5(model, path):
    with new_hdf5_file(path) as h5:
        write_weights(h5, model)


def load_weights_h5(model, path, skip_mismatch=False, source=None, member=None):
    """Keras 3 layout from a .weights.h5 file (or the weights member of a .keras archive)."""
    with SafeHDF5(path if source is None else source, path, member=member) as reader:
        plan = WeightPlan(reader, skip_mismatch)
        plan_weights(plan, model)
        plan.apply()
