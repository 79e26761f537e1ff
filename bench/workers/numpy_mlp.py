"""W1 by hand in NumPy, float32: the floor a NumPy library can hope to reach.

Glorot-uniform weights and zero biases (Keras's defaults), shuffled index per epoch,
x[idx[i:i+32]] slices, and the fused softmax + cross-entropy gradient:

    h = relu(x W1 + b1);  p = softmax(h W2 + b2);  L = -sum(y log p) / n
    dz2 = (p - y) / n;  dW2 = h^T dz2;  dh = dz2 W2^T * 1[h > 0];  dW1 = x^T dh

With --threads N, BLAS is limited to N threads (threadpoolctl if importable; the parent also
sets OPENBLAS_NUM_THREADS etc. in this process's environment).
"""
import contextlib
import time

_T0 = time.perf_counter()
import numpy as np  # noqa: E402

IMPORT_S = time.perf_counter() - _T0

import _common  # noqa: E402

LR = 0.01  # W1's SGD learning rate


def glorot_uniform(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)


def train_step(params, xb, yb, lr):
    w1, b1, w2, b2 = params
    h = xb @ w1
    h += b1
    np.maximum(h, 0.0, out=h)
    z = h @ w2
    z += b2
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)           # z is now p
    dz = z
    dz -= yb
    dz *= np.float32(1.0 / len(xb))             # dL/dz2 = (p - y) / n
    dh = dz @ w2.T
    dh *= h > 0                                 # d relu = 1[h > 0]
    w2 -= lr * (h.T @ dz)
    b2 -= lr * dz.sum(axis=0)
    w1 -= lr * (xb.T @ dh)
    b1 -= lr * dh.sum(axis=0)


def train(x, y, args):
    rng = np.random.default_rng(args.seed)
    params = [glorot_uniform(rng, 784, 64), np.zeros(64, np.float32),
              glorot_uniform(rng, 64, 10), np.zeros(10, np.float32)]
    lr = np.float32(LR)
    n, bs = len(x), args.batch_size
    epoch_s = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        idx = rng.permutation(n)
        for i in range(0, n, bs):
            b = idx[i:i + bs]
            train_step(params, x[b], y[b], lr)
        epoch_s.append(time.perf_counter() - t0)
    return params, epoch_s


def predict(params, x):
    w1, b1, w2, b2 = params
    return np.maximum(x @ w1 + b1, 0.0) @ w2 + b2


def thread_limit(n):
    """threadpoolctl's limit when importable, else nothing (the environment variables act)."""
    if n is None:
        return contextlib.nullcontext(), None
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext(), "env OPENBLAS_NUM_THREADS"
    return threadpool_limits(limits=n, user_api="blas"), "threadpoolctl"


def main():
    args = _common.parse_args(__doc__, workloads=("W1",))
    (xtr, _, ytr), (xte, yte, _), data_s = _common.load_mnist(args)
    limit, how = thread_limit(args.threads)
    with limit:
        params, epoch_s = train(xtr, ytr, args)
        threads = {"requested": args.threads, "how": how,
                   "blas_during_fit": _common._sysinfo.blas_threads()}
    acc = _common.accuracy(predict(params, xte), yte)
    _common.emit(args, "numpy", np.__version__, IMPORT_S, data_s, [_common.measure("train", epoch_s, acc)],
                 threads, numpy_blas=_common._sysinfo.numpy_blas())


if __name__ == "__main__":
    main()
