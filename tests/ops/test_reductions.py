"""sum, mean, max over axes: float32 forward against loops written from the definition,
float64 gradient checks (no ties for max), the tie rule, float32 gradients."""
import numpy as np
import pytest

from deepbasics import ops
from deepbasics.autodiff import Tensor, gradcheck
from deepbasics.ops import reductions

X = np.random.default_rng(0).permutation(60).reshape(3, 4, 5) / 7.0 - 4.0  # distinct values: no ties
AXES = [None, 0, 1, -1, (0, 2), (-1, 0), (0, 1, 2)]


def reduce_ref(x, axis, keepdims, combine):
    """Reduce by iterating over the kept index space and applying ``combine`` to a flat list."""
    nd = x.ndim
    axes = tuple(range(nd)) if axis is None else tuple(a % nd for a in np.atleast_1d(axis))
    kept = [i for i in range(nd) if i not in axes]
    out = np.empty([x.shape[i] for i in kept])
    for idx in np.ndindex(*out.shape):
        sel = [slice(None)] * nd
        for i, j in zip(kept, idx):
            sel[i] = j
        out[idx] = combine(list(np.ravel(x[tuple(sel)])))
    if keepdims:
        out = out.reshape([1 if i in axes else n for i, n in enumerate(x.shape)])
    return out


def k_of(axis):
    return X.size if axis is None else int(np.prod([X.shape[a] for a in np.atleast_1d(axis)]))


REDUCTIONS = {
    "sum": (ops.sum, lambda v: sum(v)),
    "mean": (ops.mean, lambda v: sum(v) / len(v)),
    "max": (ops.max, lambda v: max(v)),
}


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_forward_float32(name, axis, keepdims):
    fn, combine = REDUCTIONS[name]
    out = fn(Tensor(X.astype(np.float32)), axis=axis, keepdims=keepdims).numpy()
    expected = reduce_ref(X, axis, keepdims, combine)
    assert out.dtype == np.float32
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=5e-6 * np.sqrt(k_of(axis)))


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_gradients(name, axis, keepdims):
    fn, _ = REDUCTIONS[name]
    gradcheck(lambda t: fn(t, axis=axis, keepdims=keepdims), [X])


def test_method_forms():
    t = Tensor(X)
    np.testing.assert_allclose(t.sum(axis=1).numpy(), X.sum(axis=1))
    np.testing.assert_allclose(t.mean().numpy(), X.mean())
    np.testing.assert_allclose(t.max(axis=-1, keepdims=True).numpy(), X.max(axis=-1, keepdims=True))


def test_max_shares_the_gradient_equally_among_ties():
    x = Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [5.0, 0.0, 1.0]]), requires_grad=True)
    ops.max(x, axis=1).backward(np.array([6.0, 3.0, 1.0]))
    np.testing.assert_allclose(x.grad, [[0, 3, 3], [1, 1, 1], [1, 0, 0]])


def test_max_over_everything_with_ties():
    x = Tensor(np.array([[4.0, 1.0], [4.0, 4.0]]), requires_grad=True)
    ops.max(x).backward()
    np.testing.assert_allclose(x.grad, [[1 / 3, 0], [1 / 3, 1 / 3]])


@pytest.mark.parametrize("op", [reductions.Sum(1), reductions.Mean(1), reductions.Max(1), reductions.Max(),
                                reductions.Max((0, 2), keepdims=True)], ids=["sum", "mean", "max", "max_all", "max_keep"])
def test_gradient_stays_float32(op):
    out = op(Tensor(X.astype(np.float32), requires_grad=True))
    g = op.backward(np.ones(out.shape, np.float32))
    assert g.dtype == np.float32
    assert g.shape == X.shape


def test_mean_gradient_is_one_over_n():
    x = Tensor(X, requires_grad=True)
    ops.mean(x, axis=(0, 2)).backward(np.ones(4))
    np.testing.assert_allclose(x.grad, np.full(X.shape, 1 / 15))
