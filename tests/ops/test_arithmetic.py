"""Elementwise arithmetic and matmul: float32 forward against NumPy written from the formula,
float64 gradient checks (with broadcasting), inputs away from kinks."""
import numpy as np
import pytest

from deepbasics import ops
from deepbasics.autodiff import Tensor, gradcheck

F32 = dict(rtol=1e-5, atol=1e-6)
rng = np.random.default_rng(0)
A = rng.uniform(0.5, 2.0, (3, 4))  # positive: log, sqrt, division
B = rng.uniform(0.5, 2.0, (3, 4))
S = rng.normal(size=(3, 4))
S[np.abs(S) < 0.2] += 0.5  # signed, away from 0 (abs kink)

UNARY = {
    "negative": (ops.negative, lambda x: -x, S),
    "exp": (ops.exp, lambda x: np.e**x, S),
    "log": (ops.log, lambda x: np.log(x), A),
    "sqrt": (ops.sqrt, lambda x: x**0.5, A),
    "abs": (ops.abs, lambda x: np.where(x < 0, -x, x), S),
    "square": (lambda t: t**2, lambda x: x * x, S),
    "cube": (lambda t: t**3, lambda x: x * x * x, S),
    "pow_half": (lambda t: ops.power(t, 0.5), lambda x: np.sqrt(x), A),
    "pow_neg": (lambda t: t**-1.5, lambda x: 1.0 / (x * np.sqrt(x)), A),
    "clip": (lambda t: ops.clip(t, -0.6, 0.7), lambda x: np.minimum(np.maximum(x, -0.6), 0.7), S),
}

BINARY = {
    "add": (ops.add, lambda x, y: x + y),
    "subtract": (ops.subtract, lambda x, y: x - y),
    "multiply": (ops.multiply, lambda x, y: x * y),
    "divide": (ops.divide, lambda x, y: x / y),
    "maximum": (ops.maximum, lambda x, y: np.where(x >= y, x, y)),
    "minimum": (ops.minimum, lambda x, y: np.where(x <= y, x, y)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_forward_float32(name):
    fn, ref, x = UNARY[name]
    out = fn(Tensor(x.astype(np.float32))).numpy()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref(x), **F32)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_gradients(name):
    fn, _, x = UNARY[name]
    if name == "clip":
        x = x.copy()
        x[np.abs(np.abs(x - 0.05) - 0.65) < 1e-3] += 0.01  # away from the two clip edges
    gradcheck(fn, [x])


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_forward_float32(name):
    fn, ref = BINARY[name]
    out = fn(Tensor(A.astype(np.float32)), Tensor(B.astype(np.float32))).numpy()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref(A, B), **F32)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("ys", [(3, 4), (4,), (3, 1), (1, 4), ()])
def test_binary_gradients_with_broadcasting(name, ys):
    fn, _ = BINARY[name]
    y = np.random.default_rng(1).uniform(0.5, 2.0, ys) + 0.013  # never ties with A
    gradcheck(fn, [A, y])
    gradcheck(lambda a, b: fn(b, a), [A, y])


def test_operators_map_to_the_ops():
    x, y = Tensor(A), Tensor(B)
    np.testing.assert_allclose((x + y).numpy(), A + B)
    np.testing.assert_allclose((2.0 - x).numpy(), 2.0 - A)
    np.testing.assert_allclose((x * 3.0).numpy(), A * 3.0)
    np.testing.assert_allclose((1.0 / x).numpy(), 1.0 / A)
    np.testing.assert_allclose((-x).numpy(), -A)
    np.testing.assert_allclose((x**2).numpy(), A * A)
    np.testing.assert_allclose((A + y).numpy(), A + B)  # ndarray + Tensor -> Tensor.__radd__
    assert isinstance(A + y, Tensor)


def test_reflected_operators_differentiate_the_right_operand():
    x = Tensor(A, requires_grad=True)
    (2.0 / x).sum().backward()
    np.testing.assert_allclose(x.grad, -2.0 / A**2)
    x.zero_grad()
    (5.0 - x).sum().backward()
    np.testing.assert_allclose(x.grad, -np.ones_like(A))


def test_maximum_tie_sends_the_gradient_to_x():
    x, y = Tensor(np.array([1.0, 2.0]), requires_grad=True), Tensor(np.array([1.0, 3.0]), requires_grad=True)
    ops.maximum(x, y).backward(np.array([5.0, 7.0]))
    np.testing.assert_array_equal(x.grad, [5.0, 0.0])
    np.testing.assert_array_equal(y.grad, [0.0, 7.0])


def test_minimum_tie_sends_the_gradient_to_x():
    x, y = Tensor(np.array([1.0, 2.0]), requires_grad=True), Tensor(np.array([1.0, 0.5]), requires_grad=True)
    ops.minimum(x, y).backward(np.array([5.0, 7.0]))
    np.testing.assert_array_equal(x.grad, [5.0, 0.0])
    np.testing.assert_array_equal(y.grad, [0.0, 7.0])


def test_abs_subgradient_is_zero_at_zero():
    x = Tensor(np.array([-2.0, 0.0, 3.0]), requires_grad=True)
    ops.abs(x).backward(np.ones(3))
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])


def test_clip_passes_the_gradient_only_inside():
    x = Tensor(np.array([-2.0, -0.5, 0.0, 0.5, 2.0]), requires_grad=True)
    ops.clip(x, -1.0, 1.0).backward(np.full(5, 3.0))
    np.testing.assert_array_equal(x.grad, [0.0, 3.0, 3.0, 3.0, 0.0])


def test_maximum_with_a_python_constant():
    x = Tensor(S, requires_grad=True)
    y = ops.maximum(x, 0.0)
    np.testing.assert_allclose(y.numpy(), np.where(S > 0, S, 0.0))
    y.backward(np.ones_like(S))
    np.testing.assert_array_equal(x.grad, (S >= 0).astype(float))


MATMUL_SHAPES = [((5, 3), (3, 4)), ((3,), (3, 4)), ((5, 3), (3,)), ((3,), (3,)),
                 ((2, 5, 3), (3, 4)), ((5, 3), (2, 3, 4)), ((2, 5, 3), (2, 3, 4)),
                 ((2, 5, 3), (3,)), ((3,), (2, 3, 4))]


@pytest.mark.parametrize("xs,ws", MATMUL_SHAPES, ids=[f"{a}@{b}" for a, b in MATMUL_SHAPES])
def test_matmul_forward_and_gradients(xs, ws):
    r = np.random.default_rng(2)
    x, w = r.normal(size=xs), r.normal(size=ws)
    out = ops.matmul(Tensor(x.astype(np.float32)), Tensor(w.astype(np.float32))).numpy()
    # z_ij = sum_k x_ik w_kj over broadcast batch axes; a 1-D x is a row, a 1-D w a column
    x2 = x[None, :] if x.ndim == 1 else x
    w2 = w[:, None] if w.ndim == 1 else w
    expected = (x2[..., :, :, None] * w2[..., None, :, :]).sum(axis=-2)
    expected = expected[..., 0, :] if x.ndim == 1 else expected
    expected = expected[..., 0] if w.ndim == 1 else expected
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=5e-6 * np.sqrt(3))
    gradcheck(ops.matmul, [x, w])


def test_matmul_operator_and_reflected_operator():
    x, w = rng.normal(size=(2, 3)), rng.normal(size=(3, 2))
    np.testing.assert_allclose((Tensor(x) @ Tensor(w)).numpy(), x @ w)
    assert isinstance(x @ Tensor(w), Tensor)
    np.testing.assert_allclose((x @ Tensor(w)).numpy(), x @ w)
