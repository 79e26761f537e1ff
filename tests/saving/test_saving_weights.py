"""save_weights / load_weights: Keras 3's .weights.h5 layout and Keras 2's .h5 (by order or by
name); a weight of the wrong shape is named with both shapes and nothing changes."""
import json

import numpy as np
import pytest

import deepbasics as db
from deepbasics import layers as L
from deepbasics.models import Sequential, load_model
from deepbasics.saving import ModelFileError

h5py = pytest.importorskip("h5py", reason="saving needs h5py: pip install 'deepbasics[interop]'")


def small(units=4, rnn=False):
    body = [L.Input((5, 3)), L.LSTM(units), L.Dense(2)] if rnn else [
        L.Input((3,)), L.Dense(units, activation="relu"), L.BatchNormalization(), L.Dense(2)]
    return Sequential(body)


def scrambled(model, rng):
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def tree(path):
    found = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.__setitem__(name, obj.shape if isinstance(obj, h5py.Dataset) else None))
    return found


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5", "w.hdf5"])
def test_weights_come_back_exactly(tmp_path, rng, name):
    source, target = scrambled(small(), rng), small()
    source.save_weights(tmp_path / name)
    target.load_weights(tmp_path / name)
    for a, b in zip(target.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_the_weights_file_has_keras_3s_layout(tmp_path, rng):
    model = Sequential([L.Input((5, 3)), L.LSTM(4, return_sequences=True), L.LSTM(2), L.Dense(3),
                        L.BatchNormalization(), L.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(rng.normal(size=(4, 5, 3)), rng.normal(size=(4, 1)), verbose=0)
    model.save_weights(tmp_path / "m.weights.h5")
    found = tree(tmp_path / "m.weights.h5")
    assert found["layers/lstm/cell/vars/0"] == (3, 16) and found["layers/lstm/cell/vars/1"] == (4, 16)
    assert found["layers/lstm_1/cell/vars/2"] == (8,)
    assert [found[f"layers/batch_normalization/vars/{i}"] for i in range(4)] == [(3,)] * 4
    assert found["layers/dense/vars/0"] == (2, 3) and found["layers/dense_1/vars/0"] == (3, 1)
    # iterations, learning rate, then m and v per trainable weight: 2 + 2 * (3 + 3 + 2 + 2 + 2)
    assert [found[f"optimizer/vars/{i}"] for i in range(4)] == [(), (), (3, 16), (3, 16)]
    assert sum(k.startswith("optimizer/vars/") for k in found) == 26
    with h5py.File(tmp_path / "m.weights.h5", "r") as f:
        assert f["layers/lstm/vars"].attrs["name"] == model.layers[0].name
        assert f["vars"].attrs["name"] == model.name


def test_the_legacy_file_lists_layers_and_weight_names(tmp_path):
    model = small()
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5", "r") as f:
        assert [n.decode() for n in f.attrs["layer_names"]] == [layer.name for layer in model.layers]
        bn = model.layers[1]
        names = [n.decode() for n in f[bn.name].attrs["weight_names"]]
        assert names == [f"{bn.name}/{w}:0" for w in ("gamma", "beta", "moving_mean", "moving_variance")]


def test_weights_load_by_name_into_a_different_model(tmp_path, rng):
    source = scrambled(Sequential([L.Dense(4, input_dim=3, name="hidden"), L.Dense(2, name="head")]), rng)
    source.save_weights(tmp_path / "w.h5")
    target = Sequential([L.Dense(4, input_dim=3, name="hidden"), L.Dense(7, name="other"), L.Dense(2, name="last")])
    before = target.layers[1].get_weights()
    target.load_weights(tmp_path / "w.h5", by_name=True)
    np.testing.assert_array_equal(target.layers[0].get_weights()[0], source.layers[0].get_weights()[0])
    np.testing.assert_array_equal(target.layers[1].get_weights()[0], before[0])
    with pytest.raises(ModelFileError, match="2 layers.*3 layers with weights.*by_name=True"):
        target.load_weights(tmp_path / "w.h5")


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5"])
def test_a_shape_mismatch_names_the_weight_and_both_shapes_and_changes_nothing(tmp_path, rng, name):
    small(units=4).save_weights(tmp_path / name)
    target = scrambled(small(units=5), rng)
    target.compile(optimizer="adam", loss="mse")
    target.fit(rng.normal(size=(4, 3)), rng.normal(size=(4, 2)), verbose=0)
    weights, state = target.get_weights(), target.optimizer.get_state()
    with pytest.raises(ModelFileError, match=r"\(3, 4\) in the file, but layer .*'dense\w*/kernel' has shape \(3, 5\)"
                                             r".*Nothing was loaded") as error:
        target.load_weights(tmp_path / name)
    assert name in str(error.value) and ("layers/dense/vars/0" in str(error.value)) == name.endswith("weights.h5")
    for a, b in zip(target.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(target.optimizer.get_state(), state):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5"])
def test_skip_mismatch_loads_the_layers_that_fit(tmp_path, rng, name):
    source = scrambled(small(units=4), rng)
    source.save_weights(tmp_path / name)
    target = small(units=4)
    target.layers[-1].set_weights([np.zeros((4, 2), "float32"), np.zeros(2, "float32")])
    wider = Sequential([L.Input((3,)), L.Dense(4, activation="relu"), L.BatchNormalization(), L.Dense(5)])
    wider_before = wider.layers[-1].get_weights()
    with pytest.warns(UserWarning, match="Skipping weights"):
        wider.load_weights(tmp_path / name, skip_mismatch=True)
    np.testing.assert_array_equal(wider.layers[0].get_weights()[0], source.layers[0].get_weights()[0])
    np.testing.assert_array_equal(wider.layers[-1].get_weights()[0], wider_before[0])


def test_weights_load_from_a_keras_file(tmp_path, rng):
    source = scrambled(small(rnn=True), rng)
    source.save(tmp_path / "m.keras")
    target = small(rnn=True)
    target.load_weights(tmp_path / "m.keras")
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    np.testing.assert_array_equal(target.predict(x, verbose=0), source.predict(x, verbose=0))


def test_the_optimizer_state_travels_with_the_weights(tmp_path, rng):
    """A checkpoint: save_weights of a compiled model restores its optimizer too (as Keras)."""
    x, y = rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 2)).astype("float32")
    model = small()
    model.compile(optimizer=db.optimizers.RMSprop(momentum=0.5, centered=True), loss="mse")
    model.fit(x, y, batch_size=4, verbose=0)
    model.save_weights(tmp_path / "ckpt.weights.h5")
    twin = small()
    twin.compile(optimizer=db.optimizers.RMSprop(momentum=0.5, centered=True), loss="mse")
    twin.load_weights(tmp_path / "ckpt.weights.h5")
    assert twin.optimizer.iterations == 4
    for a, b in zip(twin.optimizer.get_state(), model.optimizer.get_state()):
        np.testing.assert_array_equal(a, b)


def keras224_file(path, w1, b1, w2, b2):
    """An .h5 as Keras 2.2.4 wrote it for the course's network (configs and names of that era)."""
    dense = {"activity_regularizer": None, "bias_constraint": None, "bias_initializer": {"class_name": "Zeros", "config": {}},
             "bias_regularizer": None, "kernel_constraint": None, "kernel_regularizer": None, "trainable": True,
             "kernel_initializer": {"class_name": "VarianceScaling",
                                    "config": {"distribution": "uniform", "mode": "fan_avg", "scale": 1.0, "seed": None}},
             "use_bias": True}
    config = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
        {"class_name": "Dense", "config": {**dense, "name": "dense_1", "units": 3, "activation": "relu",
                                           "batch_input_shape": [None, 4], "dtype": "float32"}},
        {"class_name": "Dense", "config": {**dense, "name": "dense_2", "units": 2, "activation": "softmax"}}]}}
    training = {"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.01, "momentum": 0.0, "decay": 0.0,
                                                                     "nesterov": False}},
                "loss": "categorical_crossentropy", "metrics": ["acc"], "sample_weight_mode": None, "loss_weights": None}
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"], f.attrs["backend"] = b"2.2.4", b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode()
        f.attrs["training_config"] = json.dumps(training).encode()
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = [b"dense_1", b"dense_2"]
        for name, (w, b) in (("dense_1", (w1, b1)), ("dense_2", (w2, b2))):
            g[f"{name}/{name}/kernel:0"], g[f"{name}/{name}/bias:0"] = w, b
            g[name].attrs["weight_names"] = [f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()]
        o = f.create_group("optimizer_weights")  # Keras 2.2.4's SGD: iterations, then one moment per weight
        o.attrs["weight_names"] = [b"training/SGD/Variable:0"] + [f"training/SGD/Variable_{i}:0".encode() for i in range(1, 5)]
        o["training/SGD/Variable:0"] = np.int64(300)
        for i, arr in enumerate((w1, b1, w2, b2), start=1):
            o[f"training/SGD/Variable_{i}:0"] = np.zeros_like(arr)


