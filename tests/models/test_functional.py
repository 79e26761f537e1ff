"""The functional API, models inside models, subclassed models, several inputs and outputs."""
import numpy as np
import pytest

import deepbasics as db
from deepbasics import layers

rng = np.random.default_rng(0)
X = rng.standard_normal((64, 4)).astype("float32")
Y = (X @ np.array([[1.0], [-1.0], [0.5], [2.0]])).astype("float32")


def test_functional_equals_sequential_with_the_same_weights():
    inp = db.Input(shape=(4,))
    out = layers.Dense(1)(layers.Dense(8, activation="relu")(inp))
    func = db.Model(inp, out)
    seq = db.Sequential([layers.Dense(8, activation="relu", input_dim=4), layers.Dense(1)])
    seq.set_weights(func.get_weights())
    np.testing.assert_allclose(func.predict(X, verbose=0), seq.predict(X, verbose=0), rtol=1e-6)
    assert type(func).__name__ == "Functional" and isinstance(func, db.Model)
    assert [type(layer).__name__ for layer in func.layers] == ["InputLayer", "Dense", "Dense"]


def test_branches_and_shared_layers_train():
    inp = db.Input(shape=(4,))
    shared = layers.Dense(6, activation="tanh")
    a, b = shared(inp), shared(layers.Dense(4)(inp))  # one layer, two calls, one set of weights
    out = layers.Dense(1)(layers.Concatenate()([a, b]))
    model = db.Model(inputs=inp, outputs=out)
    model.compile(optimizer=db.optimizers.Adam(0.01), loss="mse")
    before = model.evaluate(X, Y, verbose=0)
    model.fit(X, Y, epochs=30, verbose=0)
    assert model.evaluate(X, Y, verbose=0) < 0.5 * before
    assert sum(1 for layer in model.layers if layer is shared) == 1
    assert model.count_params() == (4 * 6 + 6) + (4 * 4 + 4) + (12 + 1)


def test_merge_layers_by_formula():
    a, b = rng.standard_normal((3, 2)).astype("float32"), rng.standard_normal((3, 2)).astype("float32")
    np.testing.assert_allclose(layers.Add()([a, b]).numpy(), a + b)
    np.testing.assert_allclose(layers.Subtract()([a, b]).numpy(), a - b)
    np.testing.assert_allclose(layers.Multiply()([a, b]).numpy(), a * b)
    np.testing.assert_allclose(layers.Average()([a, b]).numpy(), (a + b) / 2)
    np.testing.assert_allclose(layers.Maximum()([a, b]).numpy(), np.maximum(a, b))
    np.testing.assert_allclose(layers.concatenate([a, b]).numpy(), np.concatenate([a, b], -1))
    with pytest.raises(ValueError, match="at least 2"):
        layers.Add()(db.Input(shape=(2,)))


def test_two_inputs_two_outputs_with_loss_weights():
    x1, x2 = db.Input(shape=(4,), name="left"), db.Input(shape=(2,), name="right")
    h = layers.Concatenate()([layers.Dense(8, activation="relu")(x1), x2])
    reg = layers.Dense(1, name="value")(h)
    cls = layers.Dense(3, activation="softmax", name="kind")(h)
    model = db.Model([x1, x2], [reg, cls])
    model.compile(optimizer="adam", loss={"value": "mse", "kind": "sparse_categorical_crossentropy"},
                  loss_weights={"value": 2.0, "kind": 1.0}, metrics={"kind": ["accuracy"]})
    x2_data = rng.standard_normal((64, 2)).astype("float32")
    labels = rng.integers(0, 3, 64)
    hist = model.fit({"left": X, "right": x2_data}, [Y, labels], epochs=2, verbose=0)
    assert sorted(hist.history) == ["kind_accuracy", "kind_loss", "loss", "value_loss"]
    logs = model.evaluate([X, x2_data], [Y, labels], verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(2.0 * logs["value_loss"] + logs["kind_loss"], rel=1e-5)
    value, kind = model.predict([X, x2_data], verbose=0)
    assert value.shape == (64, 1) and kind.shape == (64, 3)
    with pytest.raises(ValueError, match="2 inputs"):
        model.fit(X, [Y, labels], verbose=0)


def test_model_as_a_layer_and_get_layer():
    inner = db.Sequential([layers.Dense(3, input_dim=4, activation="relu")], name="inner")
    outer = db.Sequential([inner, layers.Dense(1)])
    assert outer.count_params() == 4 * 3 + 3 + 3 + 1
    outer.compile(optimizer="sgd", loss="mse")
    outer.fit(X, Y, epochs=1, verbose=0)
    assert outer.get_layer("inner") is inner and outer.get_layer(index=1).units == 1
    with pytest.raises(ValueError, match="No such layer"):
        outer.get_layer("nope")


def test_subclassed_model():
    class TwoLayer(db.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(8, activation="relu")
            self.out = layers.Dense(1)

        def call(self, x, training=None):
            return self.out(self.hidden(x))

    model = TwoLayer()
    model.compile(optimizer="adam", loss="mse")
    before = model.evaluate(X, Y, verbose=0)
    model.fit(X, Y, epochs=20, verbose=0)
    assert model.evaluate(X, Y, verbose=0) < before
    assert len(model.trainable_weights) == 4 and model.layers == [model.hidden, model.out]


def test_gan_recipe_keeps_the_compile_time_rule():
    """Keras 2's recipe: compile D; freeze D; compile G+D. D still trains on its own batches,
    and the combined model trains only G (with Keras 3.15 this recipe's D never trains)."""
    disc = db.Sequential([layers.Dense(4, input_dim=3, activation="relu"), layers.Dense(1, activation="sigmoid")])
    disc.compile(optimizer="sgd", loss="binary_crossentropy")
    disc.trainable = False
    gen = db.Sequential([layers.Dense(3, input_dim=2)])
    gan = db.Sequential([gen, disc])
    gan.compile(optimizer="sgd", loss="binary_crossentropy")

    d_before, g_before = disc.get_weights(), gen.get_weights()
    gan.train_on_batch(rng.standard_normal((8, 2)), np.ones((8, 1)))
    assert all(np.array_equal(a, b) for a, b in zip(disc.get_weights(), d_before))  # D frozen in GAN
    assert not all(np.array_equal(a, b) for a, b in zip(gen.get_weights(), g_before))  # G trained

    with pytest.warns(UserWarning, match="trainable` changed since compile"):
        disc.train_on_batch(rng.standard_normal((8, 3)), np.ones((8, 1)))
    assert not all(np.array_equal(a, b) for a, b in zip(disc.get_weights(), d_before))  # D trains itself


def test_recompile_applies_new_flags_and_nothing_to_train_is_an_error():
    model = db.Sequential([layers.Dense(1, input_dim=4)])
    model.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="no trainable weights"):
        model.fit(X, Y, verbose=0)


def test_functional_input_not_in_inputs_is_an_error():
    a, b = db.Input(shape=(2,)), db.Input(shape=(2,))
    with pytest.raises(ValueError, match="not among the model's `inputs`"):
        db.Model(a, layers.Add()([a, b]))
