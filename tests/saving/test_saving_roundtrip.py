"""Whole models through .keras and .h5 and back: the same predictions, the same compile
settings, the same optimizer state, so that training goes on exactly as if never saved."""
import json
import os
import zipfile

import numpy as np
import pytest

h5py = pytest.importorskip("h5py", reason="saving needs h5py: pip install 'deepbasics[interop]'")

import deepbasics as db
from deepbasics import layers as L
from deepbasics.models import Sequential, load_model, save_model
from deepbasics.saving import ModelFileError


def course_mlp(optimizer="sgd"):
    model = Sequential()
    model.add(L.Dense(units=16, input_dim=12, activation="relu"))
    model.add(L.Dense(units=4, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model


def data(n=48, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 12)).astype("float32"), np.eye(4)[rng.integers(0, 4, n)].astype("float32")


def functional_model():
    a, b = db.Input((6,), name="a"), db.Input((5, 3), name="b")
    h = L.Dense(4, activation="relu")(a)
    r = L.Bidirectional(L.GRU(3))(b)
    t = L.Flatten()(L.TimeDistributed(L.Dense(2))(b))
    inner = Sequential([L.Input((4,)), L.Dense(4, activation="tanh")], name="inner")
    merged = L.Concatenate()([inner(h), r, t, L.Add()([h, inner(h)])])
    return db.Model([a, b], L.Dense(2, name="out")(L.BatchNormalization()(merged)))


ARCHITECTURES = {
    "mlp": lambda: Sequential([L.Dense(8, input_dim=5, activation="relu", kernel_regularizer="l2"),
                               L.Dropout(0.5), L.Dense(3, activation="softmax")]),
    "cnn": lambda: Sequential([L.Input((9, 9, 2)), L.Conv2D(4, 3, padding="same", activation="relu"),
                               L.BatchNormalization(), L.MaxPooling2D(), L.Dropout(0.3), L.Flatten(), L.Dense(3)]),
    "rnn": lambda: Sequential([L.Input((6, 3)), L.LSTM(4, return_sequences=True), L.SimpleRNN(3), L.Dense(2)]),
    "functional": functional_model,
}


def example_inputs(model, rng):
    shapes = [t.shape for t in model.inputs] if hasattr(model, "inputs") else [model.input_shape]
    xs = [rng.normal(size=(5,) + tuple(s[1:])).astype("float32") for s in shapes]
    return xs if len(xs) > 1 else xs[0]


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_a_saved_model_predicts_exactly_the_same(tmp_path, name, suffix, rng):
    model = ARCHITECTURES[name]()
    x = example_inputs(model, rng)
    model.save(tmp_path / f"m{suffix}")
    loaded = load_model(tmp_path / f"m{suffix}")
    assert type(loaded) is type(model)
    assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__ for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert not loaded.compiled


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("optimizer", sorted(db.optimizers.ALL_OPTIMIZERS))
def test_training_goes_on_exactly_after_save_and_load(tmp_path, optimizer, suffix):
    x, y = data()
    db.utils.set_random_seed(1)
    model = course_mlp(db.optimizers.get(optimizer))
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    model.save(tmp_path / f"m{suffix}")
    loaded = load_model(tmp_path / f"m{suffix}")
    db.utils.set_random_seed(2)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    db.utils.set_random_seed(2)
    loaded.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == model.optimizer.iterations == 9
    for mine, theirs in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
    for mine, theirs in zip(loaded.optimizer.get_state(), model.optimizer.get_state()):
        np.testing.assert_array_equal(mine, theirs)


def test_a_keras2_era_tutorial_saves_h5_loads_and_trains_on(tmp_path):
    """model.save('mnist_mlp.h5') then load_model: compiled with the same loss, metric names and
    optimizer, and fit lowers the loss from where it stopped."""
    x, y = data(64)
    model = course_mlp()
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    model.save(str(tmp_path / "mnist_mlp.h5"))
    loaded = load_model(str(tmp_path / "mnist_mlp.h5"))
    assert loaded.compiled and isinstance(loaded.optimizer, db.optimizers.SGD)
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    history = loaded.fit(x, y, epochs=3, batch_size=32, verbose=0).history
    assert sorted(history) == ["accuracy", "loss"]
    assert history["loss"][-1] < model.evaluate(x, y, verbose=0)[0]
    with h5py.File(tmp_path / "mnist_mlp.h5", "r") as f:
        config = json.loads(f.attrs["training_config"])
        names = [n.decode() for n in f["model_weights"].attrs["layer_names"]]
        assert names == [layer.name for layer in model.layers]
        assert f.attrs["keras_version"] and f.attrs["backend"] and "optimizer_weights" in f
    assert config["loss"] == "categorical_crossentropy" and config["metrics"] == ["accuracy"]


def test_compile_settings_come_back(tmp_path):
    model = Sequential([L.Dense(4, input_dim=4)])
    loss = db.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
    schedule = db.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    model.compile(optimizer=db.optimizers.SGD(schedule, momentum=0.5), loss=loss,
                  metrics=["accuracy", db.metrics.TopKCategoricalAccuracy(k=2)])
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.loss.get_config() == loss.get_config()
    assert isinstance(loaded.optimizer.learning_rate, db.optimizers.schedules.ExponentialDecay)
    assert loaded.optimizer.learning_rate.get_config() == schedule.get_config()
    x, y = data(8)
    x = x[:, :4]
    assert loaded.evaluate(x, y, verbose=0, return_dict=True).keys() == {"loss", "accuracy", "top_k_categorical_accuracy"}
    assert load_model(tmp_path / "m.keras", compile=False).compiled is False


def test_the_keras_file_is_keras_3s_zip(tmp_path):
    model = course_mlp()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert zf.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        config = json.loads(zf.read("config.json"))
    dense = config["config"]["layers"][1]
    assert (config["module"], config["class_name"]) == ("keras", "Sequential")
    assert config["config"]["layers"][0]["config"]["batch_shape"] == [None, 12]
    assert dense["module"] == "keras.layers" and dense["config"]["kernel_initializer"]["module"] == "keras.initializers"
    assert config["compile_config"]["loss"] == "categorical_crossentropy"
    assert config["compile_config"]["optimizer"]["module"] == "keras.optimizers"


def test_include_optimizer_false_writes_no_compile_settings(tmp_path):
    model = course_mlp()
    model.fit(*data(16), verbose=0)
    save_model(model, tmp_path / "m.h5", include_optimizer=False)
    loaded = load_model(tmp_path / "m.h5")
    assert not loaded.compiled


def test_overwrite_false_keeps_the_existing_file(tmp_path):
    target = tmp_path / "m.keras"
    target.write_bytes(b"previous")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        course_mlp().save(target, overwrite=False)
    assert target.read_bytes() == b"previous"


def test_a_failed_save_leaves_the_previous_file_and_no_temporary(tmp_path):
    def double(x):
        return x * 2.0
    target = tmp_path / "m.keras"
    course_mlp().save(target)
    before = target.read_bytes()
    model = Sequential([L.Dense(2, input_dim=3), L.Lambda(lambda t: t * 2.0)])
    for suffix in (".keras", ".h5"):
        with pytest.raises(ValueError, match="anonymous `lambda`"):
            model.save(tmp_path / f"m{suffix}")
    assert target.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]
    named = Sequential([L.Dense(2, input_dim=3), L.Lambda(double)])
    named.save(tmp_path / "named.keras")
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(load_model(tmp_path / "named.keras", custom_objects={"double": double}).predict(x, verbose=0),
                                  named.predict(x, verbose=0))


