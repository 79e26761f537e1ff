"""Saving and loading models in Keras's own file formats (``keras.saving``'s path).

``.keras`` (Keras 3's zip) and ``.h5`` (Keras 2's HDF5) for whole models; ``.weights.h5``
(Keras 3) and ``.h5`` (Keras 2) for weights. Files written here load in real Keras, and files
written by Keras load here. Loading never runs code from the file; every bad file raises one
``ModelFileError`` (a ``ValueError``) naming the file and the problem. h5py comes with the
``interop`` extra: ``pip install 'deepbasics[interop]'``.
"""
from deepbasics.saving.errors import ModelFileError
from deepbasics.saving.saving_api import load_model, load_weights, save_model, save_weights

__all__ = ["ModelFileError", "load_model", "load_weights", "save_model", "save_weights"]
