import numpy as np
import pytest

from deepbasics import layers
from deepbasics.autodiff import Tensor


def test_flatten_shapes_and_gradient_shape():
    x = Tensor(np.arange(24, dtype=np.float64).reshape(2, 3, 4), requires_grad=True)
    flat = layers.Flatten()
    y = flat(x)
    assert y.shape == (2, 12)
    assert flat.compute_output_shape((None, 3, 4)) == (None, 12)
    y.backward(np.arange(24.0).reshape(2, 12))
    np.testing.assert_array_equal(x.grad, np.arange(24.0).reshape(2, 3, 4))


def test_activation_layer_matches_function():
    x = np.linspace(-2, 2, 9, dtype=np.float32).reshape(3, 3)
    np.testing.assert_allclose(layers.Activation("tanh")(x).numpy(), np.tanh(x), rtol=1e-6)
    np.testing.assert_allclose(layers.Activation("relu")(x).numpy(), np.maximum(x, 0))


def test_input_returns_symbolic_tensor():
    t = layers.Input(shape=(784,))
    assert t.shape == (None, 784)
    assert isinstance(t._keras_layer, layers.InputLayer)
    assert layers.InputLayer(shape=(3,), batch_size=8).batch_shape == (8, 3)
    with pytest.raises(ValueError, match="shape"):
        layers.InputLayer()


def test_layer_names_count_up_like_keras():
    a, b = layers.Flatten(), layers.Flatten()
    base = a.name.split("_")[0]
    assert base == "flatten" and a.name != b.name


def test_flatten_rejects_channels_first():
    with pytest.raises(ValueError, match="channels_last"):
        layers.Flatten(data_format="channels_first")
