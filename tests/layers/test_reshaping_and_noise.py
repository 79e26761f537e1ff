import numpy as np
import pytest

from deepbasics import layers, ops
from deepbasics.autodiff import Tensor, gradcheck

X = np.arange(24, dtype=np.float64).reshape(2, 3, 4)


def test_reshape():
    layer = layers.Reshape((4, 3))
    np.testing.assert_array_equal(layer(X).numpy(), X.reshape(2, 4, 3))
    assert layer.compute_output_shape((None, 3, 4)) == (None, 4, 3)
    assert layers.Reshape((-1, 2)).compute_output_shape((None, 3, 4)) == (None, 6, 2)
    with pytest.raises(ValueError, match="cannot reshape"):
        layers.Reshape((5,)).compute_output_shape((None, 3, 4))
    with pytest.raises(ValueError, match="-1"):
        layers.Reshape((-1, -1))


def test_permute_is_one_based_like_keras():
    layer = layers.Permute((2, 1))
    np.testing.assert_array_equal(layer(X).numpy(), X.transpose(0, 2, 1))
    assert layer.compute_output_shape((None, 3, 4)) == (None, 4, 3)
    with pytest.raises(ValueError, match="permutation"):
        layers.Permute((0, 1))
    gradcheck(lambda t: layers.Permute((2, 1))(t), [X + 0.5])


def test_repeat_vector():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = layers.RepeatVector(3)(x).numpy()
    assert y.shape == (2, 3, 2) and np.all(y[:, 1] == x)
    gradcheck(lambda t: layers.RepeatVector(3)(t), [x])


def test_gaussian_noise_only_in_training():
    x = np.zeros((2000, 10), np.float32)
    layer = layers.GaussianNoise(0.5, seed=0)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    noisy = layer(x, training=True).numpy()
    assert abs(noisy.std() - 0.5) < 0.01 and abs(noisy.mean()) < 0.01


def test_lambda_runs_a_function_and_is_differentiable():
    layer = layers.Lambda(lambda t: t * 2.0 + 1.0)
    np.testing.assert_array_equal(layer(X).numpy(), X * 2 + 1)
    assert layer.compute_output_shape((None, 3, 4)) == (None, 3, 4)
    gradcheck(lambda t: layers.Lambda(lambda u: ops.tanh(u))(t), [X / 10])


def test_lambda_config_never_holds_code():
    def double(t):
        return t * 2.0

    config = layers.Lambda(double).get_config()
    assert config["function"] == "double"
    with pytest.raises(ValueError, match="never rebuilt"):
        layers.Lambda.from_config(config)
    assert Tensor(X).shape == (2, 3, 4)
