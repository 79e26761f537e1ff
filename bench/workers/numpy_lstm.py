"""W4 by hand in NumPy, float32: the floor a NumPy library can hope to reach on the LSTM.

LSTM(128) over the 28 rows of an image, then Dense(10), softmax cross-entropy on integer
labels, Adam (Keras's form, epsilon 1e-7), batch 128; Keras's initial values (Glorot-uniform
kernels, orthogonal recurrent kernel, zero biases with the forget gate's at 1).

Written for speed, with every trick we know and no generality: the state is kept gate-major,
(units, batch), so that each gate is one contiguous block and the element-wise work runs on
whole blocks; the bias rides in the input GEMM as a row of ones; the sigmoid gates' z / 2 is
folded into their weights, so one tanh call activates all four gates (sigmoid(z) =
tanh(z / 2) / 2 + 1/2). Per step the forward is one GEMM and 9 element-wise calls, the
backward one GEMM and about 14; all weight gradients are GEMMs over every step at once.

With --threads N, BLAS is limited to N threads (threadpoolctl if importable).
"""
import contextlib
import time

_T0 = time.perf_counter()
import numpy as np  # noqa: E402

IMPORT_S = time.perf_counter() - _T0

import _common  # noqa: E402

UNITS, STEPS, FEATURES, CLASSES = 128, 28, 28, 10
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-7


def glorot_uniform(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)


def orthogonal(rng, rows, cols):
    q, r = np.linalg.qr(rng.normal(size=(max(rows, cols), min(rows, cols))))
    q *= np.sign(np.diag(r))
    return (q.T if rows < cols else q).astype(np.float32)


def init(rng):
    """[W with the bias as its last row (features + 1, 4 units), U (units, 4 units), Dense W, Dense b]."""
    n = UNITS
    wb = np.zeros((FEATURES + 1, 4 * n), np.float32)
    wb[:FEATURES] = glorot_uniform(rng, FEATURES, 4 * n)
    wb[FEATURES, n:2 * n] = 1.0  # unit_forget_bias
    return [wb, orthogonal(rng, n, 4 * n), glorot_uniform(rng, n, CLASSES), np.zeros(CLASSES, np.float32)]


HALF = np.ones((4 * UNITS, 1), np.float32)
HALF[:2 * UNITS] = HALF[3 * UNITS:] = 0.5  # the sigmoid gates' rows: i, f, o


def lstm_forward(x, wb, u):
    """x (batch, steps, features) -> h_T (units, batch) and what the backward needs."""
    batch, steps, n = x.shape[0], x.shape[1], UNITS
    x1 = np.empty((steps, FEATURES + 1, batch), np.float32)  # x_t^T with a row of ones under it
    x1[:, :FEATURES] = x.transpose(1, 2, 0)
    x1[:, FEATURES] = 1.0
    gates = np.matmul(wb.T * HALF, x1)  # (steps, 4 units, batch): z_t^T, sigmoid rows halved
    uh = np.ascontiguousarray(u.T) * HALF  # (4 units, units)
    hs = np.zeros((n, steps + 1, batch), np.float32)  # unit-major: hs[:, :steps] is one GEMM operand
    cs = np.zeros((steps + 1, n, batch), np.float32)
    tc = np.empty((steps, n, batch), np.float32)
    ig = np.empty((n, batch), np.float32)
    for t in range(steps):
        z = gates[t]
        z += uh @ hs[:, t]
        np.tanh(z, out=z)
        for s in (z[:2 * n], z[3 * n:]):  # sigmoid = tanh / 2 + 1/2
            s *= 0.5
            s += 0.5
        i, f, g, o = z[:n], z[n:2 * n], z[2 * n:3 * n], z[3 * n:]
        np.multiply(f, cs[t], out=cs[t + 1])
        cs[t + 1] += np.multiply(i, g, out=ig)
        np.tanh(cs[t + 1], out=tc[t])
        np.multiply(o, tc[t], out=hs[:, t + 1])
    return hs[:, steps], (x1, gates, hs, cs, tc)


