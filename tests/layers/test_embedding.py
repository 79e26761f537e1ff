"""Embedding: Keras's defaults and weight, lookup, scatter-add gradient, id checks, config, and
an Embedding-LSTM model that trains."""
import numpy as np
import pytest

from deepbasics.autodiff import Tensor
from deepbasics.layers import Dense
from deepbasics.layers.embedding import Embedding
from deepbasics.layers.recurrent import LSTM
from deepbasics.models import Sequential
from deepbasics.utils.seed import set_random_seed


def test_weight_shape_and_keras_uniform_init():
    layer = Embedding(1000, 64)
    out = layer(np.array([[4, 20, 7], [0, 999, 4]]))
    assert out.shape == (2, 3, 64) and out.dtype == np.float32
    e = layer.embeddings.numpy()
    assert e.shape == (1000, 64) and layer.weights[0].name.endswith("embeddings")
    assert np.abs(e).max() <= 0.05 and np.abs(e).max() > 0.045  # RandomUniform(-0.05, 0.05)
    np.testing.assert_array_equal(out.numpy(), e[[[4, 20, 7], [0, 999, 4]]])
    assert layer.compute_output_shape((None, 3)) == (None, 3, 64)


def test_gradient_adds_up_repeated_ids():
    layer = Embedding(5, 2)
    ids = np.array([[1, 1, 3], [1, 0, 3]])
    gy = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    layer(ids).backward(gy)
    expected = np.zeros((5, 2), np.float32)
    expected[1] = gy[0, 0] + gy[0, 1] + gy[1, 0]
    expected[3] = gy[0, 2] + gy[1, 2]
    expected[0] = gy[1, 1]
    np.testing.assert_array_equal(layer.embeddings.grad, expected)


def test_ids_as_whole_floats_work_other_values_fail_clearly():
    layer = Embedding(10, 3)
    np.testing.assert_array_equal(layer(np.array([[1.0, 2.0]], "float32")).numpy(),
                                  layer(np.array([[1, 2]])).numpy())
    np.testing.assert_array_equal(layer(Tensor(np.array([[1, 2]]))).numpy(), layer(np.array([[1, 2]])).numpy())
    with pytest.raises(ValueError, match="integer ids"):
        layer(np.array([[1.5]]))
    with pytest.raises(ValueError, match=r"id 10 is out of range \[0, 10\)"):
        layer(np.array([[3, 10]]))
    with pytest.raises(ValueError, match="id -1 is out of range"):
        layer(np.array([[-1]]))


def test_arguments():
    with pytest.raises(ValueError, match="mask_zero=True is not supported"):
        Embedding(10, 3, mask_zero=True)
    with pytest.raises(ValueError, match="input_dim"):
        Embedding(0, 3)
    with pytest.raises(ValueError, match="output_dim"):
        Embedding(10, -3)
    weights = np.arange(6, dtype=np.float32).reshape(3, 2)
    layer = Embedding(3, 2, weights=[weights])
    np.testing.assert_array_equal(layer(np.array([[2, 0]])).numpy(), [[[4, 5], [0, 1]]])


def test_config_round_trip_and_input_length():
    layer = Embedding(100, 8, input_length=12, embeddings_regularizer="l2", embeddings_initializer="he_normal")
    config = layer.get_config()
    assert config["input_length"] == 12 and config["mask_zero"] is False
    assert Embedding.from_config(config).get_config() == config
    model = Sequential([Embedding(100, 8, input_length=12), LSTM(4)])  # Keras 2: the input shape from input_length
    assert model.layers[0].output_shape == (None, 12, 8)
    assert model.count_params() == 800 + 4 * 4 * (8 + 4 + 1)


def test_embedding_lstm_model_trains():
    """Does a sequence hold id 7? A model that reads ids learns it."""
    set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 20, size=(256, 6))
    y = (x == 7).any(axis=1).astype("float32")[:, None]
    model = Sequential([Embedding(20, 8, input_length=6), LSTM(8), Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    # ids as floats: fit() would mistake integer ids for unscaled pixels and warn
    history = model.fit(x.astype("float32"), y, epochs=20, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
