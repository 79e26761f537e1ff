"""ONNX export of MLPs, activation layers, reshaping and merge layers, functional and nested models."""
import numpy as np
import pytest

import deepbasics as db
from deepbasics import layers as L
from deepbasics.activations import ALL_ACTIVATIONS


@pytest.mark.parametrize("activation", sorted(ALL_ACTIVATIONS))
def test_mlp_with_each_activation_matches_predict(activation, assert_onnx_matches):
    model = db.Sequential([L.Input((6,)), L.Dense(8, activation=activation), L.Dense(3, activation=activation)])
    assert_onnx_matches(model, (6,))


def test_course_mlp_keeps_the_model_names(assert_onnx_matches):
    model = db.Sequential()
    model.add(L.Dense(units=64, input_dim=28 * 28, activation="relu"))
    model.add(L.Dense(units=10, activation="softmax", name="probabilities"))
    session, _ = assert_onnx_matches(model, (784,))
    assert [i.name for i in session.get_inputs()] == ["input_layer"]
    assert [o.name for o in session.get_outputs()] == ["probabilities"]
    assert session.get_inputs()[0].shape == ["batch", 784]


def test_activation_layers_and_inference_identities(assert_onnx_matches, randomize):
    model = randomize(db.Sequential([
        L.Input((6,)), L.ReLU(), L.Dense(6), L.ReLU(max_value=0.5), L.Dense(6),
        L.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2), L.Dense(6), L.LeakyReLU(), L.Dense(6),
        L.ELU(alpha=0.5), L.Dense(6), L.PReLU(), L.Dropout(0.5), L.GaussianNoise(1.0), L.Dense(6),
        L.Softmax(), L.Activation("tanh")]))
    assert_onnx_matches(model, (6,))


def test_leaky_relu_writes_the_keras_slope_not_the_onnx_default(assert_onnx_matches, onnx_nodes):
    model = db.Sequential([L.Input((5,)), L.LeakyReLU(), L.Dense(4), L.LeakyReLU(negative_slope=0.05),
                           L.Dense(3, activation="leaky_relu")])
    _, proto = assert_onnx_matches(model, (5,))
    slopes = [n["alpha"] for n in onnx_nodes(proto, "LeakyRelu")]
    np.testing.assert_allclose(slopes, [0.3, 0.05, 0.2], rtol=1e-7)  # layer default, set, function default


def test_batch_norm_on_features_and_on_sequences(assert_onnx_matches, randomize):
    model = randomize(db.Sequential([L.Input((12,)), L.BatchNormalization(), L.Reshape((3, 4)),
                                     L.BatchNormalization(epsilon=0.01), L.Dense(2)]))
    for bn in (model.layers[0], model.layers[2]):
        bn.moving_variance.assign(np.abs(bn.moving_variance.data) + 0.1)
    assert_onnx_matches(model, (12,))


def test_reshaping_layers(assert_onnx_matches, randomize):
    model = randomize(db.Sequential([L.Input((12,)), L.Reshape((3, 4)), L.Permute((2, 1)), L.Dense(2),
                                     L.Flatten(), L.RepeatVector(3), L.Reshape((-1,))]))
    assert_onnx_matches(model, (12,))


def test_functional_two_inputs_two_outputs_and_every_merge(assert_onnx_matches):
    a, b = db.Input((4,), name="left"), db.Input((4,), name="right")
    h1, h2 = L.Dense(5, activation="relu")(a), L.Dense(5)(b)
    merged = [merge()([h1, h2]) for merge in (L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum,
                                              L.Concatenate)]
    model = db.Model([a, b], [L.Dense(2, name="score")(L.Concatenate()(merged)),
                              L.Dense(3, activation="softmax", name="label")(h1)])
    session, _ = assert_onnx_matches(model, (4,), (4,))
    assert [i.name for i in session.get_inputs()] == ["left", "right"]
    assert [o.name for o in session.get_outputs()] == ["score", "label"]


def test_nested_models_export_inline(assert_onnx_matches):
    inner = db.Sequential([L.Dense(5, activation="relu"), L.Dense(3)], name="inner")
    x = db.Input((4,))
    functional = db.Model(x, L.Activation("softmax")(inner(x)))
    outer = db.Sequential([L.Input((4,)), functional, L.Dense(2)])
    assert_onnx_matches(outer, (4,))


def test_shared_layer_called_twice(assert_onnx_matches):
    shared = L.Dense(3, activation="tanh")
    a, b = db.Input((3,)), db.Input((3,))
    model = db.Model([a, b], L.Add()([shared(a), shared(shared(b))]))
    assert_onnx_matches(model, (3,), (3,))
