"""A tiny, self-contained reader for the original MNIST IDX files (gzip-compressed).

The peer virtual environments (PyTorch, Keras) do not have deepbasics installed, so every
benchmark worker loads MNIST through this file (NumPy only) and prepares it the same way:
images flattened to 784 float32 values in [0, 1], labels as integers and one-hot float32.
"""
import gzip
import os
from pathlib import Path

import numpy as np

FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}


def default_data_dir():
    """$DEEPBASICS_DATA_DIR, else shared/data/mnist next to the repository."""
    env = os.environ.get("DEEPBASICS_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared/data/mnist"


def read_idx(path):
    """One IDX file -> uint8 array. Header: 2 zero bytes, type 0x08 (ubyte), ndim, then
    ndim big-endian uint32 sizes; the data follows."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {data[:4].hex()})")
    ndim = data[3]
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    offset = 4 + 4 * ndim
    if len(data) - offset != int(np.prod(shape)):
        raise ValueError(f"{path}: expected {shape} bytes of data, found {len(data) - offset}")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape)


def load_data(data_dir=None):
    """Like keras.datasets.mnist.load_data(): ((x_train, y_train), (x_test, y_test)), uint8."""
    d = Path(data_dir) if data_dir else default_data_dir()
    missing = [name for name in FILES.values() if not (d / name).is_file()]
    if missing:
        raise FileNotFoundError(f"MNIST files missing in {d}: {', '.join(missing)}")
    a = {key: read_idx(d / name) for key, name in FILES.items()}
    return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])


def prepare(x, y, n=None):
    """uint8 images/labels -> (x float32 (n, 784) in [0, 1], y int64 (n,), y one-hot float32)."""
    if n is not None:
        x, y = x[:n], y[:n]
    x = np.asarray(x).reshape(len(x), -1).astype(np.float32)
    x /= 255.0  # in place: one float32 copy of the images at the peak, not two (every framework alike)
    y = np.asarray(y).astype(np.int64)
    onehot = np.zeros((len(y), 10), dtype=np.float32)
    onehot[np.arange(len(y)), y] = 1.0
    return x, y, onehot
