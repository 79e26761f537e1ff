"""Fixtures of the saving tests: ``keras_python``, an interpreter with real Keras (or a skip)."""
import os

import pytest
from keras_interop import find_keras_python


@pytest.fixture(scope="session")
def keras_python():
    """Skipped without Keras; but a DEEPBASICS_KERAS_PYTHON that cannot import keras is a broken
    setup (CI's), and fails."""
    python, reason = find_keras_python()
    if python is None:
        (pytest.fail if os.environ.get("DEEPBASICS_KERAS_PYTHON") else pytest.skip)(reason)
    return python
