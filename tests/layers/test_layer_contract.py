"""One contract over the core layers: each builds, runs on float32, keeps the batch axis,
matches compute_output_shape, and round-trips its config."""
import numpy as np
import pytest

from deepbasics import layers

CASES = {
    "Dense": (lambda: layers.Dense(3), (4, 5)),
    "Activation": (lambda: layers.Activation("tanh"), (4, 5)),
    "Flatten": (lambda: layers.Flatten(), (4, 2, 3)),
    "Dropout": (lambda: layers.Dropout(0.3), (4, 5)),
    "BatchNormalization": (lambda: layers.BatchNormalization(), (4, 5)),
    "ReLU": (lambda: layers.ReLU(max_value=1.0), (4, 5)),
    "LeakyReLU": (lambda: layers.LeakyReLU(), (4, 5)),
    "ELU": (lambda: layers.ELU(), (4, 5)),
    "PReLU": (lambda: layers.PReLU(), (4, 5)),
    "Softmax": (lambda: layers.Softmax(), (4, 5)),
    "Reshape": (lambda: layers.Reshape((5, 1)), (4, 5)),
    "Permute": (lambda: layers.Permute((2, 1)), (4, 2, 3)),
    "RepeatVector": (lambda: layers.RepeatVector(2), (4, 5)),
    "GaussianNoise": (lambda: layers.GaussianNoise(0.1), (4, 5)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer_contract(name):
    make, shape = CASES[name]
    layer = make()
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    for training in (False, True):
        y = layer(x, training=training).numpy()
        assert y.dtype == np.float32 and y.shape[0] == shape[0]
        assert tuple(y.shape[1:]) == tuple(layer.compute_output_shape((None,) + shape[1:])[1:])
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert layer.count_params() == sum(w.size for w in layer.get_weights())
