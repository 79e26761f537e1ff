"""Writing HDF5 as Keras does: plain contiguous datasets, lists of names as attributes (split
when they pass HDF5's header limit), and every file through one atomic write."""
import contextlib
import io
import os

import numpy as np

from deepbasics.saving.errors import require_h5py
from deepbasics.utils.files import atomic_write

HEADER_LIMIT = 64512  # bytes an HDF5 object header holds (Keras's HDF5_OBJECT_HEADER_LIMIT)


@contextlib.contextmanager
def new_hdf5_file(path):
    """An open h5py.File whose content replaces ``path`` atomically when the block succeeds."""
    h5py = require_h5py(f"Saving {os.path.basename(os.fspath(path))!r}")
    with atomic_write(path, "wb") as f:
        with h5py.File(f, "w") as h5:
            yield h5


def hdf5_bytes(fill):
    """The bytes of an HDF5 file that ``fill(h5file)`` writes (for a member of a .keras zip)."""
    h5py = require_h5py("Saving a .keras file")
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        fill(h5)
    return buffer.getvalue()


def write_array(group, name, value):
    group.create_dataset(name, data=np.asarray(value))


def write_names(group, name, names):
    """A list of strings as one attribute, or as name0, name1, ... when it is too long for one."""
    data = np.array([n.encode("utf-8") for n in names], dtype=bytes) if names else np.array([], dtype="S1")
    chunks = 1
    while chunks < len(data) and any(p.nbytes > HEADER_LIMIT for p in np.array_split(data, chunks)):
        chunks += 1
    if chunks == 1:
        group.attrs[name] = data
        return
    for i, part in enumerate(np.array_split(data, chunks)):
        group.attrs[f"{name}{i}"] = part


def write_text(obj, name, text):
    obj.attrs[name] = text.encode("utf-8")
