"""Activation ops as graph nodes: textbook NumPy forwards (float32), float64 gradient checks away
from kinks, the subgradient conventions, overflow-free extremes, what each node saves."""
import math

import numpy as np
import pytest

from deepbasics.autodiff import Tensor, gradcheck
from deepbasics.ops import activation as act

F32 = dict(rtol=1e-5, atol=1e-6)
X = np.random.default_rng(0).normal(scale=2.0, size=(4, 5))
X[np.abs(X) < 0.1] += 0.3  # away from the kink at 0
X[np.abs(np.abs(X) - 3.0) < 0.1] += 0.3  # and from hard_sigmoid's at +-3


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def erf(x):
    return np.vectorize(math.erf)(x)


def softmax_ref(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


OPS = {
    "relu": (act.ReLU, lambda x: np.where(x > 0, x, 0.0)),
    "sigmoid": (act.Sigmoid, sig),
    "tanh": (act.Tanh, lambda x: (np.exp(2 * x) - 1) / (np.exp(2 * x) + 1)),
    "softmax": (act.Softmax, lambda x: softmax_ref(x, -1)),
    "softmax_axis0": (lambda: act.Softmax(axis=0), lambda x: softmax_ref(x, 0)),
    "log_softmax": (act.LogSoftmax, lambda x: np.log(softmax_ref(x, -1))),
    "leaky_relu": (lambda: act.LeakyReLU(0.3), lambda x: np.where(x > 0, x, 0.3 * x)),
    "elu": (lambda: act.ELU(1.5), lambda x: np.where(x > 0, x, 1.5 * (np.exp(x) - 1))),
    "selu_like": (lambda: act.ELU(1.67, 1.05), lambda x: 1.05 * np.where(x > 0, x, 1.67 * (np.exp(x) - 1))),
    "softplus": (act.Softplus, lambda x: np.log(1 + np.exp(x))),
    "softsign": (act.Softsign, lambda x: x / (1 + np.abs(x))),
    "swish": (act.Swish, lambda x: x * sig(x)),
    "hard_sigmoid": (act.HardSigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    "gelu": (act.GELU, lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2)))),
    "gelu_tanh": (lambda: act.GELU(approximate=True),
                  lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))),
    "general_relu": (lambda: act.GeneralReLU(0.1, 2.5, 0.5),
                     lambda x: np.where(x > 0.5, np.minimum(x, 2.5), 0.1 * (x - 0.5))),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_forward_float32(name):
    make, ref = OPS[name]
    out = make()(Tensor(X.astype(np.float32))).numpy()
    np.testing.assert_allclose(out, ref(X), **F32)
    assert out.dtype == np.float32


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradient_stays_float32(name):
    make, _ = OPS[name]
    op = make()
    y = op(Tensor(X.astype(np.float32), requires_grad=True))
    assert op.backward(np.ones(y.shape, np.float32)).dtype == np.float32


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradients(name):
    make, _ = OPS[name]
    x = X
    if name == "general_relu":
        x = X.copy()
        for edge in (0.5, 2.5):
            x[np.abs(x - edge) < 0.05] += 0.1
    gradcheck(lambda t: make()(t), [x])


def test_relu_subgradient_is_zero_at_zero_and_saves_only_its_output():
    op = act.ReLU()
    x = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    y = op(x)
    (saved,) = op.saved
    assert saved is y.data  # the output, which the next op keeps anyway: no extra array
    y.backward(np.full(3, 5.0))
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 5.0])
    assert np.all(y.numpy() >= 0)


def test_leaky_relu_slope_at_zero_is_the_negative_one():
    x = Tensor(np.array([0.0]), requires_grad=True)
    act.LeakyReLU(0.2)(x).backward(np.ones(1))
    np.testing.assert_allclose(x.grad, [0.2])


def test_sigmoid_and_tanh_save_their_output():
    for cls in (act.Sigmoid, act.Tanh):
        op = cls()
        y = op(Tensor(X, requires_grad=True))
        (saved,) = op.saved
        np.testing.assert_array_equal(saved, y.numpy())


