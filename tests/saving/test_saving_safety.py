"""Loading never runs code, and every bad file is refused with one ModelFileError naming the
file and the problem: no file appears, no module is imported, memory stays bounded."""
import base64
import io
import json
import marshal
import os
import subprocess
import sys
import tracemalloc
import zipfile

import numpy as np
import pytest

from deepbasics import layers as L
from deepbasics.models import Sequential, load_model
from deepbasics.saving import ModelFileError

h5py = pytest.importorskip("h5py", reason="saving needs h5py: pip install 'deepbasics[interop]'")

MEMORY_LIMIT = 32 << 20  # bytes Python may allocate while refusing a file


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A real saved model (its parts are reused to build bad files), loaded once to warm imports."""
    folder = tmp_path_factory.mktemp("good")
    model = Sequential([L.Input((3,)), L.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.save(folder / "m.keras")
    model.save(folder / "m.h5")
    model.save_weights(folder / "m.weights.h5")
    for name in ("m.keras", "m.h5"):
        load_model(folder / name)
    with zipfile.ZipFile(folder / "m.keras") as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    return folder, parts


def listing(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, files in os.walk(folder) for f in files)


def assert_refused(path, match, load=load_model, **kwargs):
    """``load(path)`` raises exactly one ModelFileError naming the file, and has no side effects."""
    folders = [path.parent, path.parent.parent]
    before_files = [listing(f) for f in folders]
    before_modules = set(sys.modules)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=match) as error:
            load(path, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert type(error.value) is ModelFileError and path.name in str(error.value)
    assert error.value.__suppress_context__ or error.value.__context__ is None, "one error, not a chained traceback"
    assert set(sys.modules) - before_modules == set()
    assert [listing(f) for f in folders] == before_files
    assert peak < MEMORY_LIMIT, f"{peak / 2**20:.0f} MiB allocated while refusing the file"
    return error.value


def make_zip(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def keras_with_config(path, good_parts, config):
    return make_zip(path, {**good_parts, "config.json": json.dumps(config)})


@pytest.mark.parametrize("name", ["m.keras", "m.h5", "m.weights.h5"])
def test_a_truncated_file(tmp_path, good, name):
    folder, _ = good
    data = (folder / name).read_bytes()
    (tmp_path / name).write_bytes(data[: len(data) // 2])
    load = load_model if not name.endswith("weights.h5") else Sequential([L.Input((3,)), L.Dense(2)]).load_weights
    assert_refused(tmp_path / name, "truncated|not an HDF5 file|cannot be read", load=load)


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
def test_random_bytes(tmp_path, name):
    (tmp_path / name).write_bytes(np.random.default_rng(0).bytes(5000))
    assert_refused(tmp_path / name, "not a .keras archive|not an HDF5 file")


def test_a_zip_without_config_json(tmp_path, good):
    parts = dict(good[1])
    del parts["config.json"]
    assert_refused(make_zip(tmp_path / "m.keras", parts), "no config.json")


def test_a_member_named_to_leave_the_archive(tmp_path, good):
    path = make_zip(tmp_path / "m.keras", {**good[1], "../x": b"escaped"})
    assert_refused(path, r"member '\.\./x' points outside the archive")
    assert not (tmp_path.parent / "x").exists()


def test_a_decompression_bomb(tmp_path, good):
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config.json", good[1]["config.json"])
        with zf.open("model.weights.h5", "w", force_zip64=True) as member:
            for _ in range(64):  # 64 MiB of zeros, stored in about 64 KiB
                member.write(bytes(1 << 20))
    assert os.path.getsize(path) < 1 << 20
    assert_refused(path, "decompression bomb")


def bomb_dataset(group, name):
    """A dataset declaring 40 GB that stores nothing (chunked, never written)."""
    group.create_dataset(name, shape=(100_000, 100_000), dtype="float32", chunks=(100, 100), compression="gzip")


def test_a_dataset_whose_shape_would_need_gigabytes(tmp_path, good):
    weights = io.BytesIO()
    with h5py.File(weights, "w") as f:
        bomb_dataset(f.create_group("layers/dense/vars"), "0")
    path = make_zip(tmp_path / "m.keras", {**good[1], "model.weights.h5": weights.getvalue()})
    assert_refused(path, r"shape \(100000, 100000\) would need 37\.3 GiB.*bomb")
    h5 = tmp_path / "w.weights.h5"
    with h5py.File(h5, "w") as f:
        bomb_dataset(f.create_group("layers/dense/vars"), "0")
    assert_refused(h5, "bomb", load=Sequential([L.Input((3,)), L.Dense(2)]).load_weights)


@pytest.mark.parametrize("kind", ["external link", "soft link", "external storage"])
def test_hdf5_links_and_external_data(tmp_path, good, kind):
    path = tmp_path / "m.h5"
    (tmp_path / "other.h5").write_bytes((good[0] / "m.h5").read_bytes())
    data = (good[0] / "m.h5").read_bytes()
    path.write_bytes(data)
    with h5py.File(path, "a") as f:
        if kind == "external link":
            f["model_weights/elsewhere"] = h5py.ExternalLink("other.h5", "/model_weights")
        elif kind == "soft link":
            f["model_weights/alias"] = h5py.SoftLink("/model_weights")
        else:
            (tmp_path / "raw.bin").write_bytes(bytes(24))
            f.create_dataset("model_weights/outside", shape=(6,), dtype="float32", external=[("raw.bin", 0, 24)])
    expected = {"external link": "an external link", "soft link": "a soft link", "external storage": "external files"}
    assert_refused(path, expected[kind])


@pytest.mark.parametrize("where", ["model", "layer"])
def test_a_module_that_is_not_keras_is_never_imported(tmp_path, good, where):
    evil = {"module": "smtplib", "class_name": "SMTP", "config": {"host": "localhost"}, "registered_name": None}
    config = evil if where == "model" else {"module": "keras", "class_name": "Sequential",
                                            "config": {"name": "s", "layers": [evil]}}
    assert "smtplib" not in sys.modules or pytest.skip("smtplib was imported by something else")
    assert_refused(keras_with_config(tmp_path / "m.keras", good[1], config), "module 'smtplib'.*not a Keras module")
    system = {"module": "os", "class_name": "system", "config": {"command": "touch pwned"}}
    assert_refused(keras_with_config(tmp_path / "os.keras", good[1], system), "'system' from module 'os'")


def test_an_unknown_class(tmp_path, good):
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
        {"module": "keras.layers", "class_name": "Teleporter", "config": {"name": "t"}}]}}
    error = assert_refused(keras_with_config(tmp_path / "m.keras", good[1], config), "unknown class 'Teleporter'")
    assert "Dense" in str(error) and "custom_objects" in str(error)


def test_a_keras_model_config_in_an_h5_is_checked_the_same_way(tmp_path, good):
    path = tmp_path / "m.h5"
    path.write_bytes((good[0] / "m.h5").read_bytes())
    with h5py.File(path, "a") as f:
        f.attrs["model_config"] = json.dumps({"module": "os", "class_name": "system", "config": {}}).encode()
    assert_refused(path, "'system' from module 'os'")


def lambda_config(function):
    """A Sequential whose Lambda holds ``function`` as Keras 3 stores a Python lambda."""
    code = base64.encodebytes(marshal.dumps(function.__code__)).decode("ascii")
    stored = {"class_name": "__lambda__", "config": {"code": code, "defaults": list(function.__defaults__ or ()),
                                                     "closure": None}}
    return {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
        {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 3], "name": "i"}},
        {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "l", "function": stored}}]}}


def test_a_lambda_holding_bytecode_is_refused_unless_safe_mode_is_false(tmp_path, good):
    marker = tmp_path.parent / f"{tmp_path.name}_ran"
    config = lambda_config(lambda x, path=str(marker): (open(path, "w").close(), x * 3.0)[1])  # noqa: SIM115
    path = keras_with_config(tmp_path / "m.keras", good[1], config)
    assert_refused(path, "bytecode; loading it would run code from the file. If you trust this file, pass "
                         "safe_mode=False")
    assert not marker.exists()
    model = load_model(path, safe_mode=False)  # the caller's explicit choice: the code runs
    assert marker.exists()
    np.testing.assert_array_equal(model.predict(np.ones((1, 3), "float32"), verbose=0), [[3.0, 3.0, 3.0]])
    marker.unlink()


def test_a_lambda_by_name_needs_custom_objects(tmp_path, good):
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
        {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 3], "name": "i"}},
        {"module": "keras.layers", "class_name": "Lambda", "config": {
            "name": "l", "function": {"module": "os", "class_name": "function", "config": "system",
                                      "registered_name": "function"}}}]}}
    path = keras_with_config(tmp_path / "m.keras", good[1], config)
    assert_refused(path, "calls the function 'system'.*custom_objects")
    model = load_model(path, custom_objects={"system": np.negative}, compile=False)
    np.testing.assert_array_equal(model.predict(np.ones((1, 3), "float32"), verbose=0), [[-1.0, -1.0, -1.0]])


def run_python(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_import_deepbasics_does_not_import_h5py():
    done = run_python("import sys, deepbasics, deepbasics.saving, deepbasics.models; print('h5py' in sys.modules)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_without_h5py_a_save_names_the_extra_to_install(tmp_path):
    done = run_python(
        "import sys; sys.modules['h5py'] = None\n"
        "import deepbasics as db\n"
        "m = db.Sequential([db.layers.Dense(2, input_dim=3)])\n"
        f"m.save({str(tmp_path / 'm.keras')!r})\n")
    assert done.returncode != 0
    assert "ImportError" in done.stderr and "pip install 'deepbasics[interop]'" in done.stderr
    assert os.listdir(tmp_path) == []
