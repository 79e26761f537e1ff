"""The course's and Keras's further activations: NumPy references from the textbook formulas,
float64 gradient checks away from kinks."""
import math

import numpy as np
import pytest

from deepbasics import activations as A
from deepbasics.autodiff import Tensor, gradcheck

X = np.array([[-3.5, -1.2, -0.4, 0.3, 0.9, 2.6], [-2.2, -0.7, 0.45, 1.3, 3.4, 7.0]])

REFERENCES = {
    "step": lambda x: (x > 0).astype(float),
    "sign": np.sign,
    "linear": lambda x: x,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.minimum(np.maximum(x, 0), 6),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1)),
    "softplus": lambda x: np.log(1 + np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "silu": lambda x: x / (1 + np.exp(-x)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "gelu": lambda x: x * 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2))),
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),
    "hard_silu": lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
    "exponential": np.exp,
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "log_sigmoid": lambda x: -np.log1p(np.exp(-x)),
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
    "log_softmax": lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_forward_matches_textbook(name):
    y = A.get(name)(Tensor(X.astype(np.float32))).numpy()
    np.testing.assert_allclose(y, REFERENCES[name](X), rtol=1e-5, atol=1e-6)
    assert y.dtype == np.float32


@pytest.mark.parametrize("name", sorted(set(REFERENCES) - {"step", "sign"}))
def test_gradients(name):
    gradcheck(lambda x: A.get(name)(x), [X])


@pytest.mark.parametrize("name", ["step", "sign"])
def test_threshold_functions_have_zero_gradient(name):
    x = Tensor(X, requires_grad=True)
    A.get(name)(x).backward(np.ones_like(X))
    np.testing.assert_array_equal(x.grad, np.zeros_like(X))


def test_sigmoid_derivative_never_exceeds_a_quarter():
    x = Tensor(np.linspace(-10, 10, 2001), requires_grad=True)
    A.sigmoid(x).backward(np.ones(2001))
    assert x.grad.max() <= 0.25 + 1e-12 and x.grad.max() > 0.2499


def test_relu_options_like_keras():
    x = np.array([-2.0, -0.5, 0.2, 0.7, 1.5, 9.0])
    y = A.relu(Tensor(x), negative_slope=0.1, max_value=1.0, threshold=0.5).numpy()
    np.testing.assert_allclose(y, [-0.25, -0.1, -0.03, 0.7, 1.0, 1.0])
    gradcheck(lambda t: A.relu(t, negative_slope=0.1, max_value=1.0, threshold=0.5), [x])


def test_gelu_tanh_approximation():
    c = math.sqrt(2 / math.pi)
    ref = 0.5 * X * (1 + np.tanh(c * (X + 0.044715 * X**3)))
    np.testing.assert_allclose(A.gelu(Tensor(X), approximate=True).numpy(), ref, rtol=1e-7)
    gradcheck(lambda t: A.gelu(t, approximate=True), [X])


def test_every_name_resolves_and_serializes():
    for name in A.ALL_ACTIVATIONS:
        fn = A.get(name)
        assert A.get(A.serialize(fn)) is fn
