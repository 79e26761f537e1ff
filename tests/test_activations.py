"""The activations registry: Keras names, None is linear, callables pass through, unknown names
list the valid ones; the functions' Keras options."""
import numpy as np
import pytest

from deepbasics import activations
from deepbasics.autodiff import Tensor

X = np.array([[-3.0, -0.5, 0.0, 0.5, 3.0]], np.float32)


@pytest.mark.parametrize("name,ref", [
    ("relu", lambda x: np.maximum(x, 0)),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("tanh", np.tanh),
    ("softmax", lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
    ("linear", lambda x: x),
    ("elu", lambda x: np.where(x > 0, x, np.expm1(x))),
    ("softplus", lambda x: np.log1p(np.exp(x))),
])
def test_get_by_name_returns_the_function(name, ref):
    fn = activations.get(name)
    assert fn is getattr(activations, name)
    np.testing.assert_allclose(fn(Tensor(X)).numpy(), ref(X.astype(float)), rtol=1e-5, atol=1e-6)


def test_none_is_linear():
    assert activations.get(None) is activations.linear
    t = Tensor(X)
    assert activations.linear(t) is t


def test_callables_pass_through():
    def mine(x):
        return x * 2.0

    assert activations.get(mine) is mine
    assert activations.get(activations.relu) is activations.relu


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as info:
        activations.get("rleu")
    message = str(info.value)
    assert "Unknown activation function 'rleu'" in message
    for name in ("relu", "sigmoid", "softmax", "tanh", "linear"):
        assert repr(name) in message


def test_non_string_non_callable_is_a_type_error():
    with pytest.raises(TypeError, match="Could not interpret activation function identifier: 3"):
        activations.get(3)


def test_names_are_case_sensitive_like_keras():
    with pytest.raises(ValueError):
        activations.get("ReLU")


def test_aliases():
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu


def test_every_registered_name_resolves_to_a_working_function():
    for name, fn in activations.ALL_ACTIVATIONS.items():
        assert activations.get(name) is fn
        out = fn(Tensor(X))
        assert out.shape == X.shape and out.dtype == np.float32, name


def test_serialize_gives_the_keras_name():
    assert activations.serialize(activations.relu) == "relu"
    assert activations.serialize(activations.get("swish")) == "silu"


def test_leaky_relu_default_slope_is_keras_functions():
    np.testing.assert_allclose(activations.leaky_relu(Tensor(X)).numpy(), np.where(X > 0, X, 0.2 * X))


def test_relu6_caps_at_six():
    np.testing.assert_allclose(activations.relu6(Tensor(np.array([-1.0, 3.0, 9.0], np.float32))).numpy(), [0, 3, 6])


def test_selu_constants():
    x = np.array([-1.0, 1.0])
    expected = 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))
    np.testing.assert_allclose(activations.selu(Tensor(x)).numpy(), expected, rtol=1e-12)
