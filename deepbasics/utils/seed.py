"""One call that makes a run repeatable."""
import random

import numpy as np

from deepbasics import backend


def set_random_seed(seed):
    """Seed Python's ``random``, NumPy's global generator and deepbasics' own generator.

    After it, weight initialisation, dropout masks and ``fit``'s shuffling repeat bit for bit.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r} (of type {type(seed)})")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    backend.set_seed(int(seed))
