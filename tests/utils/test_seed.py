"""set_random_seed: one call makes initializers, NumPy, Python's random and the library's
generator repeat; bad seeds are refused."""
import random

import numpy as np
import pytest

from deepbasics import backend, initializers
from deepbasics.utils import set_random_seed


def draws():
    return (initializers.get("glorot_uniform")((4, 3)), initializers.get("he_normal")((3, 2)),
            np.random.permutation(10), backend.rng().permutation(10), random.random())


def test_same_seed_same_draws():
    set_random_seed(123)
    first = draws()
    set_random_seed(123)
    second = draws()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_different_seeds_differ():
    set_random_seed(1)
    a = draws()
    set_random_seed(2)
    b = draws()
    assert not np.array_equal(a[0], b[0])
    assert not np.array_equal(a[3], b[3])


def test_numpy_integer_seed_is_accepted():
    set_random_seed(np.int64(7))
    a = np.random.permutation(5)
    set_random_seed(7)
    np.testing.assert_array_equal(a, np.random.permutation(5))


@pytest.mark.parametrize("seed", [1.5, "42", None, True, [1]])
def test_bad_seed_type_is_an_error(seed):
    with pytest.raises(ValueError, match="Expected `seed` argument to be an integer"):
        set_random_seed(seed)
