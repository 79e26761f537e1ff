import numpy as np
import pytest

from deepbasics import layers
from deepbasics.autodiff import Tensor

X = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0, 8.0]], np.float32)


def test_leaky_relu_layer_default_slope_is_keras_0_3():
    np.testing.assert_allclose(layers.LeakyReLU()(X).numpy(), np.where(X > 0, X, 0.3 * X))


def test_leaky_relu_alpha_is_deprecated_but_works():
    with pytest.warns(DeprecationWarning, match="negative_slope"):
        layer = layers.LeakyReLU(alpha=0.1)
    np.testing.assert_allclose(layer(X).numpy(), np.where(X > 0, X, 0.1 * X))


def test_relu_layer_options():
    np.testing.assert_allclose(layers.ReLU(max_value=6.0)(X).numpy(), np.clip(X, 0, 6))
    with pytest.raises(ValueError, match="max_value"):
        layers.ReLU(max_value=-1)


def test_elu_and_softmax_layers():
    np.testing.assert_allclose(layers.ELU(alpha=0.5)(X).numpy(), np.where(X > 0, X, 0.5 * np.expm1(X)), rtol=1e-6)
    p = layers.Softmax()(X).numpy()
    np.testing.assert_allclose(p.sum(-1), 1, rtol=1e-6)


def test_prelu_learns_its_slope():
    layer = layers.PReLU(alpha_initializer="ones")
    x = Tensor(X)
    y = layer(x)
    np.testing.assert_allclose(y.numpy(), X)  # alpha 1: the identity
    y.backward(np.ones_like(X))
    np.testing.assert_allclose(layer.alpha.grad, np.minimum(X, 0)[0])  # dy/dalpha = min(x, 0)
    assert layers.PReLU(shared_axes=[1]).__class__  # accepted
