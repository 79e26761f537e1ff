import numpy as np
import pytest

from deepbasics import layers
from deepbasics.autodiff import gradcheck
from deepbasics.ops.batchnorm import BatchNormTrain


def test_keras_checked_values():
    """Values checked against Keras 3.15.1 (../shared/KERAS_REFERENCE.md)."""
    bn = layers.BatchNormalization()
    x = np.array([[1, 2], [3, 6], [5, 10]], np.float32)
    y = bn(x, training=True).numpy()
    np.testing.assert_allclose(y[:, 0], [-1.2245150, 0, 1.2245150], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.moving_mean.numpy(), [0.03, 0.06], rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), [1.0166667, 1.0966667], rtol=1e-5)


def test_training_statistics_are_normalised():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((500, 4)) * [1, 5, 0.1, 3] + [2, -1, 7, 0]).astype(np.float32)
    y = layers.BatchNormalization()(x, training=True).numpy()
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=5e-6 * np.sqrt(500))  # float32 over 500 terms
    var = x.astype(np.float64).var(axis=0)
    np.testing.assert_allclose(y.std(axis=0), np.sqrt(var / (var + 1e-3)), rtol=1e-4)  # ~1 unless var ~ eps


def test_inference_uses_moving_statistics():
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((64, 3)) * 4 + 10).astype(np.float32)
    bn = layers.BatchNormalization(momentum=0.0)  # moving stats = last batch's
    train_out = bn(x, training=True).numpy()
    np.testing.assert_allclose(bn(x, training=False).numpy(), train_out, rtol=1e-4, atol=1e-5)
    expected = (x - bn.moving_mean.numpy()) / np.sqrt(bn.moving_variance.numpy() + 1e-3)
    np.testing.assert_allclose(bn(x).numpy(), expected, rtol=1e-5, atol=1e-5)


def test_weights_layout():
    bn = layers.BatchNormalization()
    bn.build((None, 8))
    assert [w.name.split("/")[-1] for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2


def test_channel_axis_of_4d_inputs():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 5, 5, 3)).astype(np.float32) * [1, 2, 3] + [0, 1, 2]
    y = layers.BatchNormalization()(x, training=True).numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0, atol=1e-5)


@pytest.mark.parametrize("shape,axes", [((6, 3), (0,)), ((2, 3, 3, 4), (0, 1, 2))])
def test_gradients(shape, axes):
    rng = np.random.default_rng(4)
    param = (1,) * (len(shape) - 2) + (shape[-1],)
    gradcheck(lambda x, g, b: BatchNormTrain(axes, 1e-3)(x, g, b),
              [rng.standard_normal(shape), rng.standard_normal(param), rng.standard_normal(param)])


@pytest.mark.parametrize("kwargs", [{"momentum": -1}, {"momentum": 1.5}, {"epsilon": 0}])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        layers.BatchNormalization(**kwargs)


def test_predict_after_fit_uses_moving_statistics():
    import deepbasics as db

    rng = np.random.default_rng(5)
    x = (rng.standard_normal((256, 4)) * 3 + 5).astype(np.float32)
    y = (x.sum(1, keepdims=True) > 20).astype(np.float32)
    db.utils.set_random_seed(0)
    model = db.Sequential([db.layers.BatchNormalization(input_shape=(4,), momentum=0.5), db.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    bn, dense = model.layers
    np.testing.assert_allclose(bn.moving_mean.numpy(), x.mean(0), rtol=0.1)  # tracked the data
    expected = ((x - bn.moving_mean.numpy()) / np.sqrt(bn.moving_variance.numpy() + 1e-3)
                * bn.gamma.numpy() + bn.beta.numpy()) @ dense.kernel.numpy() + dense.bias.numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-5)
