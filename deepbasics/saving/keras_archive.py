"""The ``.keras`` file: a zip holding ``metadata.json``, ``config.json`` and ``model.weights.h5``
(Keras 3's layout, members stored uncompressed as Keras writes them).

Reading never extracts anything to disk. Member names are checked (none may leave the
archive), and so are the declared sizes of the members read (no decompression bomb); the
members are then read into memory, never past their declared size.
"""
import json
import struct
import zipfile
import zlib

from deepbasics.saving.errors import ModelFileError
from deepbasics.utils.files import atomic_write

CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
SIZE_LIMITS = {CONFIG: 64 << 20, METADATA: 1 << 20, WEIGHTS: 4 << 30}
BOMB_FLOOR_BYTES = 1 << 20  # above this, a member may expand at most MAX_EXPANSION times
MAX_EXPANSION = 100
MAX_MEMBERS = 10_000
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error, struct.error,
              NotImplementedError, RuntimeError, ValueError, KeyError, IndexError, OverflowError,
              UnicodeDecodeError)


def write_archive(path, config, metadata, weights):
    """Write the zip atomically: the previous file stays until the new one is complete."""
    with atomic_write(path, "wb") as f:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(METADATA, json.dumps(metadata))
            zf.writestr(CONFIG, json.dumps(config))
            zf.writestr(WEIGHTS, weights)


def read_archive(path, need_config=True):
    """``{'config': dict, 'metadata': dict or None, 'weights': bytes}`` from a .keras file."""
    try:
        with zipfile.ZipFile(path, "r") as zf:
            infos = _checked_members(path, zf)
            if need_config and CONFIG not in infos:
                raise ModelFileError(path, f"the archive has no {CONFIG}: it is not a Keras model file")
            if WEIGHTS not in infos:
                extra = (" (weights saved as .npz are not supported: save with the default h5 weights)"
                         if "model.weights.npz" in infos else "")
                raise ModelFileError(path, f"the archive has no {WEIGHTS}{extra}")
            return {
                "config": _json(path, CONFIG, _read(path, zf, infos[CONFIG])) if CONFIG in infos else None,
                "metadata": _json(path, METADATA, _read(path, zf, infos[METADATA])) if METADATA in infos else None,
                "weights": _read(path, zf, infos[WEIGHTS]),
            }
    except ModelFileError:
        raise
    except ZIP_ERRORS as exc:
        raise ModelFileError(path, f"it is not a .keras archive, or it is truncated or damaged "
                                   f"({type(exc).__name__}: {exc})") from None


def _checked_members(path, zf):
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ModelFileError(path, f"the archive holds {len(infos)} members (at most {MAX_MEMBERS})")
    by_name = {}
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or "\x00" in name or (len(name) > 1 and name[1] == ":"):
            raise ModelFileError(path, f"archive member {name!r} points outside the archive; refused")
        if name in by_name:
            raise ModelFileError(path, f"archive member {name!r} appears twice; refused")
        if info.flag_bits & 0x1:
            raise ModelFileError(path, f"archive member {name!r} is encrypted; refused")
        by_name[name] = info
    return by_name


def _read(path, zf, info):
    """A member's bytes, after its declared size and compression ratio are checked."""
    limit = SIZE_LIMITS[info.filename]
    if info.file_size > limit:
        raise ModelFileError(path, f"archive member {info.filename!r} declares {info.file_size} bytes "
                                   f"(at most {limit} are accepted); refused")
    if info.file_size > BOMB_FLOOR_BYTES and info.file_size > MAX_EXPANSION * info.compress_size:
        raise ModelFileError(path, f"archive member {info.filename!r} expands {info.compress_size} stored "
                                   f"bytes to {info.file_size}; refused as a decompression bomb")
    with zf.open(info) as member:
        data = member.read(info.file_size + 1)  # never past the declared size (+1 to see a lie)
    if len(data) != info.file_size:
        raise ModelFileError(path, f"archive member {info.filename!r} is not the size its header declares")
    return data


def _json(path, name, data):
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelFileError(path, f"{name} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise ModelFileError(path, f"{name} should hold a JSON object, found {type(value).__name__}")
    return value
