"""Bidirectional and TimeDistributed: outputs against real Keras and against the wrapped layers
run by hand, merge modes, states, weights and configs."""
import numpy as np
import pytest

from deepbasics.autodiff import Tensor
from deepbasics.layers import Dense, Dropout, Input
from deepbasics.layers.recurrent import GRU, LSTM, SimpleRNN
from deepbasics.layers.wrappers import Bidirectional, TimeDistributed
from deepbasics.models import Sequential

# keras.layers.Bidirectional(keras.layers.LSTM(2, return_sequences=True)) on
# x = rng.normal(size=(2, 3, 2)), weights rng.normal(size=w.shape) * 0.5 in get_weights() order,
# rng = default_rng(0); Keras 3.15.1 (JAX), rounded to 6 decimals
KERAS_BIDIRECTIONAL = [
    [[0.180888, 0.091322, -0.071889, 0.458736], [0.217376, 0.182174, -0.051821, 0.385619],
     [0.343041, 0.178919, -0.081538, 0.197534]],
    [[0.07449, 0.107853, -0.070451, 0.527282], [0.256974, 0.154719, -0.091346, 0.310436],
     [0.365821, 0.175515, -0.089543, 0.20625]]]


def test_bidirectional_matches_real_keras():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 2)).astype("float32")
    layer = Bidirectional(LSTM(2, return_sequences=True))
    layer.build((None, 3, 2))
    assert [w.name.split("/")[0] for w in layer.weights] == ["forward_" + layer.layer.name] * 3 + \
        ["backward_" + layer.layer.name] * 3
    layer.set_weights([rng.normal(size=w.shape).astype("float32") * 0.5 for w in layer.get_weights()])
    np.testing.assert_allclose(layer(x).numpy(), KERAS_BIDIRECTIONAL, atol=2e-6)


@pytest.mark.parametrize("merge_mode,combine", [
    ("concat", lambda a, b: np.concatenate([a, b], -1)), ("sum", np.add), ("mul", np.multiply),
    ("ave", lambda a, b: (a + b) / 2), (None, lambda a, b: [a, b]),
])
@pytest.mark.parametrize("sequences", [False, True])
def test_merge_modes_against_the_two_layers(merge_mode, combine, sequences):
    x = np.random.default_rng(1).normal(size=(3, 5, 4)).astype("float32")
    layer = Bidirectional(GRU(3, return_sequences=sequences), merge_mode=merge_mode)
    out = layer(x)
    forward = layer.forward_layer(x).numpy()
    backward = layer.backward_layer(x).numpy()
    if sequences:
        backward = backward[:, ::-1]  # step t of both outputs belongs to input step t
    expected = combine(forward, backward)
    if merge_mode is None:
        for o, e in zip(out, expected):
            np.testing.assert_allclose(o.numpy(), e, rtol=1e-6)
        assert layer.compute_output_shape((3, 5, 4)) == [o.shape for o in out]
    else:
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6, atol=1e-7)
        assert layer.compute_output_shape((3, 5, 4)) == out.shape


def test_bidirectional_states_and_gradients():
    x = np.random.default_rng(2).normal(size=(2, 4, 3)).astype("float32")
    layer = Bidirectional(LSTM(5, return_state=True, return_sequences=True))
    outs = layer(Tensor(x))
    assert [o.shape for o in outs] == [(2, 4, 10)] + [(2, 5)] * 4
    assert layer.compute_output_shape((2, 4, 3)) == [(2, 4, 10)] + [(2, 5)] * 4
    sum(o.sum() for o in outs).backward()
    assert len(layer.weights) == 6 and all(w.grad is not None for w in layer.weights)
    assert layer.count_params() == 2 * 4 * 5 * (3 + 5 + 1)


def test_bidirectional_in_a_model_with_keras2_input_shape():
    model = Sequential([Bidirectional(SimpleRNN(4), input_shape=(6, 2)), Dense(1)])
    assert model.output_shape == (None, 1)
    model.compile(loss="mse", optimizer="adam")
    x = np.random.default_rng(3).normal(size=(16, 6, 2)).astype("float32")
    model.fit(x, x.sum(axis=(1, 2))[:, None], epochs=2, batch_size=8, verbose=0)
    assert model.predict(x, verbose=0).shape == (16, 1)


def test_bidirectional_config_round_trip_and_bad_arguments():
    layer = Bidirectional(LSTM(3, return_sequences=True), merge_mode="sum")
    assert Bidirectional.from_config(layer.get_config()).get_config() == layer.get_config()
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    with pytest.raises(ValueError, match="merge mode"):
        Bidirectional(LSTM(3), merge_mode="max")
    with pytest.raises(ValueError, match="recurrent layer"):
        Bidirectional(Dense(3))


def test_time_distributed_dense_applies_to_every_step():
    x = np.random.default_rng(4).normal(size=(2, 5, 3)).astype("float32")
    layer = TimeDistributed(Dense(4, activation="relu"))
    y = layer(x).numpy()
    w, b = layer.layer.kernel.numpy(), layer.layer.bias.numpy()
    np.testing.assert_allclose(y, np.maximum(x @ w + b, 0), rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape((None, 5, 3)) == (None, 5, 4)
    assert [v.shape for v in layer.weights] == [(3, 4), (4,)] and layer.count_params() == 16


def test_time_distributed_after_an_rnn_trains_and_passes_training_flag():
    x = np.random.default_rng(5).normal(size=(8, 5, 3)).astype("float32")
    model = Sequential([Input(shape=(5, 3)), LSTM(6, return_sequences=True),
                        TimeDistributed(Dropout(0.5)), TimeDistributed(Dense(2))])
    assert model.output_shape == (None, 5, 2)
    model.compile(loss="mse", optimizer="adam")
    model.fit(x, np.zeros((8, 5, 2), "float32"), epochs=1, verbose=0)
    td = TimeDistributed(Dropout(0.5))
    ones = np.ones((4, 3, 10), "float32")
    np.testing.assert_array_equal(td(ones, training=False).numpy(), ones)
    assert set(np.unique(td(ones, training=True).numpy())) == {0.0, 2.0}


def test_time_distributed_config_and_errors():
    layer = TimeDistributed(Dense(4, use_bias=False))
    assert TimeDistributed.from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        layer(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="Layer instance"):
        TimeDistributed("dense")
