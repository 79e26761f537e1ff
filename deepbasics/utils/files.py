"""Saving what a training run produced, so that a failed write never loses the previous file.

Every write goes to a temporary file in the same folder, is flushed and fsynced, then renamed
over the target with ``os.replace`` (atomic on POSIX and Windows). On any error the temporary
file is removed and the target, if it existed, is left as it was.
"""
import contextlib
import json
import math
import os
import tempfile


@contextlib.contextmanager
def atomic_write(path, mode="wb", encoding=None):
    """Yield a file object (``mode`` 'wb' or 'w') whose content replaces ``path`` on success.

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> with atomic_write(target, "w", encoding="utf-8") as f:
    ...     _ = f.write("kept")
    >>> target.read_text()
    'kept'
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"`mode` must be 'wb' or 'w', received mode={mode!r}")
    folder, name = os.path.split(os.path.abspath(os.fspath(path)))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    try:
        with os.fdopen(fd, mode, encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _file_mode(path):
    """The mode ``path`` has, or the one ``open`` would give a new file (0o666 less the umask);
    ``mkstemp`` makes its file private (0o600)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def write_json(path, obj):
    """Write ``obj`` as indented JSON, atomically. NaN and infinity become ``null`` (valid JSON)."""
    text = json.dumps(_finite(obj), indent=2, sort_keys=False, allow_nan=False, default=_plain)
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    return os.fspath(path)


def read_json(path):
    """The object a ``write_json`` call saved."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def history_dict(history):
    """``History.history`` or a plain dict, checked: metric names -> lists of numbers."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"Expected a History (what fit() returns) or its `.history` dict, "
                        f"received {type(history).__name__}.")
    if not logs:
        raise ValueError("The history is empty: train for at least one epoch first.")
    for key, values in logs.items():
        if not isinstance(key, str) or isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
            raise ValueError(f"History entries must map a metric name to a list of per-epoch values, "
                             f"received {key!r}: {values!r}")
    return {key: [float(v) for v in values] for key, values in logs.items()}


def _finite(obj):
    """``obj`` with NaN and infinite floats replaced by None, recursively."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if hasattr(obj, "item") and getattr(obj, "ndim", None) == 0:  # a NumPy scalar
        return _finite(obj.item())
    return obj


def _plain(obj):
    """What ``json`` cannot encode itself: paths and arrays."""
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if hasattr(obj, "tolist"):
        return _finite(obj.tolist())
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")
