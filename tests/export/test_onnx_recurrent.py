"""ONNX export of SimpleRNN, LSTM, GRU and Bidirectional: time-major operators, ONNX's gate
order and bias layout. Weights (biases included) are random, so a wrong layout cannot pass."""
import numpy as np
import pytest

import deepbasics as db
from deepbasics import layers as L


@pytest.mark.parametrize("rnn", [L.SimpleRNN, L.LSTM, L.GRU])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_recurrent_layers_match_predict(rnn, return_sequences, go_backwards, assert_onnx_matches, randomize):
    model = randomize(db.Sequential([L.Input((5, 3)), rnn(4, return_sequences=return_sequences,
                                                          go_backwards=go_backwards)]))
    assert_onnx_matches(model, (5, 3))


@pytest.mark.parametrize("layer", [
    lambda: L.GRU(4, reset_after=False, return_sequences=True),
    lambda: L.LSTM(4, activation="relu", recurrent_activation="hard_sigmoid"),
    lambda: L.GRU(3, activation="linear", recurrent_activation="hard_sigmoid"),
    lambda: L.SimpleRNN(3, activation="relu", use_bias=False),
    lambda: L.LSTM(3, use_bias=False, unit_forget_bias=False),
], ids=["gru_reset_before", "lstm_relu_hard_sigmoid", "gru_linear", "simple_rnn_relu_no_bias", "lstm_no_bias"])
def test_recurrent_variants(layer, assert_onnx_matches, randomize):
    model = randomize(db.Sequential([L.Input((5, 3)), layer()]))
    assert_onnx_matches(model, (5, 3))


def test_gru_reset_after_is_linear_before_reset(export_onnx, onnx_nodes):
    model = db.Sequential([L.Input((4, 2)), L.GRU(3), L.Reshape((3, 1)), L.GRU(2, reset_after=False)])
    _, proto = export_onnx(model)
    assert [n["linear_before_reset"] for n in onnx_nodes(proto, "GRU")] == [1, 0]


def test_stacked_recurrent_layers_with_unknown_length(export_onnx, randomize, rng):
    model = randomize(db.Sequential([L.Input((None, 3)), L.LSTM(4, return_sequences=True), L.GRU(2)]))
    session, _ = export_onnx(model)
    for steps in (1, 7):
        x = rng.standard_normal((3, steps, 3)).astype(np.float32)
        got = session.run(None, {session.get_inputs()[0].name: x})[0]
        np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional(merge_mode, return_sequences, assert_onnx_matches, randomize):
    model = randomize(db.Sequential([
        L.Input((5, 3)), L.Bidirectional(L.LSTM(4, return_sequences=return_sequences), merge_mode=merge_mode)]))
    assert_onnx_matches(model, (5, 3))


def test_return_state_gives_every_output(assert_onnx_matches, randomize):
    x = db.Input((5, 3))
    sequence, h, c = L.LSTM(4, return_state=True, return_sequences=True)(x)
    forward, backward, *states = L.Bidirectional(L.GRU(2, return_state=True), merge_mode=None)(sequence)
    model = randomize(db.Model(x, [sequence, h, c, forward, backward] + states))
    session, _ = assert_onnx_matches(model, (5, 3))
    assert len(session.get_outputs()) == 7


def test_embedding_then_lstm_takes_integer_ids(assert_onnx_matches, randomize):
    model = db.Sequential([L.Embedding(10, 4, input_length=6), L.LSTM(3)])
    model.build((None, 6))
    randomize(model)
    session, _ = assert_onnx_matches(model, (6,), make_input=lambda rng, shape: rng.integers(0, 10, shape))
    assert session.get_inputs()[0].type == "tensor(int64)"


def test_the_mnist_rnn_example_shape(assert_onnx_matches):
    """The README's LSTM over the 28 rows of an MNIST image."""
    model = db.Sequential([L.Input((28, 28)), L.LSTM(16), L.Dense(10, activation="softmax")])
    assert_onnx_matches(model, (28, 28))


def test_functional_int32_ids_stay_int32(export_onnx, rng):
    ids_in = db.Input((6,), dtype="int32", name="ids")
    model = db.Model(ids_in, L.GRU(3)(L.Embedding(10, 4)(ids_in)))
    session, _ = export_onnx(model)
    assert session.get_inputs()[0].type == "tensor(int32)"
    ids = rng.integers(0, 10, (4, 6)).astype(np.int32)
    # model(ids), not predict: predict warns about "unscaled pixels" for a functional model's integer input
    np.testing.assert_allclose(session.run(None, {"ids": ids})[0], model(ids).numpy(), rtol=1e-5, atol=1e-5)
