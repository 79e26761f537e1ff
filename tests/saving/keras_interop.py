"""Real Keras 3, run in a subprocess, for the interop tests.

The interpreter is ``$DEEPBASICS_KERAS_PYTHON`` or, by default, this one when it can import
keras; ``KERAS_BACKEND`` defaults to torch. Without Keras the tests that need it are skipped,
saying why.
"""
import functools
import os
import subprocess
import sys

import pytest


def keras_env():
    env = dict(os.environ)
    env.setdefault("KERAS_BACKEND", "torch")
    env["PYTHONWARNINGS"] = "ignore"
    return env


@functools.lru_cache(maxsize=None)
def find_keras_python():
    """``(python, None)`` for an interpreter that imports keras, else ``(None, reason)``."""
    python = os.environ.get("DEEPBASICS_KERAS_PYTHON") or sys.executable
    where = "$DEEPBASICS_KERAS_PYTHON" if os.environ.get("DEEPBASICS_KERAS_PYTHON") else "this interpreter"
    try:
        done = subprocess.run([python, "-c", "import keras"], env=keras_env(), capture_output=True, text=True,
                              timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"cannot run {python} ({where}): {exc}"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return None, (f"no real Keras: `import keras` fails in {python} ({where}: {last}). Install keras and a "
                      "backend (pip install keras torch), or point DEEPBASICS_KERAS_PYTHON at a Python that has them")
    return python, None


def run_keras(python, script, cwd, timeout=600):
    """Run the script file ``script`` with real Keras in folder ``cwd``; its stdout, or a test
    failure showing its output."""
    done = subprocess.run([python, os.fspath(script)], cwd=cwd, env=keras_env(), capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        pytest.fail(f"the Keras script failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
    return done.stdout
