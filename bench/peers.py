"""The frameworks deepbasics is timed against: where each one's python lives, how its virtual
environment is made, which workloads it has a worker for, and the rows it contributes."""
import os
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ONE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Row:
    """One row of the table: a worker script run with extra environment and arguments."""
    label: str
    worker: str
    env: dict = field(default_factory=dict)
    args: tuple = ()
    workloads: tuple = ()  # the workloads this row runs; () = every one its peer has


@dataclass(frozen=True)
class Peer:
    name: str         # as given to --peers
    venv: str         # folder under the venvs root; '' = the deepbasics python
    install: str      # pip arguments that make the venv
    workloads: tuple  # the workloads it has a worker for
    rows: tuple


def _keras(name, backend, venv, install):
    env = {"KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return Peer(name, venv, install,
                ("W1", "W2", "W3", "W4", "W5"), (Row(f"keras/{backend}", "keras_worker.py", env),))


PEERS = {p.name: p for p in [
    Peer("torch", "torch", "numpy threadpoolctl torch==2.13.0", ("W1", "W2", "W3", "W4", "W5"),
         (Row("torch", "torch_worker.py"),)),
    _keras("keras-tf", "tensorflow", "keras", "numpy threadpoolctl keras tensorflow-cpu"),
    _keras("keras-jax", "jax", "keras-jax", "numpy threadpoolctl keras 'jax[cpu]'"),
    _keras("keras-torch", "torch", "keras-torch", "numpy threadpoolctl keras torch==2.13.0"),
    Peer("jax", "jax", "numpy threadpoolctl 'jax[cpu]'", ("W1",),
         (Row("jax (jit step)", "jax_worker.py", args=("--variant", "step")),
          Row("jax (scan epoch)", "jax_worker.py", args=("--variant", "scan")))),
    Peer("numpy", "", "", ("W1", "W2", "W4"),
         (Row("numpy by hand", "numpy_mlp.py", workloads=("W1",)),
          Row("numpy by hand, 1 thread", "numpy_mlp.py", ONE_THREAD_ENV, ("--threads", "1"), ("W1",)),
          Row("numpy by hand", "numpy_wide_mlp.py", workloads=("W2",)),
          Row("numpy by hand", "numpy_lstm.py", workloads=("W4",)))),
]}
ALIASES = {"keras": "keras-tf"}  # bench/course_mlp.py's old name
DEFAULT = ("torch", "keras-tf", "keras-jax", "jax", "numpy")


def parse_peers(text):
    """'torch,keras' -> ('torch', 'keras-tf'); 'none' or '' -> (); 'all' -> every peer."""
    if text.strip().lower() in ("", "none"):
        return ()
    if text.strip().lower() == "all":
        return tuple(PEERS)
    # 'deepbasics' (bench/cnn.py's old default) names no peer: it always runs unless --no-deepbasics
    names = [ALIASES.get(s.strip(), s.strip()) for s in text.split(",") if s.strip() not in ("", "deepbasics")]
    unknown = [s for s in names if s not in PEERS]
    if unknown:
        raise ValueError(f"--peers expects a comma list from {','.join(PEERS)} (or 'none', 'all'), "
                         f"received unknown {','.join(unknown)}")
    return tuple(dict.fromkeys(names))


def venv_root():
    """$DEEPBASICS_BENCH_VENVS, else the venvs folder beside the repository."""
    return Path(os.environ.get("DEEPBASICS_BENCH_VENVS") or REPO.parent / "venvs")


def env_var(peer):
    """The environment variable that points at a peer's python: DEEPBASICS_BENCH_<VENV>_PYTHON."""
    return f"DEEPBASICS_BENCH_{peer.venv.upper().replace('-', '_')}_PYTHON"


def python_for(peer, override=None, deepbasics_python=None):
    """The python that runs the peer: the flag, then the environment variable, then its venv."""
    if not peer.venv:
        return deepbasics_python
    return override or os.environ.get(env_var(peer)) or str(venv_root() / peer.venv / "bin" / "python")


def install_hint(peer, python):
    venv = venv_root() / peer.venv
    return (f"no python at {python}. Make it with:\n"
            f"    python3 -m venv {venv} && {venv}/bin/pip install {peer.install}\n"
            f"  or point --{peer.name}-python or ${env_var(peer)} at a python that has it")
