"""Finite-difference check of a function's backward, in float64 (Chainer's design)."""
import numpy as np

from deepbasics.autodiff.tensor import Tensor


def gradcheck(fn, inputs, wrt=None, eps=1e-5, rtol=1e-5, atol=1e-7, directions=None, seed=0):
    """Assert that ``fn``'s analytic gradients match central differences.

    ``fn(*tensors) -> Tensor``. ``inputs`` are arrays (cast to float64); ``wrt`` the indices
    to check (all float inputs by default). The scalar probed is ``sum(fn(x) * u)`` with a
    random upstream gradient ``u``, so a backward that forgets ``* gy`` fails.
    With ``directions=k``, k random directional derivatives are checked instead of every
    element (for large inputs: conv, recurrent layers).
    Raises ``AssertionError`` naming the input, the worst index and both values.
    """
    rng = np.random.default_rng(seed)
    arrays = [np.array(a, dtype=np.float64) if _is_float(a) else np.asarray(a) for a in inputs]
    if wrt is None:
        wrt = [i for i, a in enumerate(arrays) if a.dtype == np.float64]
    tensors = [Tensor(a, requires_grad=(i in wrt)) for i, a in enumerate(arrays)]
    out = fn(*tensors)
    u = rng.standard_normal(out.shape)
    out.backward(u)

    def probe():
        return float(np.sum(fn(*[Tensor(a) for a in arrays]).data * u))

    for i in wrt:
        analytic = tensors[i].grad
        if analytic is None:
            analytic = np.zeros_like(arrays[i])
        if directions:
            _check_directions(probe, arrays[i], analytic, eps, rtol, atol, directions, rng, i)
        else:
            numeric = _numeric_grad(probe, arrays[i], eps)
            _assert_close(analytic, numeric, rtol, atol, f"input {i}")
    return True


def _is_float(a):
    return np.asarray(a).dtype.kind == "f"


def _numeric_grad(probe, x, eps):
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)  # views: perturb x in place, then restore
    for k in range(flat.size):
        orig = flat[k]
        flat[k] = orig + eps
        plus = probe()
        flat[k] = orig - eps
        minus = probe()
        flat[k] = orig
        gflat[k] = (plus - minus) / (2 * eps)
    return grad


def _check_directions(probe, x, analytic, eps, rtol, atol, k, rng, index):
    for _ in range(k):
        d = rng.standard_normal(x.shape)
        orig = x.copy()
        x += eps * d
        plus = probe()
        x[...] = orig - eps * d
        minus = probe()
        x[...] = orig
        numeric = (plus - minus) / (2 * eps)
        expected = float(np.sum(analytic * d))
        if not np.isclose(expected, numeric, rtol=rtol, atol=atol):
            raise AssertionError(
                f"gradcheck failed for input {index} along a random direction: "
                f"analytic {expected!r} vs numeric {numeric!r}"
            )


def _assert_close(analytic, numeric, rtol, atol, what):
    if analytic.shape != numeric.shape:
        raise AssertionError(f"gradcheck: {what} gradient shape {analytic.shape}, expected {numeric.shape}")
    err = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    if np.any(err > 0):
        worst = np.unravel_index(np.argmax(err), err.shape)
        raise AssertionError(
            f"gradcheck failed for {what} at index {tuple(int(i) for i in worst)}: "
            f"analytic {analytic[worst]!r} vs numeric {numeric[worst]!r}"
        )
