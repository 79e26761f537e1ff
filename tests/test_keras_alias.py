"""``deepbasics.keras_alias`` and ``deepbasics run``: Keras scripts run unchanged on deepbasics."""
import os
import subprocess
import sys
import textwrap
import types

import pytest

import deepbasics
from deepbasics import keras_alias
from deepbasics.datasets import mnist

from mnist_data import DATA_DIR, HAVE_DATA  # noqa: E402 - tests/ is on pytest's pythonpath
needs_data = pytest.mark.skipif(not HAVE_DATA, reason=f"the MNIST IDX files are not in {DATA_DIR}")

# The course script's imports, as written for Keras, on a subset so that it runs in a second.
COURSE_SCRIPT = """\
import sys
from keras.utils import np_utils
from keras.datasets import mnist
from keras.models import Sequential
from keras.layers import Dense, Activation
import keras

n = int(sys.argv[1])
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train[:n].reshape(n, 784).astype('float32') / 255.0
x_test = x_test[:n].reshape(n, 784).astype('float32') / 255.0
y_train = np_utils.to_categorical(y_train[:n])
y_test = np_utils.to_categorical(y_test[:n])
model = Sequential()
model.add(Dense(units=64, input_dim=28*28))
model.add(Activation('relu'))
model.add(Dense(units=10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])
hist = model.fit(x_train, y_train, epochs=2, batch_size=32, verbose=2)
loss, accuracy = model.evaluate(x_test, y_test, batch_size=32, verbose=0)
print("keras is", keras.__name__, "| Dense from", Dense.__module__)
print(f"history keys {sorted(hist.history)}")
print(f"test accuracy {accuracy:.4f}")
"""


@pytest.fixture
def alias():
    """The alias installed for one test, and always removed after it."""
    keras_alias.install()
    yield
    keras_alias.uninstall()


def run_script(tmp_path, source, *args):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    env = {**os.environ, "DEEPBASICS_DATA_DIR": DATA_DIR, "DEEPBASICS_DOWNLOAD_TIMEOUT": "2"}
    return subprocess.run([sys.executable, "-m", "deepbasics.cli", "run", str(script), *args],
                          env=env, capture_output=True, text=True, timeout=120)


@needs_data
def test_course_script_runs_unchanged(tmp_path):
    done = run_script(tmp_path, COURSE_SCRIPT, "2000")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "keras is deepbasics | Dense from deepbasics.layers.dense" in out
    assert "history keys ['accuracy', 'loss']" in out
    assert "Epoch 2/2" in out
    accuracy = float(out.rsplit("test accuracy ", 1)[1])
    assert 0.5 < accuracy <= 1.0  # it learned something in 2 epochs on 2,000 images


def test_unknown_submodule_in_a_script_says_deepbasics_lacks_it(tmp_path):
    done = run_script(tmp_path, "from keras.applications import ResNet50\n")
    assert done.returncode == 1
    assert "ModuleNotFoundError: No module named 'keras.applications'" in done.stderr
    assert "deepbasics does not provide 'deepbasics.applications'" in done.stderr


def test_modules_are_the_same_objects(alias):
    import keras
    import keras.layers as L
    import keras.utils.np_utils
    from keras.datasets import mnist as keras_mnist

    import deepbasics.layers
    import deepbasics.utils.np_utils

    assert keras is deepbasics
    assert L is deepbasics.layers and L.Dense is deepbasics.layers.Dense
    assert sys.modules["keras.utils.np_utils"] is deepbasics.utils.np_utils
    assert keras_mnist is mnist
    # the modules keep their own identity
    assert deepbasics.layers.__name__ == "deepbasics.layers"
    assert deepbasics.layers.__spec__.name == "deepbasics.layers"


@pytest.mark.parametrize("name", ["models", "layers", "optimizers", "callbacks", "backend", "losses",
                                  "metrics", "initializers", "activations", "datasets.mnist",
                                  "utils.np_utils"])
def test_every_keras_module_the_course_uses(alias, name):
    import importlib

    assert importlib.import_module("keras." + name) is importlib.import_module("deepbasics." + name)
    assert importlib.import_module("tensorflow.keras." + name) is importlib.import_module("deepbasics." + name)


def test_tensorflow_keras(alias):
    from tensorflow.keras.layers import Dense
    from tensorflow.keras.models import Sequential

    import tensorflow as tf

    assert Dense is deepbasics.layers.Dense and Sequential is deepbasics.Sequential
    assert tf.keras is deepbasics
    if isinstance(tf, keras_alias._StubTensorflow):  # TensorFlow itself is not installed
        with pytest.raises(AttributeError, match="stands in only for tensorflow.keras"):
            tf.random.set_seed(0)


def test_unknown_submodule_error(alias):
    with pytest.raises(ModuleNotFoundError, match="deepbasics does not provide 'deepbasics.applications'") as e:
        import keras.applications  # noqa: F401
    assert e.value.name == "keras.applications"
    assert "layers" in str(e.value)  # it lists what exists
    with pytest.raises(ModuleNotFoundError, match="'deepbasics.layers.experimental'"):
        import keras.layers.experimental  # noqa: F401


def test_install_and_uninstall_restore_sys_modules():
    before = dict(sys.modules)
    meta_path = list(sys.meta_path)
    keras_alias.install()
    try:
        keras_alias.install()  # twice changes nothing
        assert sys.meta_path.count(sys.meta_path[0]) == 1 and len(sys.meta_path) == len(meta_path) + 1
        import keras.layers  # noqa: F401
        import keras.utils.np_utils  # noqa: F401
        from tensorflow.keras import models  # noqa: F401
        assert keras_alias.is_installed()
    finally:
        keras_alias.uninstall()
    keras_alias.uninstall()
    assert sys.meta_path == meta_path and not keras_alias.is_installed()
    added = set(sys.modules) - set(before)
    assert all(name.startswith("deepbasics.") for name in added), added
    assert all(sys.modules[name] is module for name, module in before.items())
    with pytest.raises(ModuleNotFoundError):
        import keras  # noqa: F401


def test_nothing_is_aliased_without_install():
    assert not keras_alias.is_installed()
    assert not any(name == "keras" or name.startswith("keras.") for name in sys.modules)


def test_a_real_keras_already_imported_is_reported_and_restored(monkeypatch):
    real = types.ModuleType("keras")
    real.__file__ = "/site-packages/keras/__init__.py"
    monkeypatch.setitem(sys.modules, "keras", real)
    with pytest.warns(keras_alias.RealKerasImportedWarning, match="real Keras is already imported"):
        keras_alias.install()
    try:
        import keras
        assert keras is deepbasics
    finally:
        keras_alias.uninstall()
    assert sys.modules["keras"] is real
