"""The fused affine map f(x W + b): forward against NumPy from the formula, gradients for every
fused activation, leading axes, no bias, skipped input gradient, bad activation."""
import numpy as np
import pytest

from deepbasics import ops
from deepbasics.autodiff import Tensor, gradcheck
from deepbasics.ops.linear import Linear

rng = np.random.default_rng(0)
X = rng.normal(size=(5, 3))
W = rng.normal(size=(3, 4))
B = rng.normal(size=4)

ACTIVATIONS = {
    None: lambda z: z,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
}


def affine_ref(x, w, b):
    """z_ij = sum_k x_ik w_kj + b_j, written as loops over rows."""
    z = np.zeros(x.shape[:-1] + (w.shape[1],))
    for idx in np.ndindex(*x.shape[:-1]):
        for j in range(w.shape[1]):
            z[idx + (j,)] = sum(x[idx + (k,)] * w[k, j] for k in range(w.shape[0])) + (0.0 if b is None else b[j])
    return z


def away_from_relu_kink(x, w, b):
    """Shift b so that no pre-activation is within 0.05 of zero."""
    z = x @ w + b
    b = b.copy()
    for j in range(z.shape[-1]):
        col = z[..., j]
        while np.any(np.abs(col) < 0.05):
            b[j] += 0.1
            col = col + 0.1
    return b


@pytest.mark.parametrize("activation", [None, "relu", "tanh"])
def test_forward_float32(activation):
    out = ops.linear(Tensor(X.astype(np.float32)), Tensor(W.astype(np.float32)), Tensor(B.astype(np.float32)),
                     activation).numpy()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ACTIVATIONS[activation](affine_ref(X, W, B)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("activation", [None, "relu", "tanh"])
def test_gradients(activation):
    b = away_from_relu_kink(X, W, B)
    gradcheck(lambda x, w, b_: ops.linear(x, w, b_, activation), [X, W, b])


@pytest.mark.parametrize("activation", [None, "relu", "tanh"])
def test_leading_axes_are_rows(activation):
    x = rng.normal(size=(2, 3, 3))
    b = away_from_relu_kink(x, W, B)
    out = ops.linear(Tensor(x), Tensor(W), Tensor(b), activation).numpy()
    np.testing.assert_allclose(out, ACTIVATIONS[activation](affine_ref(x, W, b)), rtol=1e-12, atol=1e-12)
    gradcheck(lambda x_, w, b_: ops.linear(x_, w, b_, activation), [x, W, b])


def test_without_bias():
    out = ops.linear(Tensor(X), Tensor(W)).numpy()
    np.testing.assert_allclose(out, affine_ref(X, W, None), rtol=1e-12)
    gradcheck(lambda x, w: ops.linear(x, w), [X, W])


def test_relu_gradient_is_zero_where_the_output_is_zero():
    x = Tensor(np.array([[1.0, -1.0]]))
    w = Tensor(np.eye(2), requires_grad=True)
    ops.linear(x, w, None, "relu").backward(np.ones((1, 2)))
    np.testing.assert_array_equal(w.grad, [[1.0, 0.0], [-1.0, 0.0]])


def test_a_raw_data_batch_gets_no_input_gradient():
    fn = Linear("tanh")
    w, b = Tensor(W, requires_grad=True), Tensor(B, requires_grad=True)
    y = fn(X, w, b)
    assert fn.needs_input_grad == (False, True, True)
    gx, gw, gb = fn.backward(np.ones(y.shape))
    assert gx is None and gw.shape == W.shape and gb.shape == B.shape


def test_frozen_weights_get_no_gradient():
    fn = Linear()
    x = Tensor(X, requires_grad=True)
    y = fn(x, W, B)  # W and B are constants here
    gx, gw, gb = fn.backward(np.ones(y.shape))
    assert gw is None and gb is None
    np.testing.assert_allclose(gx, np.ones((5, 4)) @ W.T)


def test_unknown_activation_is_rejected():
    with pytest.raises(ValueError, match="activation must be one of"):
        Linear("sigmoid")
