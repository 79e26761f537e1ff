import numpy as np
import pytest

from deepbasics import activations, layers
from deepbasics.autodiff import Tensor, gradcheck


def test_dense_builds_keras_shapes_and_names():
    layer = layers.Dense(64, activation="relu")
    layer.build((None, 784))
    assert layer.kernel.shape == (784, 64) and layer.bias.shape == (64,)
    assert layer.count_params() == 784 * 64 + 64
    assert layer.compute_output_shape((None, 784)) == (None, 64)
    assert layer.kernel.dtype == np.float32
    assert np.all(layer.bias.numpy() == 0)
    limit = np.sqrt(6 / (784 + 64))  # glorot_uniform
    assert np.abs(layer.kernel.numpy()).max() <= limit
    assert np.abs(layer.kernel.numpy()).max() > 0.95 * limit


@pytest.mark.parametrize("activation,reference", [
    (None, lambda z: z),
    ("relu", lambda z: np.maximum(z, 0)),
    ("tanh", np.tanh),
    ("sigmoid", lambda z: 1 / (1 + np.exp(-z))),
    ("softmax", lambda z: np.exp(z) / np.exp(z).sum(-1, keepdims=True)),
])
def test_dense_forward_matches_numpy(activation, reference):
    rng = np.random.default_rng(0)
    layer = layers.Dense(5, activation=activation, bias_initializer="random_normal")
    x = rng.standard_normal((7, 3)).astype(np.float32)
    y = layer(x).numpy()
    z = x.astype(np.float64) @ layer.kernel.numpy() + layer.bias.numpy()
    np.testing.assert_allclose(y, reference(z), rtol=1e-5, atol=1e-6)
    assert y.dtype == np.float32


@pytest.mark.parametrize("activation", [None, "relu", "tanh", "sigmoid", "softmax"])
def test_dense_gradients(activation):
    rng = np.random.default_rng(1)
    layer = layers.Dense(4, activation=activation, dtype="float64")
    layer.build((None, 3))
    x = rng.standard_normal((5, 3))
    x[np.abs(x) < 0.05] += 0.2  # away from relu's kink

    gradcheck(lambda x, w, b: _dense_fn(layer, x, w, b), [x, layer.kernel.numpy(), layer.bias.numpy()])


def _dense_fn(layer, x, w, b):
    from deepbasics import ops

    if layer.activation in (activations.relu, activations.tanh):
        return ops.linear(x, w, b, activation="relu" if layer.activation is activations.relu else "tanh")
    return layer.activation(ops.linear(x, w, b))


def test_dense_on_3d_input_applies_to_last_axis():
    layer = layers.Dense(2)
    x = np.random.default_rng(0).standard_normal((4, 3, 5)).astype(np.float32)
    y = layer(x).numpy()
    assert y.shape == (4, 3, 2)
    np.testing.assert_allclose(y, x @ layer.kernel.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("units", [0, -3, 2.5, "64", True])
def test_bad_units(units):
    with pytest.raises(ValueError, match="units"):
        layers.Dense(units)


def test_unknown_activation_lists_names():
    with pytest.raises(ValueError, match="'relu'"):
        layers.Dense(3, activation="rellu")


def test_unknown_keyword_is_rejected():
    with pytest.raises(TypeError, match="Unrecognized keyword arguments.*foo"):
        layers.Dense(3, foo=1)


def test_wrong_input_width_is_a_clear_error():
    layer = layers.Dense(3)
    layer(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match="expected last axis of size 4"):
        layer(np.zeros((2, 5), np.float32))


def test_config_round_trip_and_weights():
    layer = layers.Dense(3, activation="relu", use_bias=False, kernel_initializer="he_normal", name="d")
    clone = layers.Dense.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    layer.build((None, 2))
    assert len(layer.weights) == 1
    new = [np.ones((2, 3), np.float32)]
    layer.set_weights(new)
    np.testing.assert_array_equal(layer.get_weights()[0], new[0])
    with pytest.raises(ValueError, match="shape"):
        layer.set_weights([np.ones((3, 3))])


def test_frozen_layer_has_no_trainable_weights():
    layer = layers.Dense(3)
    layer.build((None, 2))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2


def test_input_dim_declares_batch_shape():
    assert layers.Dense(3, input_dim=784)._batch_input_shape == (None, 784)
    assert layers.Dense(3, input_shape=(28, 28))._batch_input_shape == (None, 28, 28)
    with pytest.raises(ValueError, match="input_dim"):
        layers.Dense(3, input_dim=0)


def test_call_records_graph_only_when_needed():
    layer = layers.Dense(2)
    out = layer(Tensor(np.ones((1, 3), np.float32)))
    assert out.requires_grad  # the kernel needs a gradient
