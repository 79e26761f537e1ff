import itertools

import numpy as np
import pytest

from deepbasics.autodiff import Tensor, gradcheck
from deepbasics.ops import pooling as P


# -- references written from the definition: one window at a time ------------------------------
def windows(shape, pool, strides, padding):
    """Yield (output index (i, j), input slices) for every window, TensorFlow's 'same' rule."""
    _, h, w, _ = shape
    outs, starts = [], []
    for n, k, s in zip((h, w), pool, strides):
        o = (n - k) // s + 1 if padding == "valid" else -(-n // s)
        before = max((o - 1) * s + k - n, 0) // 2 if padding == "same" else 0
        outs.append(o)
        starts.append([i * s - before for i in range(o)])
    for i, j in itertools.product(range(outs[0]), range(outs[1])):
        r, c = starts[0][i], starts[1][j]
        yield (i, j), (slice(max(r, 0), r + pool[0]), slice(max(c, 0), c + pool[1]))


def reference_pool(x, pool, strides, padding, kind):
    out = {}
    for (i, j), (rs, cs) in windows(x.shape, pool, strides, padding):
        win = x[:, rs, cs, :]
        out[i, j] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    oh, ow = max(i for i, _ in out) + 1, max(j for _, j in out) + 1
    return np.stack([np.stack([out[i, j] for j in range(ow)], 1) for i in range(oh)], 1)


def reference_max_grad(x, gy, pool, strides, padding):
    """Each window's gradient to its FIRST maximum in row-major order (PyTorch, TensorFlow)."""
    gx = np.zeros_like(x)
    for (i, j), (rs, cs) in windows(x.shape, pool, strides, padding):
        win = x[:, rs, cs, :]
        n, h, w, c = win.shape
        first = win.reshape(n, h * w, c).argmax(axis=1)  # argmax returns the first of equal maxima
        for b, ch in itertools.product(range(n), range(c)):
            r, q = divmod(first[b, ch], w)
            gx[b, rs.start + r, cs.start + q, ch] += gy[b, i, j, ch]
    return gx


COMBOS = [((2, 2), (2, 2)), ((3, 3), (2, 2)), ((2, 3), (1, 2)), ((3, 2), (3, 1)), ((2, 2), (3, 3)), ((1, 3), (2, 3))]


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool,strides", COMBOS)
def test_pool2d_forward_matches_reference(pool, strides, padding):
    x = np.random.default_rng(0).standard_normal((2, 7, 8, 3))
    for kind, op in (("max", P.max_pool), ("avg", P.avg_pool)):
        y = op(Tensor(x), pool, strides, padding).data
        np.testing.assert_allclose(y, reference_pool(x, pool, strides, padding, kind), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool,strides", COMBOS)
def test_pool2d_gradients(pool, strides, padding):
    x = np.random.default_rng(1).permutation(2 * 7 * 6 * 2).reshape(2, 7, 6, 2) / 10.0  # distinct values
    gradcheck(lambda x: P.max_pool(x, pool, strides, padding), [x])
    gradcheck(lambda x: P.avg_pool(x, pool, strides, padding), [x])


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool,strides", COMBOS)
def test_max_pool_gives_ties_to_the_first_maximum(pool, strides, padding):
    rng = np.random.default_rng(2)
    x = rng.integers(0, 3, (2, 7, 9, 3)).astype(np.float32)  # like MNIST and relu: ties everywhere
    xt = Tensor(x, requires_grad=True)
    y = P.max_pool(xt, pool, strides, padding)
    gy = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(gy)
    np.testing.assert_allclose(xt.grad, reference_max_grad(x, gy, pool, strides, padding), rtol=1e-6, atol=1e-6)


def test_max_pool_tie_example():
    x = np.array([[1, 1, 0, 2], [1, 0, 2, 2]], np.float32).reshape(1, 2, 4, 1)
    xt = Tensor(x, requires_grad=True)
    y = P.max_pool(xt)
    assert y.data.ravel().tolist() == [1, 2]
    y.backward(np.array([10, 20], np.float32).reshape(1, 1, 2, 1))
    assert xt.grad.reshape(2, 4).tolist() == [[10, 0, 0, 20], [0, 0, 0, 0]]


def test_same_padding_never_wins_and_is_not_averaged():
    x = -np.ones((1, 3, 3, 1))  # all negative: padding zeros would win a max
    assert np.all(P.max_pool(Tensor(x), 2, 2, "same").data == -1)
    np.testing.assert_allclose(P.avg_pool(Tensor(x), 2, 2, "same").data, -1.0)
    ones = np.ones((1, 5, 5, 1))
    np.testing.assert_allclose(P.avg_pool(Tensor(ones), 3, 2, "same").data, 1.0)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool,stride", [(2, 2), (3, 1), (2, 3)])
def test_pool1d_matches_pool2d_on_a_single_row(pool, stride, padding):
    rng = np.random.default_rng(3)
    x = rng.permutation(2 * 9 * 3).reshape(2, 9, 3) / 7.0
    for op, kind in ((P.max_pool, "max"), (P.avg_pool, "avg")):
        y = op(Tensor(x), pool, stride, padding).data
        expected = reference_pool(x[:, None], (1, pool), (1, stride), padding, kind)[:, 0]
        np.testing.assert_allclose(y, expected, atol=1e-12)
        gradcheck(lambda x: op(x, pool, stride, padding), [x])


def test_pool_keeps_float32_and_inputs():
    x = np.random.default_rng(4).standard_normal((4, 26, 26, 8)).astype(np.float32)
    copy = x.copy()
    assert P.max_pool(Tensor(x)).data.dtype == np.float32
    assert P.avg_pool(Tensor(x)).data.dtype == np.float32
    np.testing.assert_array_equal(x, copy)


def test_window_larger_than_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"\(3, 3\).*larger than the input's spatial size \(2, 5\)"):
        P.max_pool(Tensor(np.zeros((1, 2, 5, 1))), 3)


def test_upsample_nearest_and_its_gradient():
    x = np.arange(6.0).reshape(1, 2, 3, 1)
    y = P.upsample(Tensor(x), (2, 3)).data
    np.testing.assert_array_equal(y[0, :, :, 0], np.repeat(np.repeat(x[0, :, :, 0], 2, 0), 3, 1))
    gradcheck(lambda x: P.upsample(x, (2, 3)), [np.random.default_rng(5).standard_normal((2, 2, 3, 2))])
