"""Keras 2's ``keras.utils.np_utils``, kept so the course's ``np_utils.to_categorical`` runs."""
from deepbasics.utils.categorical import normalize, to_categorical

__all__ = ["to_categorical", "normalize"]
