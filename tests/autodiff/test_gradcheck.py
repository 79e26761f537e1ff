"""The checker itself: it passes correct backwards and catches wrong ones, elementwise and
along random directions."""
import numpy as np
import pytest

from deepbasics import ops
from deepbasics.autodiff import Function, Tensor, gradcheck


class Cube(Function):
    """y = x^3;  dy/dx = 3 x^2."""

    def forward(self, x):
        self.save_for_backward(x)
        return x**3

    def backward(self, gy):
        (x,) = self.saved
        return gy * 3.0 * x * x


class CubeWrongFactor(Cube):
    def backward(self, gy):
        (x,) = self.saved
        return gy * 2.0 * x * x  # wrong: 2 instead of 3


class CubeForgetsGy(Cube):
    def backward(self, gy):
        (x,) = self.saved
        return 3.0 * x * x  # wrong: ignores the upstream gradient


class MulSwapped(Function):
    """z = x * y with the two gradients swapped (right only where x == y)."""

    def forward(self, x, y):
        self.save_for_backward(x, y)
        return x * y

    def backward(self, gy):
        x, y = self.saved
        return gy * x, gy * y


X = np.random.default_rng(0).normal(size=(3, 4))


def test_passes_a_correct_backward():
    assert gradcheck(lambda x: Cube()(x), [X]) is True


def test_catches_a_wrong_derivative():
    with pytest.raises(AssertionError, match="input 0"):
        gradcheck(lambda x: CubeWrongFactor()(x), [X])


def test_catches_a_backward_that_forgets_gy():
    # a check of sum(f(x)) (upstream gradient of ones) would not see this bug
    x = Tensor(X, requires_grad=True)
    CubeForgetsGy()(x).backward(np.ones(X.shape))
    np.testing.assert_allclose(x.grad, 3 * X**2)
    with pytest.raises(AssertionError):
        gradcheck(lambda t: CubeForgetsGy()(t), [X])


def test_catches_swapped_gradients_of_the_second_input():
    y = np.random.default_rng(1).normal(size=(3, 4))
    with pytest.raises(AssertionError, match="input 0"):
        gradcheck(lambda a, b: MulSwapped()(a, b), [X, y])
    with pytest.raises(AssertionError, match="input 1"):
        gradcheck(lambda a, b: MulSwapped()(a, b), [X, y], wrt=[1])


def test_failure_names_the_worst_index_and_both_values():
    with pytest.raises(AssertionError, match=r"at index \(\d+, \d+\): analytic .* vs numeric"):
        gradcheck(lambda x: CubeWrongFactor()(x), [X])


def test_directional_mode_passes_correct_and_catches_wrong():
    big = np.random.default_rng(2).normal(size=(20, 30))
    assert gradcheck(lambda x: Cube()(x), [big], directions=3)
    with pytest.raises(AssertionError, match="random direction"):
        gradcheck(lambda x: CubeWrongFactor()(x), [big], directions=3)


def test_inputs_are_cast_to_float64():
    seen = []

    def fn(x):
        seen.append(x.dtype)
        return x * 2.0

    gradcheck(fn, [X.astype(np.float32)])
    assert set(seen) == {np.dtype(np.float64)}


def test_integer_inputs_are_not_differentiated():
    labels = np.array([0, 2, 1])
    z = np.random.default_rng(3).normal(size=(3, 4))
    assert gradcheck(lambda t, y: ops.sparse_softmax_cross_entropy(t, y), [z, labels])


def test_a_missing_gradient_counts_as_zero():
    class Detaches(Function):
        def forward(self, x):
            return x * 2.0

        def backward(self, gy):
            return None

    with pytest.raises(AssertionError):
        gradcheck(lambda x: Detaches()(x), [X])
    # and a function that truly does not depend on x passes with a zero gradient
    assert gradcheck(lambda x, c: c * 1.0 + 0.0 * x, [X, X + 1], wrt=[0])
