"""Run one benchmark process to completion and measure it from outside: wall seconds, exit
status and peak resident memory (``ru_maxrss`` of that child, from ``wait4``)."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

MARKER = "BENCH_RESULT "  # the line a worker prints its result on (workers/_common.py)


@dataclass
class Outcome:
    returncode: int
    wall_s: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    timed_out: bool = False

    def result(self):
        """The worker's result dict (last marker line), or None."""
        lines = [ln for ln in self.stdout.splitlines() if ln.startswith(MARKER)]
        return json.loads(lines[-1][len(MARKER):]) if lines else None

    def tail(self, n=8):
        text = (self.stderr.strip() or self.stdout.strip()).splitlines()
        return "\n".join(text[-n:])


def _maxrss_mb(rusage):
    kib = rusage.ru_maxrss  # KiB on Linux, bytes on macOS
    return kib / 2**20 if sys.platform == "darwin" else kib / 1024.0


def run(cmd, env, timeout, cwd=None):
    """Run ``cmd`` in its own process group; kill the group after ``timeout`` seconds."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True)
        timed_out = False
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)  # the group we started, nothing else
                _, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen
        out.seek(0)
        err.seek(0)
        return Outcome(proc.returncode, wall, _maxrss_mb(rusage), out.read().decode(errors="replace"),
                       err.read().decode(errors="replace"), timed_out)
