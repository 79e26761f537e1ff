import itertools
from types import SimpleNamespace

import numpy as np
import pytest

from deepbasics.autodiff import Tensor, gradcheck
from deepbasics.layers import Dense, Flatten, Input
from deepbasics.layers import convolutional, pooling, spatial
from deepbasics.layers.convolutional import Conv1D, Conv2D, Conv2DTranspose
from deepbasics.layers.pooling import MaxPooling2D
from deepbasics.models import Sequential
from deepbasics.ops import conv as conv_ops
from deepbasics.utils.seed import set_random_seed
from mnist_data import needs_data, subset


def keras_conv_length(n, k, padding, s, d):
    """Keras's compute_conv_output_shape, written out."""
    if padding == "valid":
        return int(np.floor((n - d * (k - 1) - 1) / s)) + 1
    return int(np.floor((n - 1) / s)) + 1


def test_conv2d_weights_like_keras():
    layer = Conv2D(32, 3, activation="relu")
    layer.build((None, 28, 28, 1))
    assert layer.kernel.shape == (3, 3, 1, 32) and layer.bias.shape == (32,)
    assert layer.count_params() == 320
    assert layer.kernel.dtype == np.float32 and np.all(layer.bias.numpy() == 0)
    limit = np.sqrt(6 / (9 * 1 + 9 * 32))  # glorot_uniform, fans times the receptive field
    assert limit * 0.9 < np.abs(layer.kernel.numpy()).max() <= limit
    second = Conv2D(64, (3, 3))
    second.build((None, 13, 13, 32))
    assert second.count_params() == 3 * 3 * 32 * 64 + 64 == 18496


@pytest.mark.parametrize("padding,strides,dilation", [
    (p, s, d) for p, s, d in itertools.product(["valid", "same"], [(1, 1), (2, 2), (3, 1)], [(1, 1), (2, 2), (1, 3)])
    if max(s) == 1 or max(d) == 1])
@pytest.mark.parametrize("size", [(28, 28), (13, 7), (9, 10)])
def test_conv2d_output_shape_follows_keras(padding, strides, dilation, size):
    layer = Conv2D(4, (3, 2), strides=strides, padding=padding, dilation_rate=dilation)
    expected = tuple(keras_conv_length(n, k, padding, s, d) for n, k, s, d in zip(size, (3, 2), strides, dilation))
    assert layer.compute_output_shape((None, *size, 3)) == (None, *expected, 4)
    assert layer(np.zeros((2, *size, 3), np.float32)).shape == (2, *expected, 4)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", None])
def test_conv2d_forward_equals_conv_then_activation(activation):
    rng = np.random.default_rng(0)
    layer = Conv2D(3, 3, padding="same", activation=activation, bias_initializer="random_normal")
    x = rng.standard_normal((2, 6, 5, 2)).astype(np.float32)
    y = layer(x).numpy()
    z = conv_ops.conv2d(Tensor(x), layer.kernel, layer.bias, padding="same").data.astype(np.float64)
    expected = {"relu": np.maximum(z, 0), "tanh": np.tanh(z), "sigmoid": 1 / (1 + np.exp(-z)), None: z}[activation]
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def test_conv2d_layer_gradients_in_float64():
    rng = np.random.default_rng(1)
    layer = Conv2D(3, (2, 3), strides=(2, 1), padding="same", dtype="float64", bias_initializer="random_normal")
    layer.build((None, 5, 6, 2))
    x = rng.standard_normal((2, 5, 6, 2))
    gradcheck(lambda x, w, b: conv_ops.conv2d(x, w, b, layer.strides, layer.padding, layer.dilation_rate),
              [x, layer.kernel.numpy(), layer.bias.numpy()])


@pytest.mark.parametrize("padding,stride,dilation",
                         [("valid", 1, 1), ("same", 2, 1), ("causal", 1, 2), ("valid", 1, 3)])
def test_conv1d_shapes_and_weights(padding, stride, dilation):
    layer = Conv1D(8, 3, strides=stride, padding=padding, dilation_rate=dilation)
    y = layer(np.ones((2, 20, 4), np.float32))
    expected = keras_conv_length(20, 3, "valid" if padding == "valid" else "same", stride, dilation)
    assert y.shape == (2, expected, 8) == layer.compute_output_shape((2, 20, 4))
    assert layer.kernel.shape == (3, 4, 8) and layer.count_params() == 3 * 4 * 8 + 8


