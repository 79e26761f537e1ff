"""SimpleRNN, LSTM and GRU layers: Keras 3's weight layout and counts (checked against outputs of
real Keras 3.15 for the same weights), initial values, output formats, dropout, initial state,
configs, clear errors, and a short training run on real MNIST rows."""
import numpy as np
import pytest
from mnist_data import needs_data, subset

from deepbasics import ops, optimizers
from deepbasics.autodiff import Tensor, gradcheck
from deepbasics.layers import Dense, Input
from deepbasics.layers.recurrent import GRU, LSTM, SimpleRNN
from deepbasics.models import Sequential
from deepbasics.utils.seed import set_random_seed

# keras.layers.X(2, return_sequences=True) on x = rng.normal(size=(2, 3, 2)), its weights then
# drawn as rng.normal(size=w.shape) * 0.5 in get_weights() order, rng = default_rng(0);
# float32 outputs from Keras 3.15.1 (JAX backend), rounded to 6 decimals
KERAS_SEQUENCES = {
    "LSTM": [0.180888, 0.091322, 0.217376, 0.182174, 0.343041, 0.178919,
             0.07449, 0.107853, 0.256974, 0.154719, 0.365821, 0.175515],
    "GRU": [-0.078665, 0.380192, -0.285384, 0.592989, -0.183543, 0.724199,
            -0.552343, 0.297212, -0.124361, 0.608666, -0.046715, 0.742038],
    "GRU_before": [-0.343007, 0.329101, -0.58684, 0.47407, -0.506144, 0.595481,
                   -0.722516, 0.263863, -0.249942, 0.454028, -0.311196, 0.588939],
    "SimpleRNN": [-0.127438, 0.615573, -0.612394, 0.7239, 0.570888, 0.79454,
                  -0.974271, 0.19143, 0.951431, 0.900979, 0.508776, 0.783919],
}
KERAS_LAST_GO_BACKWARDS = {"LSTM": [0.325333, 0.24744, 0.211273, 0.257801],
                           "GRU": [-0.167837, 0.713503, -0.550898, 0.726555]}


def make_layer(name, **kwargs):
    if name == "GRU_before":
        return GRU(2, reset_after=False, **kwargs)
    return {"LSTM": LSTM, "GRU": GRU, "SimpleRNN": SimpleRNN}[name](2, **kwargs)


def keras_case(name, **kwargs):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 2)).astype("float32")
    layer = make_layer(name, **kwargs)
    layer.build((None, 3, 2))
    layer.set_weights([rng.normal(size=w.shape).astype("float32") * 0.5 for w in layer.get_weights()])
    return layer, x


@pytest.mark.parametrize("name", sorted(KERAS_SEQUENCES))
def test_outputs_match_real_keras_for_the_same_weights(name):
    layer, x = keras_case(name, return_sequences=True)
    np.testing.assert_allclose(layer(x).numpy().ravel(), KERAS_SEQUENCES[name], atol=2e-6)


@pytest.mark.parametrize("name", sorted(KERAS_LAST_GO_BACKWARDS))
def test_go_backwards_matches_real_keras(name):
    layer, x = keras_case(name, go_backwards=True)
    np.testing.assert_allclose(layer(x).numpy().ravel(), KERAS_LAST_GO_BACKWARDS[name], atol=2e-6)


def test_lstm_return_state_and_initial_state_match_real_keras():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 2)).astype("float32")
    layer = LSTM(2, return_state=True, return_sequences=True)
    layer.build((None, 3, 2))
    layer.set_weights([rng.normal(size=w.shape).astype("float32") * 0.5 for w in layer.get_weights()])
    h0, c0 = rng.normal(size=(2, 2)).astype("float32"), rng.normal(size=(2, 2)).astype("float32")
    out, h, c = layer(x, initial_state=[h0, c0])
    np.testing.assert_allclose(out.numpy()[:, 2], [[0.075869, 0.116288], [-0.21374, -0.029078]], atol=2e-6)
    np.testing.assert_allclose(h.numpy(), out.numpy()[:, 2])
    np.testing.assert_allclose(c.numpy(), [[0.165354, 0.350048], [-0.447792, -0.082754]], atol=2e-6)


