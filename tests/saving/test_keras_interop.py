"""Interop with real Keras 3 (run in a subprocess, see keras_interop.py): files Keras writes
load here with the same predictions (within 1e-5) and the same optimizer state, and files
deepbasics writes load in Keras, and back here after Keras saves them again."""
import json
from pathlib import Path

import numpy as np
import pytest
from keras_interop import run_keras

import deepbasics as db
from deepbasics import layers as L
from deepbasics.models import Sequential, load_model
from deepbasics.saving import ModelFileError

HERE = Path(__file__).resolve().parent
ZOO = ["mlp", "cnn", "lstm", "gru", "simple_rnn", "conv1d", "pooling", "conv2d_transpose", "spatial", "activations",
       "reshaping", "embedding", "bidirectional", "lambda_named", "functional", "shared_layer"]
NATIVE = ["course_mlp", "cnn_bn", "lstm_rnn"]  # built and trained in deepbasics


def double(x):
    return x * 2.0


CUSTOM = {"double": double}


def inputs(npz):
    xs = [npz[k] for k in sorted(npz.files) if k.startswith("arr_")]
    return xs if len(xs) > 1 else xs[0]


def state_of(npz, prefix):
    return [npz[f"{prefix}{i}"] for i in range(sum(k.startswith(prefix) for k in npz.files))]


def assert_same_state(mine, theirs):
    assert len(mine) == len(theirs)
    for i, (a, b) in enumerate(zip(mine, theirs)):
        assert a.shape == b.shape, f"optimizer state entry {i}: {a.shape} vs {b.shape}"
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7, err_msg=f"optimizer state entry {i}")


@pytest.fixture(scope="module")
def keras_written(keras_python, tmp_path_factory):
    folder = tmp_path_factory.mktemp("keras_written")
    run_keras(keras_python, HERE / "keras_side_write.py", folder)
    return folder


# -- Keras -> deepbasics --------------------------------------------------------------------------
@pytest.mark.parametrize("ext", ["keras", "h5"])
@pytest.mark.parametrize("name", ZOO)
def test_a_model_keras_saved_loads_with_its_predictions_and_optimizer_state(keras_written, name, ext):
    io = np.load(keras_written / f"{name}_io.npz")
    model = load_model(keras_written / f"{name}.{ext}", custom_objects=CUSTOM)
    np.testing.assert_allclose(model.predict(inputs(io), verbose=0), io["y"], rtol=1e-5, atol=1e-5)
    assert isinstance(model.optimizer, db.optimizers.Adam) and model.optimizer.learning_rate == np.float32(0.01)
    assert_same_state(model.optimizer.get_state(), state_of(np.load(keras_written / f"{name}_opt.npz"), "arr_"))