def test_conv1d_causal_output_does_not_see_the_future():
    layer = Conv1D(1, 3, padding="causal", kernel_initializer="ones", use_bias=False)
    x = np.zeros((1, 6, 1), np.float32)
    x[0, 3] = 1.0
    assert layer(x).numpy().ravel().tolist() == [0, 0, 0, 1, 1, 1]


@pytest.mark.parametrize("padding,strides,output_padding", [("valid", 1, None), ("same", 2, None), ("valid", 2, None),
                                                            ("same", 2, 1), ("valid", 3, (2, 1))])
def test_conv2d_transpose_shapes_and_weights(padding, strides, output_padding):
    layer = Conv2DTranspose(6, 3, strides=strides, padding=padding, output_padding=output_padding)
    y = layer(np.ones((2, 5, 4, 3), np.float32))
    assert y.shape == layer.compute_output_shape((2, 5, 4, 3))
    assert layer.kernel.shape == (3, 3, 6, 3) and layer.count_params() == 3 * 3 * 6 * 3 + 6
    if padding == "same" and output_padding is None:
        assert y.shape == (2, 5 * strides, 4 * strides, 6)


def test_config_round_trips():
    layers = [Conv2D(8, (3, 5), strides=2, padding="SAME", activation="relu", use_bias=False,
                     kernel_initializer="he_normal", kernel_regularizer="l2", name="c"),
              Conv1D(4, 5, padding="causal", dilation_rate=2, bias_constraint="non_neg"),
              Conv2DTranspose(3, 2, strides=2, output_padding=1, activation="tanh")]
    for layer in layers:
        config = layer.get_config()
        clone = type(layer).from_config(config)
        assert clone.get_config() == config
    config = layers[0].get_config()
    assert config["padding"] == "same" and config["strides"] == (2, 2) and config["kernel_size"] == (3, 5)
    assert config["data_format"] == "channels_last" and config["groups"] == 1 and config["dilation_rate"] == (1, 1)


def test_flat_images_get_a_reshape_hint():
    with pytest.raises(ValueError, match=r"expected ndim=4.*found ndim=2.*\(None, 784\).*x\.reshape\(-1, 28, 28, 1\)"):
        Conv2D(32, 3)(np.zeros((2, 784), np.float32))
    with pytest.raises(ValueError, match=r"x\.reshape\(-1, 28, 28, 1\)"):
        Sequential([Input((784,)), Conv2D(32, 3)])
    with pytest.raises(ValueError, match=r"expected ndim=3"):
        Conv1D(4, 3)(np.zeros((2, 5, 5, 1), np.float32))


def test_kernel_larger_than_input_is_caught_at_build():
    with pytest.raises(ValueError, match=r"kernel_size \(5, 5\) is larger than the input's spatial size \(3, 3\)"):
        Conv2D(2, 5).build((None, 3, 3, 1))
    with pytest.raises(ValueError, match=r"larger than the input"):
        Sequential([Input((4, 4, 1)), Conv2D(2, 3), Conv2D(2, 3)])


def test_wrong_channel_count_after_build():
    layer = Conv2D(2, 3)
    layer(np.zeros((1, 5, 5, 3), np.float32))
    with pytest.raises(ValueError, match="channels.*size 3"):
        layer(np.zeros((1, 5, 5, 1), np.float32))


