"""``model.export``: bad input is refused by name before any file is written; onnx stays optional."""
import subprocess
import sys

import numpy as np
import pytest

import deepbasics as db
from deepbasics import layers as L
from deepbasics.export import export_model


def small_model():
    return db.Sequential([L.Input((4,)), L.Dense(2)])


@pytest.fixture
def old_file(tmp_path):
    """A file already at the target: a failed export must leave it as it was."""
    path = tmp_path / "model.onnx"
    path.write_bytes(b"previous export")
    return path


def assert_untouched(path):
    assert path.read_bytes() == b"previous export"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary file left


def test_unsupported_layers_are_all_named_with_their_class(old_file):
    pytest.importorskip("onnx")
    model = db.Sequential([L.Input((3, 4)), L.TimeDistributed(L.Dense(2)), L.Flatten(),
                           L.Lambda(lambda t: t * 2.0, name="doubler"), L.Dense(1)])
    with pytest.raises(ValueError, match=r"'time_distributed\w*' \(TimeDistributed\), 'doubler' \(Lambda\)"):
        model.export(old_file, verbose=False)
    assert_untouched(old_file)


def test_unsupported_layer_inside_a_nested_model_is_found(old_file):
    pytest.importorskip("onnx")
    inner = db.Sequential([L.Conv2DTranspose(2, 3, name="up")], name="decoder")
    model = db.Sequential([L.Input((4, 4, 1)), inner])
    with pytest.raises(ValueError, match=r"'up' \(Conv2DTranspose\)"):
        model.export(old_file, verbose=False)
    assert_untouched(old_file)


def test_an_activation_without_a_keras_name_is_refused(old_file):
    pytest.importorskip("onnx")

    def cube(x):
        return x * x * x

    model = db.Sequential([L.Input((4,)), L.Dense(2, activation=cube, name="cubed")])
    with pytest.raises(ValueError, match=r"layer 'cubed' \(Dense\).*activation <function"):
        model.export(old_file, verbose=False)
    assert_untouched(old_file)


@pytest.mark.parametrize("format", ["tf_saved_model", "tflite", None])
def test_unknown_format(format, old_file):
    with pytest.raises(ValueError, match=rf"format={format!r}.*Expected one of \('onnx',\)"):
        small_model().export(old_file, format=format)
    assert_untouched(old_file)


def test_a_model_not_built(old_file):
    model = db.Sequential([L.Dense(2), L.Dense(1)])
    with pytest.raises(ValueError, match="not built yet"):
        model.export(old_file, verbose=False)
    assert_untouched(old_file)


def test_an_empty_sequential(old_file):
    with pytest.raises(ValueError, match="has no layers"):
        db.Sequential().export(old_file, verbose=False)
    assert_untouched(old_file)


def test_a_subclassed_model(old_file):
    class TwoLayers(db.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(2)

        def call(self, x, training=None):
            return self.dense(x) * 2.0

    model = TwoLayers()
    model.predict(np.zeros((1, 3), np.float32), verbose=0)
    with pytest.raises(ValueError, match=r"\(TwoLayers\).*subclassed"):
        model.export(old_file, verbose=False)
    assert_untouched(old_file)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"input_signature": [(None, 4)]}, ValueError, "input_signature"),
    ({"opset_version": 13}, ValueError, "opset_version=13"),
    ({"compress": True}, TypeError, "compress"),
])
def test_other_bad_arguments(kwargs, error, message, old_file):
    with pytest.raises(error, match=message):
        small_model().export(old_file, verbose=False, **kwargs)
    assert_untouched(old_file)


def test_bad_targets(tmp_path):
    with pytest.raises(TypeError, match="Model"):
        export_model("model", tmp_path / "m.onnx")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        small_model().export(tmp_path / "missing" / "m.onnx")
    with pytest.raises(ValueError, match="folder"):
        small_model().export(tmp_path)
    with pytest.raises(TypeError, match="filepath"):
        small_model().export(42)


def test_without_onnx_the_message_names_the_extra(old_file, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # what `import onnx` meets when it is not installed
    with pytest.raises(ImportError, match=r"pip install 'deepbasics\[interop\]'"):
        small_model().export(old_file, verbose=False)
    assert_untouched(old_file)


def test_importing_deepbasics_does_not_import_onnx():
    code = ("import sys, deepbasics, deepbasics.export; "
            "deepbasics.Sequential([deepbasics.layers.Dense(2, input_dim=3)]).predict([[1.0, 2.0, 3.0]], verbose=0); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('onnx', 'onnxruntime')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_export_replaces_the_old_file_and_says_where(old_file, capsys):
    onnx = pytest.importorskip("onnx")
    model = small_model()
    model.export(old_file)
    assert capsys.readouterr().out == f"Saved artifact at '{old_file}'.\n"
    assert onnx.load(str(old_file)).graph.output[0].name == model.layers[-1].name
    assert sorted(p.name for p in old_file.parent.iterdir()) == [old_file.name]