@pytest.mark.parametrize("layer,params,shapes", [
    (LSTM(128), 4 * 128 * (28 + 128 + 1), [(28, 512), (128, 512), (512,)]),
    (GRU(128), 3 * 128 * (28 + 128 + 2), [(28, 384), (128, 384), (2, 384)]),
    (GRU(128, reset_after=False), 3 * 128 * (28 + 128 + 1), [(28, 384), (128, 384), (384,)]),
    (SimpleRNN(128), 128 * (28 + 128 + 1), [(28, 128), (128, 128), (128,)]),
    (LSTM(128, use_bias=False), 4 * 128 * (28 + 128), [(28, 512), (128, 512)]),
])
def test_weight_shapes_and_counts(layer, params, shapes):
    layer.build((None, 28, 28))
    assert [w.shape for w in layer.weights] == shapes
    assert layer.count_params() == params
    assert [w.name.split("/")[-1] for w in layer.weights][:2] == ["kernel", "recurrent_kernel"]


def test_mnist_lstm_has_80384_parameters():
    model = Sequential([Input(shape=(28, 28)), LSTM(128), Dense(10, activation="softmax")])
    assert model.layers[0].count_params() == 80_384
    assert model.count_params() == 80_384 + 1_290


def test_initial_values_follow_keras():
    layer = LSTM(4)
    layer.build((None, 5, 3))
    bias = layer.bias.numpy()
    np.testing.assert_array_equal(bias, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])  # unit_forget_bias
    r = layer.recurrent_kernel.numpy().astype(np.float64)
    np.testing.assert_allclose(r @ r.T, np.eye(4), atol=1e-5)  # orthogonal rows
    limit = np.sqrt(6 / (3 + 16))
    assert np.abs(layer.kernel.numpy()).max() <= limit
    plain = LSTM(4, unit_forget_bias=False)
    plain.build((None, 5, 3))
    assert np.all(plain.bias.numpy() == 0)


@pytest.mark.parametrize("cls,states", [(SimpleRNN, 1), (GRU, 1), (LSTM, 2)])
@pytest.mark.parametrize("sequences", [False, True])
def test_output_shapes_and_states(cls, states, sequences):
    x = np.random.default_rng(2).normal(size=(4, 6, 3)).astype("float32")
    layer = cls(5, return_sequences=sequences, return_state=True)
    outs = layer(x)
    out_shape = (4, 6, 5) if sequences else (4, 5)
    assert [o.shape for o in outs] == [out_shape] + [(4, 5)] * states
    assert layer.compute_output_shape((None, 6, 3)) == [(None,) + out_shape[1:]] + [(None, 5)] * states
    np.testing.assert_allclose(outs[1].numpy(), outs[0].numpy()[:, -1] if sequences else outs[0].numpy())
    plain = cls(5, return_sequences=sequences)
    assert plain(x).shape == out_shape and plain.compute_output_shape((None, 6, 3)) == (None,) + out_shape[1:]


@pytest.mark.parametrize("cls", [SimpleRNN, GRU, LSTM])
def test_go_backwards_reads_the_reversed_sequence(cls):
    x = np.random.default_rng(3).normal(size=(2, 5, 3)).astype("float32")
    forward, backward = cls(4, return_sequences=True), cls(4, return_sequences=True, go_backwards=True)
    forward.build((None, 5, 3))
    backward.build((None, 5, 3))
    backward.set_weights(forward.get_weights())
    np.testing.assert_allclose(backward(x).numpy(), forward(x[:, ::-1].copy()).numpy(), rtol=1e-6)


@pytest.mark.parametrize("cls", [SimpleRNN, GRU, LSTM])
def test_state_outputs_carry_gradients(cls):
    """A loss on the states reaches the weights: gradcheck through the layer's slicing."""
    rng = np.random.default_rng(4)
    layer = cls(3, return_sequences=True, return_state=True, dtype="float64")
    layer.build((None, 4, 2))

    def fn(x, k, r, b):
        layer.kernel.data, layer.recurrent_kernel.data, layer.bias.data = k.data, r.data, b.data
        out = layer(x)
        return ops.concatenate([ops.reshape(out[0], (x.shape[0], -1))] + out[1:], axis=-1)

    gradcheck(fn, [rng.normal(size=(2, 4, 2))] + [w.numpy() for w in layer.weights], wrt=[0])


