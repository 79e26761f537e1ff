"""W2 by hand in NumPy, float32: the floor a NumPy library can hope to reach on the wide MLP.

784-512-BN-relu-Dropout(0.2)-512-BN-relu-Dropout(0.2)-10 softmax, cross-entropy on integer
labels, Adam (Keras's form, epsilon 1e-7), batch 128; Keras's initial values (Glorot-uniform
kernels, zero biases, BatchNormalization gamma 1, beta 0, momentum 0.99, epsilon 1e-3).

Written for speed, with no generality, every array pass counted: the Dense biases are dropped
(BatchNormalization's mean removes them, so their gradient is zero: Keras still trains them, to
no effect), BatchNormalization's backward is the fused three-term formula, ReLU and dropout share
one mask, and Adam updates each parameter in place with one scratch array.

    z = x W;  zhat = (z - mean) / sqrt(var + eps);  y = gamma zhat + beta;  a = relu(y) * mask / 0.8
    dzhat = dy gamma;  dz = (dzhat - mean(dzhat) - zhat mean(dzhat zhat)) / sqrt(var + eps)
"""
import time

_T0 = time.perf_counter()
import numpy as np  # noqa: E402

IMPORT_S = time.perf_counter() - _T0

import _by_hand  # noqa: E402
from _by_hand import glorot_uniform  # noqa: E402

WIDTH, CLASSES, RATE = 512, 10, 0.2
BN_MOMENTUM, BN_EPS = 0.99, 1e-3


def init(rng):
    """Trainable [W1, gamma1, beta1, W2, gamma2, beta2, W3, b3] and BN's moving [mean, var] x 2."""
    ones, zeros = (lambda: np.ones(WIDTH, np.float32)), (lambda: np.zeros(WIDTH, np.float32))
    params = [glorot_uniform(rng, 784, WIDTH), ones(), zeros(), glorot_uniform(rng, WIDTH, WIDTH), ones(), zeros(),
              glorot_uniform(rng, WIDTH, CLASSES), np.zeros(CLASSES, np.float32)]
    return params, [zeros(), ones(), zeros(), ones()]


def bn_relu_dropout(z, gamma, beta, moving, keep):
    """Training-mode block on z (in place): returns a = relu(BN(z)) * mask / (1 - rate) and what
    the backward needs; updates the moving mean and variance."""
    mean, var = z.mean(axis=0), z.var(axis=0)
    for m, batch_value in zip(moving, (mean, var)):
        m *= BN_MOMENTUM
        m += (1.0 - BN_MOMENTUM) * batch_value
    inv = 1.0 / np.sqrt(var + BN_EPS)
    z -= mean
    z *= inv  # z is now zhat
    a = z * gamma
    a += beta
    mask = (a > 0) & keep  # relu and dropout, one mask
    a *= mask * np.float32(1.0 / (1.0 - RATE))
    return a, (z, inv, mask)


def bn_relu_dropout_backward(da, gamma, saved):
    """da -> (dz, dgamma, dbeta)."""
    zhat, inv, mask = saved
    dy = da * (mask * np.float32(1.0 / (1.0 - RATE)))
    dbeta = dy.sum(axis=0)
    dgamma = (dy * zhat).sum(axis=0)
    n = len(dy)
    dz = dy * gamma  # dzhat
    dz -= dbeta * gamma / n
    dz -= zhat * (dgamma * gamma / n)
    dz *= inv
    return dz, dgamma, dbeta


def gradients(params, moving, xb, yb, keeps):
    w1, g1, be1, w2, g2, be2, w3, b3 = params
    a1, s1 = bn_relu_dropout(xb @ w1, g1, be1, moving[:2], keeps[0])
    a2, s2 = bn_relu_dropout(a1 @ w2, g2, be2, moving[2:], keeps[1])
    z = a2 @ w3
    z += b3
    _by_hand.softmax_crossentropy_grad(z, yb)
    dw3, db3 = a2.T @ z, z.sum(axis=0)
    dz2, dg2, dbe2 = bn_relu_dropout_backward(z @ w3.T, g2, s2)
    dw2 = a1.T @ dz2
    dz1, dg1, dbe1 = bn_relu_dropout_backward(dz2 @ w2.T, g1, s1)
    dw1 = xb.T @ dz1
    return [dw1, dg1, dbe1, dw2, dg2, dbe2, dw3, db3]


def train(x, y, args):
    rng = np.random.default_rng(args.seed)
    params, moving = init(rng)
    state = [(np.zeros_like(p), np.zeros_like(p)) for p in params]

    def train_step(xb, yb, step):
        keeps = [rng.random((len(xb), WIDTH), dtype=np.float32) >= RATE for _ in range(2)]
        _by_hand.adam(params, gradients(params, moving, xb, yb, keeps), state, step)

    return (params, moving), _by_hand.epochs(x, y, args, rng, train_step)


def predict(model, x):
    (w1, g1, be1, w2, g2, be2, w3, b3), moving = model
    a = x
    for w, gamma, beta, (mean, var) in ((w1, g1, be1, moving[:2]), (w2, g2, be2, moving[2:])):
        a = np.maximum((a @ w - mean) / np.sqrt(var + BN_EPS) * gamma + beta, 0.0)
    return a @ w3 + b3


if __name__ == "__main__":
    _by_hand.main(__doc__, "W2", train, predict, IMPORT_S)
