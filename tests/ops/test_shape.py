"""reshape, transpose, indexing, concatenation: values moved as NumPy moves them, gradients
moved back (repeated indices add up), negative axes."""
import numpy as np
import pytest

from deepbasics import ops
from deepbasics.autodiff import Tensor, gradcheck

X = np.random.default_rng(0).normal(size=(2, 3, 4))


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (-1,), (2, -1, 2), (24, 1)])
def test_reshape(shape):
    out = ops.reshape(Tensor(X.astype(np.float32)), shape).numpy()
    flat = [X[i, j, k] for i in range(2) for j in range(3) for k in range(4)]  # C order
    np.testing.assert_array_equal(out.ravel(), np.float32(flat))
    assert out.shape == np.empty(24).reshape(shape).shape
    gradcheck(lambda t: ops.reshape(t, shape), [X])


def test_reshape_method_accepts_a_tuple_or_numbers():
    t = Tensor(X)
    assert t.reshape((6, 4)).shape == (6, 4)
    assert t.reshape(6, 4).shape == (6, 4)


@pytest.mark.parametrize("axes", [None, (0, 2, 1), (2, 0, 1), (1, 2, 0), (0, -1, 1), (-1, -3, -2)], ids=str)
def test_transpose(axes):
    out = ops.transpose(Tensor(X), axes).numpy()
    perm = tuple(range(X.ndim))[::-1] if axes is None else tuple(a % X.ndim for a in axes)
    assert out.shape == tuple(X.shape[p] for p in perm)
    for idx in np.ndindex(*out.shape):  # out[i0, i1, i2] = x[i_{perm^-1}]
        src = [0] * X.ndim
        for pos, p in enumerate(perm):
            src[p] = idx[pos]
        assert out[idx] == X[tuple(src)]
    gradcheck(lambda t: ops.transpose(t, axes), [X])


def test_transpose_method_and_T():
    m = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(Tensor(m).T.numpy(), m.T)
    np.testing.assert_array_equal(Tensor(X).transpose(1, 0, 2).numpy(), np.swapaxes(X, 0, 1))


INDICES = {
    "int": 1,
    "slice": (slice(None), slice(1, 3)),
    "step": (Ellipsis, slice(None, None, -2)),
    "fancy_repeats": (slice(None), [0, 2, 2, 0]),
    "bool_mask": X[..., 0] > 0,
    "mixed": (1, [2, 0, 2], slice(1, None)),
}


@pytest.mark.parametrize("name", sorted(INDICES))
def test_getitem(name):
    index = INDICES[name]
    out = Tensor(X)[index].numpy()
    np.testing.assert_array_equal(out, X[index])
    gradcheck(lambda t: t[index], [X])


def test_getitem_repeated_indices_add_up():
    x = Tensor(np.zeros(4), requires_grad=True)
    x[[1, 1, 3, 1]].backward(np.array([1.0, 2.0, 4.0, 8.0]))
    np.testing.assert_array_equal(x.grad, [0.0, 11.0, 0.0, 4.0])


@pytest.mark.parametrize("axis", [0, 1, -1, 2])
def test_concatenate(axis):
    r = np.random.default_rng(1)
    shapes = [list(X.shape) for _ in range(3)]
    for s, n in zip(shapes, (1, 2, 3)):
        s[axis] = n
    parts = [r.normal(size=s) for s in shapes]
    out = ops.concatenate([Tensor(p) for p in parts], axis=axis).numpy()
    # the pieces appear in order along the axis
    start = 0
    for p in parts:
        n = p.shape[axis]
        np.testing.assert_array_equal(np.take(out, range(start, start + n), axis=axis), p)
        start += n
    assert out.shape[axis] == 6
    gradcheck(lambda a, b, c: ops.concatenate([a, b, c], axis=axis), parts)


def test_concatenate_with_a_constant_part():
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    out = ops.concatenate([x, np.zeros((2, 1))], axis=1)
    out.backward(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(x.grad, [[0.0, 1.0], [3.0, 4.0]])
