"""Shared fixtures. Test directories have no ``__init__.py``, so helpers live here as fixtures."""
import numpy as np
import pytest


@pytest.fixture
def rng():
    """A seeded generator: every test draws the same numbers on every run."""
    return np.random.default_rng(0)
