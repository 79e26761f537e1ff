"""Reading IDX files, the format MNIST ships in, gzip-compressed or raw.

An IDX file is a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then ``ndim``
big-endian uint32 sizes, then the elements in C order, big-endian. MNIST's images
have magic 0x00000803 (uint8, 3 dims) and its labels 0x00000801 (uint8, 1 dim).
"""

import gzip
import hashlib
import zlib

import numpy as np

from deepbasics.datasets.fetch import ChecksumError

# The magic number's third byte names the element type (LeCun's IDX description).
_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dtype: code for code, dtype in _DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


class IDXError(ValueError):
    """The file is not a well-formed IDX file (bad header, wrong size, damaged gzip)."""


def read_idx(path, sha256=None, shape=None):
    """Read an IDX file into a new, writable, C-contiguous native-endian array.

    Args:
        path: the file; gzip-compressed files are recognised by their content,
            whatever their name.
        sha256: if given, the expected SHA-256 (hex) of the *uncompressed* file;
            a mismatch raises ``ChecksumError`` and no array is returned.
        shape: if given, the expected shape; a mismatch raises ``IDXError``.
    """
    try:
        with _open(path) as f:
            array = _read(f, path)
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise IDXError(f"{path}: damaged gzip data ({e})") from None
    if shape is not None and array.shape != tuple(shape):
        raise IDXError(f"{path}: expected shape {tuple(shape)}, found {array.shape}")
    if sha256 is not None:
        actual = idx_sha256(array)
        if actual != sha256.lower():
            raise ChecksumError(
                f"{path}: SHA-256 of the uncompressed content is {actual}, "
                f"expected {sha256} (the file is damaged or not the original)"
            )
    native = array.dtype.newbyteorder("=")
    return array if array.dtype == native else array.astype(native)


def idx_sha256(array):
    """SHA-256 (hex) of ``array`` written as an uncompressed IDX file.

    This is what published checksums of IDX files cover, so it also verifies
    arrays that were loaded from somewhere else (an ``.npz`` cache, say).
    """
    big = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder(">"))
    if big.dtype not in _CODES:
        raise IDXError(f"IDX cannot hold dtype {array.dtype}")
    digest = hashlib.sha256(_header(big.dtype, big.shape))
    digest.update(memoryview(big.reshape(-1).view(np.uint8)))
    return digest.hexdigest()


def _header(dtype, shape):
    magic = bytes([0, 0, _CODES[dtype], len(shape)])
    return magic + np.asarray(shape, dtype=">u4").tobytes()


def _open(path):
    with open(path, "rb") as f:
        is_gzip = f.read(2) == _GZIP_MAGIC
    return gzip.open(path, "rb") if is_gzip else open(path, "rb")


def _read(f, path):
    magic = _read_bytes(f, 4, path, "the magic number")
    if magic[:2] != b"\0\0" or magic[2] not in _DTYPES:
        raise IDXError(f"{path}: not an IDX file (magic number 0x{magic.hex()})")
    dtype, ndim = _DTYPES[magic[2]], magic[3]
    sizes = _read_bytes(f, 4 * ndim, path, "the dimension sizes")
    shape = tuple(int(n) for n in np.frombuffer(sizes, dtype=">u4"))
    # Read straight into the final array: no second copy of a 47 MB buffer.
    array = np.empty(shape, dtype=dtype)
    _fill(f, memoryview(array.reshape(-1).view(np.uint8)), path, f"the {shape} array")
    if f.read(1):
        raise IDXError(f"{path}: extra bytes after the {shape} array")
    return array


def _read_bytes(f, n, path, what):
    buffer = bytearray(n)
    _fill(f, memoryview(buffer), path, what)
    return bytes(buffer)


def _fill(f, view, path, what):
    """Fill ``view`` from ``f``; a file that ends early is an ``IDXError``."""
    done = 0
    while done < len(view):
        n = f.readinto(view[done:])
        if not n:
            raise IDXError(
                f"{path}: file ends after {done} of the {len(view)} bytes of {what}"
            )
        done += n