@pytest.mark.parametrize("path, message", [("m.tf", "must end in .keras, .h5, .hdf5"),
                                           ("m.weights.json", "must end in")])
def test_an_unknown_suffix_is_refused_naming_the_suffixes(tmp_path, path, message):
    with pytest.raises(ValueError, match=message):
        course_mlp().save(tmp_path / path)
    with pytest.raises(ValueError, match=message):
        load_model(tmp_path / path)
    assert os.listdir(tmp_path) == []


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.keras"):
        load_model(tmp_path / "nothing.keras")


def test_an_unknown_argument_is_refused_before_writing(tmp_path):
    with pytest.raises(TypeError, match="max_shard_size"):
        course_mlp().save_weights(tmp_path / "m.weights.h5", max_shard_size=1)
    with pytest.raises(ValueError, match="save_format"):
        course_mlp().save(tmp_path / "m.keras", save_format="tf")
    assert os.listdir(tmp_path) == []


def test_keras_module_paths(tmp_path):
    import deepbasics.saving as saving

    model = course_mlp()
    saving.save_model(model, tmp_path / "m.keras")
    assert isinstance(saving.load_model(tmp_path / "m.keras"), Sequential)
    assert isinstance(db.models.load_model(tmp_path / "m.keras"), Sequential)
    with pytest.raises(ModelFileError):
        (tmp_path / "bad.keras").write_bytes(b"not a zip")
        saving.load_model(tmp_path / "bad.keras")


def test_an_unknown_loss_names_compile_false_as_the_way_out(tmp_path):
    model = course_mlp()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    config = json.loads(parts["config.json"])
    config["compile_config"]["loss"] = "ctc"  # a Keras loss deepbasics does not have
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as zf:
        for name, data in {**parts, "config.json": json.dumps(config).encode()}.items():
            zf.writestr(name, data)
    with pytest.raises(ModelFileError, match="Unknown loss 'ctc'.*compile=False"):
        load_model(tmp_path / "m.keras")
    assert not load_model(tmp_path / "m.keras", compile=False).compiled


@pytest.mark.parametrize("name, module", [("m.h5", "legacy_h5"), ("m.weights.h5", "keras_weights")])
def test_a_write_that_fails_halfway_leaves_the_previous_file(tmp_path, monkeypatch, name, module):
    """A disk that fills up in the middle of a save: the previous file stays, no temporary remains."""
    import importlib

    model = course_mlp()
    save = model.save if name == "m.h5" else model.save_weights
    save(tmp_path / name)
    before = (tmp_path / name).read_bytes()
    written = []

    def fill_up(group, key, value):
        if written:
            raise OSError(28, "No space left on device")
        written.append(key)
        group.create_dataset(key, data=np.asarray(value))

    monkeypatch.setattr(importlib.import_module(f"deepbasics.saving.{module}"), "write_array", fill_up)
    with pytest.raises(OSError, match="No space left"):
        save(tmp_path / name)
    assert written and (tmp_path / name).read_bytes() == before
    assert os.listdir(tmp_path) == [name]