def lstm_backward(dh, saved, u):
    """dL/dh_T (units, batch) -> dL/d[W; b], dL/dU."""
    x1, gates, hs, cs, tc = saved
    steps, batch, n = gates.shape[0], gates.shape[2], UNITS
    dz = np.empty((4 * n, steps, batch), np.float32)  # gate-major: one GEMM operand for every step
    d = np.empty((4 * n, batch), np.float32)
    deriv = np.empty((4 * n, batch), np.float32)
    dc = np.zeros((n, batch), np.float32)
    for t in range(steps - 1, -1, -1):
        y = gates[t]
        i, f, g, o = y[:n], y[n:2 * n], y[2 * n:3 * n], y[3 * n:]
        dc += dh * o * (1.0 - tc[t] * tc[t])
        np.multiply(dc, g, out=d[:n])
        np.multiply(dc, cs[t], out=d[n:2 * n])
        np.multiply(dc, i, out=d[2 * n:3 * n])
        np.multiply(dh, tc[t], out=d[3 * n:])
        np.multiply(y, y, out=deriv)  # sigmoid' = y - y^2, tanh' = 1 - y^2
        np.subtract(1.0, deriv[2 * n:3 * n], out=deriv[2 * n:3 * n])
        np.subtract(y[:2 * n], deriv[:2 * n], out=deriv[:2 * n])
        np.subtract(y[3 * n:], deriv[3 * n:], out=deriv[3 * n:])
        d *= deriv
        dz[:, t] = d
        dc *= f
        dh = u @ d
    dz2 = dz.reshape(4 * n, steps * batch)
    gu = hs[:, :steps].reshape(n, steps * batch) @ dz2.T
    gwb = x1.transpose(1, 0, 2).reshape(FEATURES + 1, steps * batch) @ dz2.T
    return gwb, gu


def train_step(params, state, xb, yb, step):
    wb, u, w2, b2 = params
    h, saved = lstm_forward(xb, wb, u)  # h: (units, batch)
    z = (w2.T @ h).T  # (batch, classes)
    z += b2
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    z[np.arange(len(yb)), yb] -= 1.0
    z *= np.float32(1.0 / len(yb))  # dL/dlogits = (p - onehot) / n
    grads = [None, None, h @ z, z.sum(axis=0)]
    grads[0], grads[1] = lstm_backward(w2 @ z.T, saved, u)
    lr_t = np.float32(LR * np.sqrt(1.0 - BETA2 ** step) / (1.0 - BETA1 ** step))
    for p, g, (m, v) in zip(params, grads, state):
        m *= BETA1
        m += np.float32(1.0 - BETA1) * g
        v *= BETA2
        g *= g
        v += np.float32(1.0 - BETA2) * g
        g = np.sqrt(v, out=g)
        g += np.float32(EPS)
        np.divide(m, g, out=g)
        g *= lr_t
        p -= g


def train(x, y, args):
    rng = np.random.default_rng(args.seed)
    params = init(rng)
    state = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    n, bs, step = len(x), args.batch_size, 0
    epoch_s = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        idx = rng.permutation(n)
        for i in range(0, n, bs):
            b = idx[i:i + bs]
            step += 1
            train_step(params, state, x[b], y[b], step)
        epoch_s.append(time.perf_counter() - t0)
    return params, epoch_s


def predict(params, x, batch_size=1024):
    wb, u, w2, b2 = params
    return np.concatenate([(w2.T @ lstm_forward(x[i:i + batch_size], wb, u)[0]).T + b2
                           for i in range(0, len(x), batch_size)])


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
    args = _common.parse_args(__doc__, workloads=("W4",))
    (xtr, ytr, _), (xte, yte, _), data_s = _common.load_mnist(args)
    xtr, xte = _common.shaped(xtr, "W4"), _common.shaped(xte, "W4")
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
