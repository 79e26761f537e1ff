"""ConvMaxPool equals Conv then MaxPool, in values and in every gradient, ties included."""
import itertools

import numpy as np
import pytest

from deepbasics.autodiff import Tensor, gradcheck
from deepbasics.ops import conv as C
from deepbasics.ops import conv_pool as CP
from deepbasics.ops import pooling as P

# (spatial, kernel, strides, padding, dilation, pool): odd sizes that the pool crops, strides,
# 'same', dilation, pools that are not square, 1-D
CASES = [
    ((9, 8), (3, 3), (1, 1), "valid", (1, 1), (2, 2)),
    ((8, 7), (3, 2), (1, 1), "same", (1, 1), (2, 2)),
    ((11, 9), (3, 3), (2, 1), "same", (1, 1), (2, 3)),
    ((10, 10), (2, 3), (1, 1), "valid", (2, 1), (3, 2)),
    ((12,), (3,), (1,), "valid", (1,), (2,)),
    ((13,), (5,), (2,), "same", (1,), (3,)),
    ((9,), (2,), (1,), "causal", (2,), (2,)),
]


def two_ops(x, w, b, strides, padding, dilation, pool, activation):
    y = C.conv(x, w, b, strides, padding, dilation, activation=activation)
    return P.max_pool(y, pool)


@pytest.mark.parametrize("activation", [None, "relu"])
@pytest.mark.parametrize("spatial,kernel,strides,padding,dilation,pool", CASES)
@pytest.mark.parametrize("channels,small", [(1, 0), (1, C.SMALL), (9, C.SMALL)])  # the three im2col paths:
def test_values_and_gradients_equal_conv_then_max_pool(spatial, kernel, strides, padding, dilation, pool,
                                                         activation, channels, small, monkeypatch):
    monkeypatch.setattr(C, "SMALL", small)  # few channels: one copy per offset, unless the patches are few
    rng = np.random.default_rng(0)
    # small integers: many exact ties inside windows, and zeros for relu, as on MNIST
    x = rng.integers(-2, 3, (3,) + spatial + (channels,)).astype(np.float64)
    w = rng.integers(-1, 2, kernel + (channels, 4)).astype(np.float64)
    b = rng.integers(-1, 2, (4,)).astype(np.float64)
    results = []
    for fn in (two_ops, lambda *a: CP.conv_max_pool(*a[:6], pool_size=a[6], activation=a[7])):
        ts = [Tensor(a, requires_grad=True) for a in (x, w, b)]
        y = fn(*ts, strides, padding, dilation, pool, activation)
        gy = np.random.default_rng(1).standard_normal(y.shape)
        y.backward(gy)
        results.append([y.data] + [t.grad for t in ts])
    for name, fused, reference in zip(["y", "dx", "dw", "db"], results[1], results[0]):
        np.testing.assert_allclose(fused, reference, rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("activation", [None, "relu"])
@pytest.mark.parametrize("spatial,kernel,strides,padding,dilation,pool", CASES[:4])
def test_gradients_against_finite_differences(spatial, kernel, strides, padding, dilation, pool, activation):
    rng = np.random.default_rng(2)
    n = 2 * np.prod(spatial) * 3
    x = rng.permutation(n).reshape((2,) + spatial + (3,)) / n - 0.3  # distinct values: no ties to cross
    w = rng.standard_normal(kernel + (3, 2)) * 0.5
    b = np.array([0.1, -0.2])
    gradcheck(lambda x, w, b: CP.conv_max_pool(x, w, b, strides, padding, dilation, pool, activation), [x, w, b])


def test_without_bias_and_float32():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 10, 10, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 5)).astype(np.float32)
    y = CP.conv_max_pool(Tensor(x), Tensor(w), None, activation="relu")
    assert y.dtype == np.float32 and y.shape == (2, 4, 4, 5)
    expected = P.max_pool(C.conv(Tensor(x), Tensor(w), None, activation="relu"), (2, 2)).data
    np.testing.assert_allclose(y.data, expected, rtol=1e-6, atol=1e-6)


def test_the_first_maximum_of_a_window_gets_the_gradient():
    # one 2x2 window of conv outputs equal to [[1, 3], [3, 0]] (a 1x1 kernel of 1): row-major
    # first maximum is (0, 1), not (1, 0)
    x = Tensor(np.array([[1.0, 3.0], [3.0, 0.0]]).reshape(1, 2, 2, 1), requires_grad=True)
    y = CP.conv_max_pool(x, Tensor(np.ones((1, 1, 1, 1))), None)
    y.backward(np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(x.grad.reshape(2, 2), [[0, 1], [0, 0]])


def test_a_conv_output_smaller_than_the_pool_is_a_clear_error():
    with pytest.raises(ValueError, match="pool_size"):
        CP.conv_max_pool(Tensor(np.ones((1, 3, 3, 1))), Tensor(np.ones((3, 3, 1, 1))), None, pool_size=2)


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="activation"):
        CP.ConvMaxPool((1, 1), "valid", (1, 1), (2, 2), "tanh")


@pytest.mark.parametrize("pool", [(2, 2), (3, 1)])
def test_pool_major_and_batch_major_are_inverse(pool):
    a = np.arange(2 * 6 * 4 * 3).reshape(2, 6, 4, 3)
    if pool == (3, 1):
        a = a[:, :6, :4]
    view = C.pool_major(a, pool)
    assert view.shape == pool + (2, 6 // pool[0], 4 // pool[1], 3)
    for (i, j), (n, u, v, c) in itertools.product(np.ndindex(*pool), np.ndindex(*view.shape[2:])):
        assert view[i, j, n, u, v, c] == a[n, u * pool[0] + i, v * pool[1] + j, c]
    np.testing.assert_array_equal(C.batch_major(view, pool), a)
