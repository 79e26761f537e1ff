"""W1 by hand in NumPy, float32: the floor a NumPy library can hope to reach.

Glorot-uniform weights and zero biases (Keras's defaults), shuffled index per epoch,
x[idx[i:i+32]] slices, and the fused softmax + cross-entropy gradient:

    h = relu(x W1 + b1);  p = softmax(h W2 + b2);  L = -sum(y log p) / n
    dz2 = (p - y) / n;  dW2 = h^T dz2;  dh = dz2 W2^T * 1[h > 0];  dW1 = x^T dh

With --threads N, BLAS is limited to N threads (threadpoolctl if importable; the parent also
sets OPENBLAS_NUM_THREADS etc. in this process's environment).
"""
import time

_T0 = time.perf_counter()
import numpy as np  # noqa: E402

IMPORT_S = time.perf_counter() - _T0

import _by_hand  # noqa: E402
from _by_hand import glorot_uniform  # noqa: E402

LR = 0.01  # W1's SGD learning rate


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
    return params, _by_hand.epochs(x, y, args, rng, lambda xb, yb, step: train_step(params, xb, yb, lr))


def predict(params, x):
    w1, b1, w2, b2 = params
    return np.maximum(x @ w1 + b1, 0.0) @ w2 + b2


if __name__ == "__main__":
    _by_hand.main(__doc__, "W1", train, predict, IMPORT_S, onehot=True)
