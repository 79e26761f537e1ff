"""A layer that takes one tensor, handed a list (an RNN's [output, *states]), says so by name."""
import numpy as np
import pytest

import deepbasics as db
from deepbasics import layers


def test_return_state_into_dense_functional_names_the_layer_and_the_fix():
    states = layers.LSTM(4, return_state=True)(db.Input((5, 3)))
    dense = layers.Dense(2, name="head")
    with pytest.raises(ValueError, match=r"'head' \(Dense\) takes one tensor, received a list of 3") as e:
        dense(states)
    assert "return_state=True" in str(e.value) and "output, *states" in str(e.value)
    assert not dense.built and dense.weights == []


def test_return_state_into_dense_in_a_sequential_model():
    with pytest.raises(ValueError, match=r"takes one tensor, received a list of 2 with shapes \[\(None, 4\), \(None, 4\)\]"):
        db.Sequential([layers.Input((5, 3)), layers.GRU(4, return_state=True), layers.Dense(2)])


def test_eager_list_into_conv_is_refused_before_build():
    conv = layers.Conv2D(2, 3)
    x = np.zeros((1, 5, 5, 1), np.float32)
    with pytest.raises(ValueError, match="Conv2D"):
        conv([x, x])
    assert not conv.built


def test_unpacked_output_trains():
    inputs = db.Input((5, 3))
    output, h, c = layers.LSTM(4, return_state=True)(inputs)
    model = db.Model(inputs, layers.Dense(1)(layers.Concatenate()([output, c])))
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    before = model.get_weights()[0].copy()
    model.fit(rng.normal(size=(8, 5, 3)).astype("float32"), rng.normal(size=(8, 1)).astype("float32"), verbose=0)
    assert not np.allclose(before, model.get_weights()[0])