EXTREME = np.array([[-1e4, -100.0, 0.0, 100.0, 1e4]], dtype=np.float32)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softmax", "log_softmax", "softplus", "swish", "elu", "gelu"])
def test_extremes_do_not_overflow(name):
    # filterwarnings = error: a NumPy overflow or invalid value here fails the test
    make, _ = OPS[name]
    x = Tensor(EXTREME, requires_grad=True)
    y = make()(x)
    y.backward(np.ones(y.shape, np.float32))
    assert np.all(np.isfinite(y.numpy())) and np.all(np.isfinite(x.grad))


def test_sigmoid_saturates_exactly():
    y = act.Sigmoid()(Tensor(EXTREME)).numpy()
    assert y[0, 0] == 0.0 and y[0, -1] == 1.0 and y[0, 2] == 0.5


def test_softmax_rows_sum_to_one_and_ignore_a_shift():
    p = act.Softmax()(Tensor(X)).numpy()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(act.Softmax()(Tensor(X + 1000.0)).numpy(), p, rtol=1e-10)


def test_softmax_over_a_middle_axis():
    x = np.random.default_rng(1).normal(size=(2, 3, 4))
    out = act.Softmax(axis=1)(Tensor(x)).numpy()
    np.testing.assert_allclose(out, softmax_ref(x, 1), rtol=1e-12)
    gradcheck(lambda t: act.Softmax(axis=1)(t), [x])


def test_log_softmax_of_huge_logits_is_finite():
    y = act.LogSoftmax()(Tensor(np.array([[0.0, 1000.0]]))).numpy()
    np.testing.assert_allclose(y, [[-1000.0, 0.0]])


@pytest.mark.parametrize("kind,ref", [("step", lambda x: (x > 0).astype(float)), ("sign", np.sign)])
def test_threshold_forward_and_zero_gradient(kind, ref):
    x = Tensor(np.array([-2.0, 0.0, 3.0]), requires_grad=True)
    y = act.Threshold(kind)(x)
    np.testing.assert_array_equal(y.numpy(), ref(x.numpy()))
    y.backward(np.ones(3))
    np.testing.assert_array_equal(x.grad, np.zeros(3))


def test_erf_approximation_is_within_float32_resolution():
    x = np.linspace(-5, 5, 2000)  # not 0 itself, where A&S's form jumps by ~1e-9
    value, derivative = act.erf(x)
    np.testing.assert_allclose(value, erf(x), atol=1.5e-7)
    # the derivative is that of the approximation (consistent with the forward to rounding) ...
    h = 1e-6
    numeric = (act.erf(x + h)[0] - act.erf(x - h)[0]) / (2 * h)
    np.testing.assert_allclose(derivative, numeric, atol=1e-8)
    # ... and close to the true one, 2/sqrt(pi) e^(-x^2)
    np.testing.assert_allclose(derivative, 2 / np.sqrt(np.pi) * np.exp(-x * x), atol=1e-5)


def test_hard_sigmoid_gradient_is_one_sixth_inside():
    x = Tensor(np.array([-4.0, -1.0, 2.0, 4.0]), requires_grad=True)
    act.HardSigmoid()(x).backward(np.ones(4))
    np.testing.assert_allclose(x.grad, [0.0, 1 / 6, 1 / 6, 0.0])


@pytest.mark.parametrize("shape", [(3,), (128, 26, 26, 32), (32, 64), (7, 9), (3, 8192 * 2 + 64)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_array_equals_numpy_maximum_on_every_path(shape, dtype):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    x.flat[::5] = 0.0
    expected = np.maximum(x, 0)
    y = act.relu_array(x)
    assert y.dtype == dtype and y is not x
    np.testing.assert_array_equal(y, expected)
    view = x.T  # not contiguous: the plain path
    np.testing.assert_array_equal(act.relu_array(view), np.maximum(view, 0))
    act.relu_inplace(x)
    np.testing.assert_array_equal(x, expected)
    g = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    np.testing.assert_array_equal(act.relu_grad(g, expected), g * (expected > 0))
