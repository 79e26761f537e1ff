"""W4 by hand in NumPy, float32: the floor a NumPy library can hope to reach on the LSTM.

LSTM(128) over the 28 rows of an image, then Dense(10), softmax cross-entropy on integer
labels, Adam (Keras's form, epsilon 1e-7), batch 128; Keras's initial values (Glorot-uniform
kernels, orthogonal recurrent kernel, zero biases with the forget gate's at 1).

Written for speed, with no generality: the same algorithm as deepbasics' LSTM op, without the
framework around it. Time-major (steps, batch, 4 units) gates; the bias rides in the input GEMM
as a column of ones; the sigmoid gates' z / 2 is folded into their weights, so one tanh call
activates all four gates (sigmoid(z) = tanh(z / 2) / 2 + 1/2). Per step the forward is one GEMM
and 8 element-wise calls, the backward one GEMM and 14; the weight gradients are one GEMM each
over every step at once. (A gate-major layout, (units, batch), each gate one contiguous block and
its forward GEMM 20% faster, was measured 3-10% slower end to end: 9.9-12.3 s against this
layout's 9.3-11.9 s per epoch, three runs each, alternating.)

With --threads N, BLAS is limited to N threads (threadpoolctl if importable).
"""
import time

_T0 = time.perf_counter()
import numpy as np  # noqa: E402

IMPORT_S = time.perf_counter() - _T0

import _by_hand  # noqa: E402
from _by_hand import glorot_uniform  # noqa: E402

UNITS, STEPS, FEATURES, CLASSES = 128, 28, 28, 10


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


HALF = np.ones(4 * UNITS, np.float32)
HALF[:2 * UNITS] = HALF[3 * UNITS:] = 0.5  # the sigmoid gates' columns: i, f, o


def lstm_forward(x, wb, u):
    """x (batch, steps, features) -> h_T (batch, units) and what the backward needs."""
    batch, steps, n = x.shape[0], x.shape[1], UNITS
    x1 = np.empty((steps, batch, FEATURES + 1), np.float32)  # time-major x_t with a column of ones
    x1[..., :FEATURES] = x.transpose(1, 0, 2)
    x1[..., FEATURES] = 1.0
    gates = (x1.reshape(steps * batch, -1) @ (wb * HALF)).reshape(steps, batch, 4 * n)  # z_t, sigmoid columns halved
    uh = u * HALF
    hs = np.zeros((steps + 1, batch, n), np.float32)
    cs = np.zeros((steps + 1, batch, n), np.float32)
    tc = np.empty((steps, batch, n), np.float32)
    half, shift = np.broadcast_to(HALF, (batch, 4 * n)).copy(), np.broadcast_to(1.0 - HALF, (batch, 4 * n)).copy()
    ig = np.empty((batch, n), np.float32)
    for t in range(steps):
        z = gates[t]
        z += hs[t] @ uh
        np.tanh(z, out=z)
        z *= half  # sigmoid = tanh / 2 + 1/2 on i, f, o; tanh on g
        z += shift
        np.multiply(z[:, n:2 * n], cs[t], out=cs[t + 1])
        cs[t + 1] += np.multiply(z[:, :n], z[:, 2 * n:3 * n], out=ig)
        np.tanh(cs[t + 1], out=tc[t])
        np.multiply(z[:, 3 * n:], tc[t], out=hs[t + 1])
    return hs[steps], (x1, gates, hs, cs, tc, shift)


def lstm_backward(dh, saved, u):
    """dL/dh_T (batch, units) -> dL/d[W; b], dL/dU."""
    x1, gates, hs, cs, tc, shift = saved
    steps, batch, n = gates.shape[0], gates.shape[1], UNITS
    dz = np.empty_like(gates)
    a, one_minus_a = 2.0 * shift, 1.0 - 2.0 * shift  # y (a - y) + 1 - a: y (1 - y) on sigmoid gates, 1 - y^2 on tanh's
    deriv = np.empty((batch, 4 * n), np.float32)
    ut = np.ascontiguousarray(u.T)
    dc = np.zeros((batch, n), np.float32)
    for t in range(steps - 1, -1, -1):
        y = gates[t]
        i, f, g, o = y[:, :n], y[:, n:2 * n], y[:, 2 * n:3 * n], y[:, 3 * n:]
        dc += dh * o * (1.0 - tc[t] * tc[t])
        d = dz[t]
        np.multiply(dc, g, out=d[:, :n])
        np.multiply(dc, cs[t], out=d[:, n:2 * n])
        np.multiply(dc, i, out=d[:, 2 * n:3 * n])
        np.multiply(dh, tc[t], out=d[:, 3 * n:])
        np.subtract(a, y, out=deriv)
        deriv *= y
        deriv += one_minus_a
        d *= deriv
        dc *= f
        dh = d @ ut
    dz2 = dz.reshape(steps * batch, 4 * n)
    gu = hs[:steps].reshape(steps * batch, n).T @ dz2
    gwb = x1.reshape(steps * batch, -1).T @ dz2
    return gwb, gu


def train_step(params, state, xb, yb, step):
    wb, u, w2, b2 = params
    h, saved = lstm_forward(xb, wb, u)  # h: (batch, units)
    z = h @ w2
    z += b2
    _by_hand.softmax_crossentropy_grad(z, yb)
    grads = [None, None, h.T @ z, z.sum(axis=0)]
    grads[0], grads[1] = lstm_backward(z @ w2.T, saved, u)
    _by_hand.adam(params, grads, state, step)


def train(x, y, args):
    rng = np.random.default_rng(args.seed)
    params = init(rng)
    state = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    return params, _by_hand.epochs(x, y, args, rng, lambda xb, yb, step: train_step(params, state, xb, yb, step))


def predict(params, x, batch_size=1024):
    wb, u, w2, b2 = params
    return np.concatenate([lstm_forward(x[i:i + batch_size], wb, u)[0] @ w2 + b2
                           for i in range(0, len(x), batch_size)])


if __name__ == "__main__":
    _by_hand.main(__doc__, "W4", train, predict, IMPORT_S)
