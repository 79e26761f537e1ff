"""What machine and which BLAS a benchmark ran on. NumPy only; threadpoolctl when present."""
import ctypes
import glob
import os
import platform

import numpy as np


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_counts():
    """(logical CPUs, CPUs this process may run on)."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return os.cpu_count(), usable


def numpy_blas():
    """NumPy's BLAS as built: 'scipy-openblas 0.3.31 ...', from numpy.show_config()."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # NumPy < 1.25 has no mode='dicts'
        return "unknown (see numpy.show_config())"


def _openblas_threads_ctypes():
    """OpenBLAS's live thread count without threadpoolctl: ask the library NumPy loaded."""
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs", "*openblas*"))
    for lib in libs:
        handle = ctypes.CDLL(lib)  # already loaded by NumPy: the same handle, the live value
        for sym in ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                    "openblas_get_num_threads64_", "openblas_get_num_threads"):
            fn = getattr(handle, sym, None)
            if fn is not None:
                fn.restype = ctypes.c_int
                return fn()
    return None


def blas_threads():
    """The BLAS/OpenMP thread pools in this process: [{'api', 'lib', 'threads'}, ...]."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        n = _openblas_threads_ctypes()
        return [{"api": "openblas", "lib": "numpy (ctypes)", "threads": n}]
    return [{"api": p.get("internal_api"), "lib": p.get("prefix"), "threads": p.get("num_threads")}
            for p in threadpool_info()]


def has_threadpoolctl():
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        return False
    return True


def describe():
    logical, usable = cpu_counts()
    return {
        "cpu_model": cpu_model(),
        "cpu_count": logical,
        "cpu_usable": usable,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas": numpy_blas(),
        "blas_threads": blas_threads(),
        "threadpoolctl": has_threadpoolctl(),
    }