@pytest.mark.parametrize("cls", [SimpleRNN, GRU, LSTM])
def test_dropout_only_in_training(cls):
    x = np.random.default_rng(5).normal(size=(8, 6, 3)).astype("float32")
    layer = cls(4, dropout=0.5, recurrent_dropout=0.5, seed=0)
    reference = cls(4)
    layer.build((None, 6, 3))
    reference.build((None, 6, 3))
    reference.set_weights(layer.get_weights())
    np.testing.assert_array_equal(layer(x, training=False).numpy(), reference(x).numpy())
    assert not np.allclose(layer(x, training=True).numpy(), reference(x).numpy())
    out = layer(Tensor(x), training=True)
    out.sum().backward()
    assert all(w.grad is not None and np.all(np.isfinite(w.grad)) for w in layer.weights)


def test_initial_state_is_used_and_checked():
    x = np.random.default_rng(6).normal(size=(2, 3, 4)).astype("float32")
    layer = GRU(5)
    zero = layer(x).numpy()
    np.testing.assert_allclose(layer(x, initial_state=[np.zeros((2, 5), "float32")]).numpy(), zero)
    assert not np.allclose(layer(x, initial_state=[np.ones((2, 5), "float32")]).numpy(), zero)
    with pytest.raises(ValueError, match="takes 1 initial state"):
        layer(x, initial_state=[np.zeros((2, 5)), np.zeros((2, 5))])
    with pytest.raises(ValueError, match=r"must have shape \(2, 5\)"):
        LSTM(5)(x, initial_state=[np.zeros((2, 4)), np.zeros((2, 5))])


@pytest.mark.parametrize("layer", [
    SimpleRNN(3, activation="relu", return_sequences=True, dropout=0.1, go_backwards=True),
    LSTM(3, recurrent_activation="hard_sigmoid", unit_forget_bias=False, return_state=True,
         kernel_regularizer="l2", recurrent_dropout=0.2, seed=3),
    GRU(3, reset_after=False, use_bias=False, kernel_initializer="he_normal", unroll=True),
])
def test_config_round_trip(layer):
    assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()


def test_keras_defaults_in_config():
    config = LSTM(8).get_config()
    assert config["activation"] == "tanh" and config["recurrent_activation"] == "sigmoid"
    assert config["recurrent_initializer"]["class_name"] == "Orthogonal"
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert config["unit_forget_bias"] and not config["return_sequences"] and not config["stateful"]
    assert GRU(8).get_config()["reset_after"] is True


@pytest.mark.parametrize("cls", [SimpleRNN, GRU, LSTM])
def test_2d_input_gets_a_clear_error(cls):
    with pytest.raises(ValueError, match=r"3-D input \(batch, timesteps, features\).*\(32, 784\).*reshape"):
        cls(4)(np.zeros((32, 784), "float32"))
    with pytest.raises(ValueError, match=r"3-D input"):
        Sequential([Input(shape=(784,)), cls(4)])


def test_wrong_feature_count_and_bad_arguments():
    layer = LSTM(4)
    layer(np.zeros((2, 3, 5), "float32"))
    with pytest.raises(ValueError, match="expected 5 features"):
        layer(np.zeros((2, 3, 6), "float32"))
    with pytest.raises(ValueError, match="stateful=True is not supported"):
        LSTM(4, stateful=True)
    with pytest.raises(ValueError, match="units"):
        GRU(0)
    with pytest.raises(ValueError, match="dropout"):
        SimpleRNN(3, dropout=1.5)
    with pytest.raises(ValueError, match="activation"):
        LSTM(3, activation="softmax")


def test_trains_in_a_sequential_model():
    """Is the sum of a sequence positive? A GRU learns it in a few epochs."""
    set_random_seed(0)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(256, 8, 1)).astype("float32")
    y = (x.sum(axis=(1, 2)) > 0).astype("float32")[:, None]
    model = Sequential([Input(shape=(8, 1)), GRU(8), Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=optimizers.Adam(0.01), metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.4 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.85
    assert model.predict(x[:5], verbose=0).shape == (5, 1)


@needs_data
def test_lstm_learns_mnist_rows():
    set_random_seed(0)
    x_train, y_train, x_test, y_test = subset(4000, 500)
    model = Sequential([Input(shape=(28, 28)), LSTM(32), Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizers.Adam(0.005), metrics=["accuracy"])
    model.fit(x_train.reshape(-1, 28, 28), y_train, epochs=2, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(x_test.reshape(-1, 28, 28), y_test, verbose=0)
    assert accuracy > 0.6  # about 0.75 after 125 steps; chance is 0.1
