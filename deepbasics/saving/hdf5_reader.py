"""Reading HDF5 files that may be hostile.

On opening, every link of the file is walked once: soft and external links are refused (they
can point outside the file), and so are datasets stored in external files, virtual datasets,
datasets that are not plain numbers, and datasets that declare far more bytes than they store
(a shape or decompression bomb). Attributes are size-checked before they are read. Every h5py
failure (truncated or random bytes) becomes one ``ModelFileError`` naming the file.
"""
import contextlib
import io
import json
import math
import zlib

import numpy as np

from deepbasics.saving.errors import ModelFileError, require_h5py

MAX_LINKS = 100_000  # links walked in one file
MAX_DEPTH = 64
BOMB_FLOOR_BYTES = 16 << 20  # a dataset may declare this much whatever it stores...
MAX_EXPANSION = 100  # ...above it, at most this multiple of the bytes stored on disk
MAX_DATASET_BYTES = 4 << 30
MAX_ATTRIBUTE_BYTES = 64 << 20
READ_ERRORS = (OSError, KeyError, ValueError, RuntimeError, TypeError, AttributeError, EOFError, zlib.error,
               UnicodeDecodeError, OverflowError, RecursionError, NotImplementedError, IndexError)


def readable_size(n):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024


class SafeHDF5:
    """An HDF5 file (a path, or the bytes of a zip member) opened read-only and checked whole.

    ``path`` names the file in errors, ``member`` the zip member it came from (if any).
    """

    def __init__(self, source, path, member=None):
        self.h5py = require_h5py("Loading an HDF5 file")
        self.path, self.member = path, member
        with self.guard("it is not an HDF5 file, or it is truncated"):
            self.file = self.h5py.File(io.BytesIO(source) if isinstance(source, bytes) else source, "r")
        try:
            self._check_every_link()
        except BaseException:
            self.close()
            raise

    def close(self):
        with contextlib.suppress(*READ_ERRORS):
            self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextlib.contextmanager
    def guard(self, problem):
        """Turn any h5py failure inside the block into one ModelFileError."""
        try:
            yield
        except ModelFileError:
            raise
        except READ_ERRORS as exc:
            self.fail(f"{problem} ({type(exc).__name__}: {exc})")

    def fail(self, problem):
        raise ModelFileError(self.path, f"{self.member}: {problem}" if self.member else problem) from None

    # -- the walk on opening -------------------------------------------------------------------
    def _check_every_link(self):
        h5py = self.h5py
        seen, count, stack = {hash(self.file.id)}, 0, [(self.file, "", 0)]
        with self.guard("its structure cannot be read"):
            while stack:
                group, path, depth = stack.pop()
                if depth > MAX_DEPTH:
                    self.fail(f"groups are nested more than {MAX_DEPTH} deep at '{path}'")
                for name in group:
                    count += 1
                    if count > MAX_LINKS:
                        self.fail(f"it holds more than {MAX_LINKS} objects")
                    where = f"{path}/{name}"
                    link = group.get(name, getlink=True)
                    if not isinstance(link, h5py.HardLink):
                        kind = "an external" if isinstance(link, h5py.ExternalLink) else "a soft"
                        self.fail(f"'{where}' is {kind} link; links are refused (they can point "
                                  "outside the file)")
                    obj = group[name]
                    if isinstance(obj, h5py.Group):
                        if hash(obj.id) not in seen:  # hard links can make cycles
                            seen.add(hash(obj.id))
                            stack.append((obj, where, depth + 1))
                    elif isinstance(obj, h5py.Dataset):
                        self._check_dataset(obj, where)

    def _check_dataset(self, ds, where):
        if ds.external:
            self.fail(f"dataset '{where}' keeps its data in external files {ds.external}; refused")
        if ds.is_virtual:
            self.fail(f"dataset '{where}' is a virtual dataset (its data lives in other files); refused")
        if ds.dtype.kind not in "biuf" or ds.dtype.fields is not None:
            self.fail(f"dataset '{where}' holds {ds.dtype}, expected numbers")
        declared = math.prod(ds.shape) * ds.dtype.itemsize
        stored = ds.id.get_storage_size()
        if declared > MAX_DATASET_BYTES or (declared > BOMB_FLOOR_BYTES and declared > MAX_EXPANSION * stored):
            self.fail(f"dataset '{where}' of shape {ds.shape} would need {readable_size(declared)} of memory "
                      f"but stores {readable_size(stored)}; refused as a shape or decompression bomb")

    # -- access --------------------------------------------------------------------------------
    def group(self, path):
        """The group at ``path`` ('layers/dense/vars'), or None when there is none."""
        with self.guard(f"group '{path}' cannot be read"):
            node = self.file
            for part in [p for p in path.split("/") if p]:
                if part not in node:
                    return None
                node = node[part]
                if not isinstance(node, self.h5py.Group):
                    self.fail(f"'{path}' is not a group")
            return node

    def dataset(self, group, name):
        """The dataset ``name`` of ``group`` (may be a path below it), or None."""
        with self.guard(f"dataset '{name}' cannot be read"):
            if name not in group:
                return None
            obj = group[name]
            if not isinstance(obj, self.h5py.Dataset):
                self.fail(f"'{group.name}/{name}' is not a dataset")
            return obj

    def read(self, ds):
        """The values of a checked dataset, as a NumPy array."""
        with self.guard(f"dataset '{ds.name}' cannot be read (the file may be truncated)"):
            return np.asarray(ds[()])

    def attribute(self, obj, name):
        """The attribute ``name`` of ``obj`` (None if absent), its size checked before it is read."""
        with self.guard(f"attribute '{name}' cannot be read"):
            if name not in obj.attrs:
                return None
            aid = self.h5py.h5a.open(obj.id, name.encode("utf-8"))
            size = math.prod(aid.shape or ()) * aid.dtype.itemsize
            if size > MAX_ATTRIBUTE_BYTES:
                self.fail(f"attribute '{name}' declares {readable_size(size)}; refused")
            return obj.attrs[name]

    def text(self, obj, name):
        """A string attribute (bytes decoded as UTF-8), or None."""
        value = self.attribute(obj, name)
        if value is None:
            return None
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value.item()
        if isinstance(value, bytes):
            with self.guard(f"attribute '{name}' is not UTF-8 text"):
                value = value.decode("utf-8")
        if not isinstance(value, str):
            self.fail(f"attribute '{name}' should be text, found {type(value).__name__}")
        return value

    def json(self, obj, name):
        """A JSON attribute ('model_config'), parsed, or None."""
        text = self.text(obj, name)
        if text is None:
            return None
        with self.guard(f"attribute '{name}' is not valid JSON"):
            return json.loads(text)

    def names(self, obj, name):
        """A list-of-strings attribute ('layer_names'), also when Keras split it into name0, name1..."""
        with self.guard(f"attribute '{name}' cannot be read"):
            parts = [name] if name in obj.attrs else []
            while not parts[:1] == [name] and f"{name}{len(parts)}" in obj.attrs:
                parts.append(f"{name}{len(parts)}")  # Keras splits long lists into name0, name1, ...
        values = []
        for part in parts:
            raw = self.attribute(obj, part)
            items = np.atleast_1d(np.asarray(raw)).tolist()
            for item in items:
                if isinstance(item, bytes):
                    with self.guard(f"attribute '{part}' is not UTF-8 text"):
                        item = item.decode("utf-8")
                if not isinstance(item, str):
                    self.fail(f"attribute '{part}' should list names, found {item!r}")
                values.append(item)
        return values