@pytest.mark.parametrize("name", ZOO)
def test_weights_keras_saved_load_into_the_same_architecture(keras_written, name):
    io = np.load(keras_written / f"{name}_io.npz")
    model = load_model(keras_written / f"{name}.keras", custom_objects=CUSTOM, compile=False)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(keras_written / f"{name}.weights.h5")
    np.testing.assert_allclose(model.predict(inputs(io), verbose=0), io["y"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_a_keras_lambda_holding_bytecode_loads_only_with_safe_mode_false(keras_written, ext):
    path = keras_written / f"lambda_code.{ext}"
    with pytest.raises(ModelFileError, match="safe_mode=False"):
        load_model(path)
    io = np.load(keras_written / "lambda_code_io.npz")
    model = load_model(path, safe_mode=False)
    np.testing.assert_allclose(model.predict(inputs(io), verbose=0), io["y"], rtol=1e-5, atol=1e-5)


def test_a_keras_lambda_gets_its_named_function_from_custom_objects_only(keras_written):
    with pytest.raises(ModelFileError, match="custom_objects=.*'double'"):
        load_model(keras_written / "lambda_named.keras")


# -- deepbasics -> Keras -> deepbasics ------------------------------------------------------------
def native_models():
    """The issue's three: an MLP (the course's, Keras 2 style), a CNN with BatchNormalization,
    MaxPooling, Dropout and Flatten, and an LSTM; each trained two epochs here."""
    rng = np.random.default_rng(1)
    mlp = Sequential([L.Dense(16, input_dim=12, activation="relu"), L.Dense(4, activation="softmax")])
    mlp.compile(optimizer=db.optimizers.SGD(0.05, momentum=0.9), loss="categorical_crossentropy", metrics=["accuracy"])
    cnn = Sequential([L.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.BatchNormalization(), L.MaxPooling2D(),
                      L.Dropout(0.25), L.Flatten(), L.Dense(4, activation="softmax")])
    cnn.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    rnn = Sequential([L.Input((5, 3)), L.LSTM(6), L.Dense(4, activation="softmax")])
    rnn.compile(optimizer=db.optimizers.RMSprop(0.01, momentum=0.5), loss="categorical_crossentropy")
    xs = [rng.normal(size=(24, 12)), rng.normal(size=(24, 8, 8, 1)), rng.normal(size=(24, 5, 3))]
    y = np.eye(4)[rng.integers(0, 4, 24)]
    db.utils.set_random_seed(0)
    for model, x in zip((mlp, cnn, rnn), xs):
        model.fit(x.astype("float32"), y, epochs=2, batch_size=8, verbose=0)
    return {name: (model, x.astype("float32")) for name, model, x in zip(NATIVE, (mlp, cnn, rnn), xs)}


@pytest.fixture(scope="module")
def round_trip(keras_python, keras_written, tmp_path_factory):
    folder = tmp_path_factory.mktemp("deepbasics_written")
    models = native_models()
    for name in ZOO:  # every layer deepbasics has, written back by deepbasics
        io = np.load(keras_written / f"{name}_io.npz")
        models["zoo_" + name] = load_model(keras_written / f"{name}.keras", custom_objects=CUSTOM), inputs(io)
    manifest, expected = [], {}
    for name, (model, x) in models.items():
        xs = x if isinstance(x, list) else [x]
        np.savez(folder / f"{name}_io.npz", *xs)
        expected[name] = model.predict(x, verbose=0), model.optimizer.get_state()
        model.save(folder / f"d_{name}.keras")
        model.save(folder / f"d_{name}.h5")
        model.save_weights(folder / f"d_{name}.weights.h5")
        model.save_weights(folder / f"d_{name}_legacy.h5")
        io = f"{name}_io.npz"
        manifest += [{"stem": f"{name}_keras", "file": f"d_{name}.keras", "inputs": io},
                     {"stem": f"{name}_h5", "file": f"d_{name}.h5", "inputs": io},
                     {"stem": f"{name}_weights", "file": f"d_{name}.weights.h5", "arch": f"d_{name}.keras", "inputs": io},
                     {"stem": f"{name}_legacy", "file": f"d_{name}_legacy.h5", "arch": f"d_{name}.keras", "inputs": io}]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    run_keras(keras_python, HERE / "keras_side_read.py", folder)
    return folder, {name: (x, *expected[name]) for name, (_, x) in models.items()}


ROUND_TRIP = NATIVE + ["zoo_" + n for n in ZOO]


@pytest.mark.parametrize("kind", ["keras", "h5", "weights", "legacy"])
@pytest.mark.parametrize("name", ROUND_TRIP)
def test_files_deepbasics_writes_load_in_keras(round_trip, name, kind):
    folder, expected = round_trip
    _, y, _ = expected[name]
    theirs = np.load(folder / f"{name}_{kind}_keras.npz")
    np.testing.assert_allclose(theirs["y"], y, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_the_optimizer_state_reaches_keras(round_trip, name):
    folder, expected = round_trip
    assert_same_state(state_of(np.load(folder / f"{name}_keras_keras.npz"), "opt"), expected[name][2])


@pytest.mark.parametrize("ext", ["keras", "h5"])
@pytest.mark.parametrize("name", ROUND_TRIP)
def test_files_keras_saves_again_load_back_here(round_trip, name, ext):
    folder, expected = round_trip
    x, y, state = expected[name]
    model = load_model(folder / f"k_{name}_{ext}.{ext}", custom_objects=CUSTOM)
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=1e-5, atol=1e-5)
    assert model.optimizer.iterations == int(state[0])