def test_a_keras_2_2_4_file_loads_and_trains_on(tmp_path, rng):
    w1, b1 = rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=3).astype("float32")
    w2, b2 = rng.normal(size=(3, 2)).astype("float32"), rng.normal(size=2).astype("float32")
    keras224_file(tmp_path / "old.h5", w1, b1, w2, b2)
    with pytest.warns(UserWarning, match="optimizer starts fresh"):
        model = load_model(tmp_path / "old.h5")
    x = rng.normal(size=(6, 4)).astype("float32")
    logits = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    expected = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(model.predict(x, verbose=0), expected / expected.sum(1, keepdims=True), rtol=1e-5)
    assert isinstance(model.optimizer, db.optimizers.SGD) and model.optimizer.learning_rate == np.float32(0.01)
    y = np.eye(2)[rng.integers(0, 2, 6)]
    history = model.fit(x, y, epochs=5, batch_size=6, verbose=0).history
    assert sorted(history) == ["acc", "loss"] and history["loss"][-1] < history["loss"][0]


def test_weights_need_a_built_model_and_by_name_needs_keras_2s_layout(tmp_path):
    small().save_weights(tmp_path / "w.weights.h5")
    unbuilt = Sequential([L.Dense(4), L.Dense(2)])
    with pytest.raises(ValueError, match="not built yet.*model.build"):
        unbuilt.load_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match="not built yet"):
        unbuilt.save_weights(tmp_path / "unbuilt.weights.h5")
    with pytest.raises(ValueError, match="by_name=True.*Keras 3's layout"):
        small().load_weights(tmp_path / "w.weights.h5", by_name=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.weights.h5"]
