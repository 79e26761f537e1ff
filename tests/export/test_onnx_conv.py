"""ONNX export of convolutional models: NHWC in Keras, NCHW in ONNX, Flatten in Keras's order."""
import numpy as np
import pytest

import deepbasics as db
from deepbasics import layers as L


def test_trained_cnn_with_batch_norm_matches_predict(assert_onnx_matches, onnx_nodes, rng):
    model = db.Sequential([
        L.Input((8, 8, 2)), L.Conv2D(4, 3, padding="same", activation="relu"), L.BatchNormalization(),
        L.MaxPooling2D(), L.Conv2D(5, 2), L.BatchNormalization(epsilon=0.05), L.Dropout(0.3), L.Flatten(),
        L.Dense(4, activation="softmax")])
    x = rng.standard_normal((32, 8, 8, 2)).astype(np.float32)
    y = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 32)]
    model.compile("adam", "categorical_crossentropy")
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    for bn in (model.layers[1], model.layers[4]):  # the moving statistics have left their defaults
        assert np.abs(bn.moving_mean.data).min() > 1e-4
        assert np.abs(bn.moving_variance.data - 1.0).min() > 1e-4
    _, proto = assert_onnx_matches(model, (8, 8, 2))
    epsilons = [n["epsilon"] for n in onnx_nodes(proto, "BatchNormalization")]
    np.testing.assert_allclose(epsilons, [1e-3, 0.05], rtol=1e-6)  # Keras's epsilon, not ONNX's 1e-5


def test_flatten_after_conv_lists_values_as_keras_does(assert_onnx_matches, onnx_nodes):
    model = db.Sequential([L.Input((3, 4, 2)), L.Conv2D(3, 2, padding="same"), L.Flatten()])
    _, proto = assert_onnx_matches(model, (3, 4, 2))
    assert [n["perm"] for n in onnx_nodes(proto, "Transpose")] == [[0, 3, 1, 2], [0, 2, 3, 1]]


@pytest.mark.parametrize("pool", [L.MaxPooling2D, L.AveragePooling2D])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pooling_2d_both_paddings(pool, padding, assert_onnx_matches):
    # 11 x 11 with 3 x 3 windows, stride 2: 'same' pads unevenly; the conv and the second pool too
    model = db.Sequential([L.Input((11, 11, 3)), pool(pool_size=3, strides=2, padding=padding),
                           L.Conv2D(2, 2, strides=2, padding=padding), pool(padding=padding)])
    assert_onnx_matches(model, (11, 11, 3))


@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
def test_conv_1d_with_dilation_and_1d_pooling(padding, assert_onnx_matches):
    pool_padding = "valid" if padding == "valid" else "same"
    model = db.Sequential([L.Input((9, 3)), L.Conv1D(4, 3, padding=padding, dilation_rate=2),
                           L.MaxPooling1D(3, strides=2, padding=pool_padding),
                           L.AveragePooling1D(2, padding=pool_padding), L.GlobalAveragePooling1D()])
    assert_onnx_matches(model, (9, 3))


@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_2d(keepdims, assert_onnx_matches):
    x = db.Input((6, 6, 2))
    c = L.Conv2D(3, 3, padding="same")(x)
    pooled = [L.GlobalAveragePooling2D(keepdims=keepdims)(c), L.GlobalMaxPooling2D(keepdims=keepdims)(c)]
    assert_onnx_matches(db.Model(x, pooled), (6, 6, 2))


def test_unknown_image_size_any_size_runs(export_onnx, rng):
    model = db.Sequential([L.Input((None, None, 2)), L.Conv2D(3, 3, strides=2, padding="same"),
                           L.Conv2D(3, 3, padding="same", dilation_rate=2),
                           L.MaxPooling2D(3, strides=2, padding="same"), L.GlobalAveragePooling2D()])
    session, _ = export_onnx(model)
    for shape in [(2, 9, 7, 2), (1, 16, 13, 2)]:
        x = rng.standard_normal(shape).astype(np.float32)
        got = session.run(None, {session.get_inputs()[0].name: x})[0]
        np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


def test_padding_cropping_upsampling_and_channels_first_merges(assert_onnx_matches, randomize):
    x = db.Input((5, 5, 2))
    c1 = L.Conv2D(3, 2)(L.ZeroPadding2D(((1, 2), (0, 1)))(x))
    c2 = L.Cropping2D(((1, 0), (0, 2)))(c1)
    up = L.UpSampling2D((2, 3))(c2)
    wide = L.Concatenate()([L.Add()([up, up]), L.PReLU()(up)])
    normed = L.Softmax(axis=1)(L.BatchNormalization()(wide))
    model = randomize(db.Model(x, L.Flatten()(normed)))
    bn = model.layers[-3]
    bn.moving_variance.assign(np.abs(bn.moving_variance.data) + 0.1)
    assert_onnx_matches(model, (5, 5, 2))
