"""backend.blas_threads: the BLAS thread limit that fit and predict set for small batches."""
import numpy as np
import pytest

from deepbasics import backend

threadpoolctl = pytest.importorskip("threadpoolctl")


def blas_thread_counts():
    return [lib["num_threads"] for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"]


def test_blas_threads_limits_inside_and_restores_after():
    before = blas_thread_counts()
    assert before, "NumPy's BLAS should be visible to threadpoolctl"
    with backend.blas_threads(1):
        assert blas_thread_counts() == [1] * len(before)
        np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)  # BLAS still computes
    assert blas_thread_counts() == before
    with backend.blas_threads(1):  # the cached controller works a second time
        assert blas_thread_counts() == [1] * len(before)
    assert blas_thread_counts() == before


def test_blas_threads_none_leaves_blas_alone():
    before = blas_thread_counts()
    with backend.blas_threads(None):
        assert blas_thread_counts() == before


def test_blas_threads_without_threadpoolctl_is_a_no_op(monkeypatch):
    monkeypatch.setattr(backend, "_CONTROLLER", None)  # as when threadpoolctl is not installed
    before = blas_thread_counts()
    with backend.blas_threads(1):
        assert blas_thread_counts() == before
