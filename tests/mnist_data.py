"""The real MNIST files for the tests: where they are, a skip marker, and cached subsets.

``$DEEPBASICS_DATA_DIR`` wins; otherwise the shared data folder beside the repository.
"""
import functools
import os
from pathlib import Path

import numpy as np
import pytest

from deepbasics.datasets import mnist

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = os.environ.get("DEEPBASICS_DATA_DIR") or str(REPO.parent / "shared" / "data" / "mnist")
HAVE_DATA = all(any((Path(DATA_DIR) / (stem + ext)).is_file() for ext in ("", ".gz"))
                for stem, _, _ in mnist.IDX_FILES.values())
needs_data = pytest.mark.skipif(not HAVE_DATA, reason=f"the MNIST IDX files are not in {DATA_DIR}; "
                                                      "set DEEPBASICS_DATA_DIR to a folder holding them")


@functools.lru_cache(maxsize=None)
def raw():
    """``mnist.load_data()`` from DATA_DIR, read once per test session."""
    previous = os.environ.get("DEEPBASICS_DATA_DIR")
    os.environ["DEEPBASICS_DATA_DIR"] = DATA_DIR
    try:
        return mnist.load_data()
    finally:
        if previous is None:
            del os.environ["DEEPBASICS_DATA_DIR"]
        else:
            os.environ["DEEPBASICS_DATA_DIR"] = previous


def subset(n_train, n_test):
    """The first images as the course prepares them: x (n, 784) float32 in [0, 1], integer labels."""
    (x_train, y_train), (x_test, y_test) = raw()

    def pixels(images):
        return images.reshape(len(images), 784).astype("float32") / 255.0

    return (pixels(x_train[:n_train]), y_train[:n_train].astype(np.int64),
            pixels(x_test[:n_test]), y_test[:n_test].astype(np.int64))
