"""What fit/predict accept: integer ids for an Embedding behind a functional Input, and a
subclassed model whose call takes no ``training`` argument."""
import warnings

import numpy as np

import deepbasics as db
from deepbasics import layers


def _embedding_model(dtype=None):
    ids = db.Input((5,), dtype=dtype) if dtype else db.Input((5,))
    return db.Model(ids, layers.Dense(2)(layers.Flatten()(layers.Embedding(20, 3)(ids))))


def test_functional_embedding_takes_ids_without_the_pixel_warning():
    ids = np.arange(10).reshape(2, 5)
    for model in (_embedding_model("int32"), _embedding_model()):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = model.predict(ids, verbose=0)
        table = model.layers[1].embeddings.data
        kernel, bias = model.layers[-1].kernel.data, model.layers[-1].bias.data
        np.testing.assert_allclose(out, table[ids].reshape(2, 15) @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_integer_pixels_into_dense_still_warn():
    x = db.Input((4,))
    model = db.Model(x, layers.Dense(1)(x))
    model.compile("sgd", "mse")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        model.fit(np.full((4, 4), 200, np.uint8), np.zeros((4, 1), np.float32), verbose=0)
    assert any("/ 255.0" in str(w.message) for w in seen)


class NoTrainingArg(db.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(3)

    def call(self, x):
        return self.dense(x)


def test_subclassed_call_without_training_predicts_fits_and_evaluates():
    model = NoTrainingArg()
    x, y = np.ones((4, 4), np.float32), np.ones((4, 3), np.float32)
    assert model.predict(x, verbose=0).shape == (4, 3)
    model.compile("sgd", "mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=3, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before
