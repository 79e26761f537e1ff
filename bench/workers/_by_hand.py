"""What the hand-written NumPy floors share (numpy_mlp.py W1, numpy_wide_mlp.py W2, numpy_lstm.py
W4): Keras's initial values and Adam, the epoch loop, and the run around them."""
import contextlib
import time

import numpy as np

import _common


def glorot_uniform(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)


def adam(params, grads, state, step, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-7):
    """Keras's Adam in place (step counts from 1); each gradient array is the update's scratch."""
    lr_t = np.float32(lr * np.sqrt(1.0 - beta2 ** step) / (1.0 - beta1 ** step))
    for p, g, (m, v) in zip(params, grads, state):
        m *= beta1
        m += np.float32(1.0 - beta1) * g
        v *= beta2
        g *= g
        v += np.float32(1.0 - beta2) * g
        g = np.sqrt(v, out=g)
        g += np.float32(eps)
        np.divide(m, g, out=g)
        g *= lr_t
        p -= g


def softmax_crossentropy_grad(z, y):
    """In z's place: dL/dz = (softmax(z) - onehot(y)) / n, L the mean cross-entropy on integer labels."""
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    z[np.arange(len(y)), y] -= 1.0
    z *= np.float32(1.0 / len(y))
    return z


def epochs(x, y, args, rng, train_step):
    """``train_step(xb, yb, step)`` over shuffled batches for ``args.epochs`` epochs (step counts
    from 1); returns each epoch's seconds."""
    n, bs, step, epoch_s = len(x), args.batch_size, 0, []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        idx = rng.permutation(n)
        for i in range(0, n, bs):
            b = idx[i:i + bs]
            step += 1
            train_step(x[b], y[b], step)
        epoch_s.append(time.perf_counter() - t0)
    return epoch_s


def thread_limit(n):
    """threadpoolctl's limit when importable, else nothing (the environment variables act)."""
    if n is None:
        return contextlib.nullcontext(), None
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext(), "env OPENBLAS_NUM_THREADS"
    return threadpool_limits(limits=n, user_api="blas"), "threadpoolctl"


def keep_freed_memory():
    """glibc only: keep freed memory in the heap instead of giving it back to the system.

    The LSTM's step frees ~20 MB of arrays; glibc then trims its heap, and the next step's arrays
    come from fresh pages, faulted in one 4 KB page at a time: ~3,500 page faults per step, 45% of
    the step (measured on W4: 4.2-4.4 s vs 2.85-2.96 s for 150 steps). deepbasics does not pay it
    (its longer-lived objects keep the heap from shrinking: 56,000 faults per run either way), so a
    floor should not either.
    """
    import ctypes
    import platform

    if platform.libc_ver()[0] == "glibc":
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: arrays up to 32 MB from the heap
        libc.mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD: give back only past 256 MB free


def main(description, workload, train, predict, import_s, onehot=False):
    """The worker: ``train(x, y, args) -> (model, epoch seconds)`` under the thread limit, then
    ``predict(model, x_test)`` for the test accuracy, and the result line."""
    args = _common.parse_args(description, workloads=(workload,))
    keep_freed_memory()
    (xtr, ytr, ytr_onehot), (xte, yte, _), data_s = _common.load_mnist(args)
    xtr, xte = _common.shaped(xtr, workload), _common.shaped(xte, workload)
    limit, how = thread_limit(args.threads)
    with limit:
        model, epoch_s = train(xtr, ytr_onehot if onehot else ytr, args)
        threads = {"requested": args.threads, "how": how, "blas_during_fit": _common._sysinfo.blas_threads()}
    acc = _common.accuracy(predict(model, xte), yte)
    _common.emit(args, "numpy", np.__version__, import_s, data_s, [_common.measure("train", epoch_s, acc)],
                 threads, numpy_blas=_common._sysinfo.numpy_blas())
