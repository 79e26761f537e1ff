"""Floor 6: models and their training loop."""
from deepbasics.models.functional import Functional
from deepbasics.models.model import Model
from deepbasics.models.sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Keras's ``keras.models.load_model``: see ``deepbasics.saving.load_model``."""
    from deepbasics import saving  # saving sits above models: imported when first used

    return saving.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, **kwargs):
    """Keras's ``keras.models.save_model``: see ``deepbasics.saving.save_model``."""
    from deepbasics import saving

    return saving.save_model(model, filepath, overwrite=overwrite, **kwargs)


__all__ = ["Functional", "Model", "Sequential", "load_model", "save_model"]