@pytest.mark.parametrize("kwargs,match", [
    ({"filters": 0, "kernel_size": 3}, "filters"),
    ({"filters": 2.5, "kernel_size": 3}, "filters"),
    ({"filters": 4, "kernel_size": (3, 0)}, "kernel_size"),
    ({"filters": 4, "kernel_size": (3, 3, 3)}, "kernel_size"),
    ({"filters": 4, "kernel_size": 3, "strides": 0}, "strides"),
    ({"filters": 4, "kernel_size": 3, "padding": "full"}, "padding"),
    ({"filters": 4, "kernel_size": 3, "data_format": "channels_first"}, "channels_last"),
    ({"filters": 4, "kernel_size": 3, "groups": 2}, "groups"),
    ({"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, "dilation_rate > 1"),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Conv2D(**kwargs)


def test_causal_padding_is_only_for_conv1d():
    with pytest.raises(ValueError, match="padding"):
        Conv2D(2, 3, padding="causal")


def test_small_convnet_learns(rng):
    """Two classes told apart by where a bright bar is: a few Adam steps separate them."""
    set_random_seed(0)
    x = np.zeros((64, 8, 8, 1), np.float32)
    y = rng.integers(0, 2, 64)
    x[y == 0, 2, 1:7, 0] = 1.0  # a horizontal bar
    x[y == 1, 1:7, 2, 0] = 1.0  # a vertical bar
    x += 0.1 * rng.standard_normal(x.shape).astype(np.float32)
    model = Sequential([Input((8, 8, 1)), Conv2D(4, 3, activation="relu"), Flatten(), Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=15, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9



@needs_data
def test_convnet_on_real_mnist():
    """3,000 real digits, 3 epochs: PyTorch's same net and optimizer scores 0.87-0.88 here."""
    set_random_seed(0)
    x_train, y_train, x_test, y_test = subset(3000, 1000)
    model = Sequential([Input((28, 28, 1)), Conv2D(8, 3, activation="relu"), MaxPooling2D(), Flatten(),
                        Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train.reshape(-1, 28, 28, 1), y_train, batch_size=32, epochs=3, verbose=0)
    assert model.evaluate(x_test.reshape(-1, 28, 28, 1), y_test, verbose=0)[1] > 0.84


# the whole family under one name (deepbasics.layers may not export all of it yet)
L = SimpleNamespace(**{k: v for m in (convolutional, pooling, spatial) for k, v in vars(m).items() if k[0].isupper()})


CONTRACT = {  # the core layers' contract (tests/layers/test_layer_contract.py) over this family
    "Conv2D": (lambda: L.Conv2D(3, 2, padding="same", activation="relu"), (4, 5, 6, 2)),
    "Conv1D": (lambda: L.Conv1D(3, 2, padding="causal"), (4, 7, 2)),
    "Conv2DTranspose": (lambda: L.Conv2DTranspose(3, 3, strides=2), (4, 3, 5, 2)),
    "MaxPooling2D": (lambda: L.MaxPooling2D(), (4, 5, 6, 2)),
    "AveragePooling2D": (lambda: L.AveragePooling2D(3, 2, "same"), (4, 5, 6, 2)),
    "MaxPooling1D": (lambda: L.MaxPooling1D(), (4, 7, 2)),
    "AveragePooling1D": (lambda: L.AveragePooling1D(), (4, 7, 2)),
    "GlobalAveragePooling2D": (lambda: L.GlobalAveragePooling2D(), (4, 5, 6, 2)),
    "GlobalMaxPooling2D": (lambda: L.GlobalMaxPooling2D(keepdims=True), (4, 5, 6, 2)),
    "GlobalAveragePooling1D": (lambda: L.GlobalAveragePooling1D(), (4, 7, 2)),
    "GlobalMaxPooling1D": (lambda: L.GlobalMaxPooling1D(), (4, 7, 2)),
    "UpSampling2D": (lambda: L.UpSampling2D(), (4, 5, 6, 2)),
    "ZeroPadding2D": (lambda: L.ZeroPadding2D(), (4, 5, 6, 2)),
    "Cropping2D": (lambda: L.Cropping2D(1), (4, 5, 6, 2)),
    "SpatialDropout2D": (lambda: L.SpatialDropout2D(0.3), (4, 5, 6, 2)),
    "SpatialDropout1D": (lambda: L.SpatialDropout1D(0.3), (4, 7, 2)),
}


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_layer_contract(name):
    make, shape = CONTRACT[name]
    layer = make()
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    for training in (False, True):
        y = layer(x, training=training).numpy()
        assert y.dtype == np.float32 and y.shape[0] == shape[0]
        assert tuple(y.shape[1:]) == tuple(layer.compute_output_shape((None,) + shape[1:])[1:])
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert layer.count_params() == sum(w.size for w in layer.get_weights())
