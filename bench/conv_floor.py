"""W3's floor for any im2col CNN in NumPy: the work a training step cannot avoid, timed piece by
piece at the step's exact shapes (batch 128), and what it adds up to per epoch (469 steps).

    python bench/conv_floor.py [--repeat 30]

The pieces: the patch copies (im2col) of both convs, every GEMM of the forward and backward
(conv GEMMs only over the rows a 2x2 pool reads: 26x26 and 10x10 of 11x11), the second conv's
input gradient added back onto its input (col2im: one GEMM and one strided add per kernel
offset), both 2x2 max-pools (three maximums forward; backward, the gradient sent to each
window's maximum: a compare and a multiply per pool offset), ReLU and its gradient on the pooled
outputs, and Adam's update of W3's 225,034 parameters. Not counted: biases, softmax, the dense
layers' ReLU, anything of the framework. A NumPy CNN that builds patches cannot train an epoch
faster than this total; compare it with a compiled framework's epoch (Keras on TensorFlow
convolves without materialising patches).
"""
import argparse
import os
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "workers"))
from _by_hand import adam  # noqa: E402

STEPS_PER_EPOCH = 469  # 60,000 images in batches of 128


def patches(x, out):
    """(batch * out * out, 9 * channels) 3x3 patches of x (batch, h, w, c) for the first out x out
    outputs, the faster way for the channels: one copy from the window view for many channels
    (runs of c values), one copy per kernel offset for one channel (2.2 vs 0.5 ms at W3's conv1)."""
    cols = np.empty((x.shape[0], out, out, 3, 3, x.shape[3]), np.float32)
    if x.shape[3] >= 8:
        view = sliding_window_view(x, (3, 3), axis=(1, 2))[:, :out, :out]  # (n, out, out, c, 3, 3)
        np.copyto(cols, view.transpose(0, 1, 2, 4, 5, 3))
    else:
        for i, j in np.ndindex(3, 3):
            cols[:, :, :, i, j] = x[:, i:i + out, j:j + out]
    return cols.reshape(-1, 9 * x.shape[3])


def col2im(dz, kernels, shape, out):
    """sum over kernel offsets of dz W_offset^T, added where that offset read (shape: the input's)."""
    dx = np.zeros(shape, np.float32)
    for k, (i, j) in enumerate(np.ndindex(3, 3)):
        target = dx[:, i:i + out, j:j + out]
        target += (dz @ kernels[k]).reshape(target.shape)
    return dx


def max_pool(z):
    """The maximum over a 2x2 pool's four offsets (z: (4, *pooled), pool-major as the GEMMs give)."""
    y = np.maximum(z[0], z[1])
    np.maximum(y, z[2], out=y)
    np.maximum(y, z[3], out=y)
    return y


def max_pool_grad(g, z, y):
    """g sent to each window's maximum: (4, *pooled), zero where an offset did not win (the mask
    as floats first: NumPy multiplies by a bool array slowly)."""
    dz = np.empty(z.shape, z.dtype)
    for k in range(4):
        np.copyto(dz[k], z[k] == y)
        dz[k] *= g
    return dz


def relu_both_ways(y, g):
    """ReLU in place and its gradient g * 1[y > 0]."""
    np.maximum(y, 0, out=y)
    mask = (y > 0).astype(g.dtype)
    mask *= g
    return mask


def pieces(rng, batch=128):
    f = np.float32
    x = rng.random((batch, 28, 28, 1), dtype=f)
    h1 = rng.random((batch, 13, 13, 32), dtype=f)  # the first block's pooled output
    w1, w2 = rng.standard_normal((9, 32), dtype=f), rng.standard_normal((288, 64), dtype=f)
    wd1, wd2 = rng.standard_normal((1600, 128), dtype=f), rng.standard_normal((128, 10), dtype=f)
    c1, c2 = patches(x, 26), patches(h1, 10)
    dz1, dz2 = rng.standard_normal((len(c1), 32), dtype=f), rng.standard_normal((len(c2), 64), dtype=f)
    a, g = rng.random((batch, 1600), dtype=f), rng.standard_normal((batch, 128), dtype=f)
    a2, g2 = rng.random((batch, 128), dtype=f), rng.standard_normal((batch, 10), dtype=f)
    kernels = np.ascontiguousarray(w2.reshape(9, 32, 64).transpose(0, 2, 1))
    z1, z2 = rng.standard_normal((4, batch, 13, 13, 32), dtype=f), rng.standard_normal((4, batch, 5, 5, 64), dtype=f)
    y1, y2 = max_pool(z1), max_pool(z2)
    gp1, gp2 = rng.standard_normal(y1.shape, dtype=f), rng.standard_normal(y2.shape, dtype=f)
    r1, r2 = y1.copy(), y2.copy()  # ReLU's input (in place: its later calls see no negatives, as fast)
    params = [w1, np.zeros(32, f), w2, np.zeros(64, f), wd1, np.zeros(128, f), wd2, np.zeros(10, f)]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    grads = [rng.standard_normal(p.shape, dtype=f) * f(1e-3) for p in params]
    return {
        "im2col conv1 (86528 x 9)": lambda: patches(x, 26),
        "im2col conv2 (12800 x 288)": lambda: patches(h1, 10),
        "GEMM conv1 forward": lambda: c1 @ w1,
        "GEMM conv2 forward": lambda: c2 @ w2,
        "GEMM dense forward (2)": lambda: (a @ wd1, a2 @ wd2),
        "GEMM conv1 dW": lambda: c1.T @ dz1,
        "GEMM conv2 dW": lambda: c2.T @ dz2,
        "conv2 dx: col2im (9 GEMMs + adds)": lambda: col2im(dz2, kernels, (batch, 13, 13, 32), 10),
        "GEMM dense backward (4)": lambda: (a.T @ g, g @ wd1.T, a2.T @ g2, g2 @ wd2.T),
        "max-pool forward (both)": lambda: (max_pool(z1), max_pool(z2)),
        "max-pool backward (both)": lambda: (max_pool_grad(gp1, z1, y1), max_pool_grad(gp2, z2, y2)),
        "ReLU and its gradient (pooled, both)": lambda: (relu_both_ways(r1, gp1), relu_both_ways(r2, gp2)),
        "Adam (225,034 parameters)": lambda: adam(params, [gr.copy() for gr in grads], moments, 1),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=30, help="timed calls per piece (the median is kept)")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error(f"--repeat must be a positive integer, received {args.repeat}")
    timings = {}
    for name, fn in pieces(np.random.default_rng(0)).items():
        fn()
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        timings[name] = float(np.median(times)) * 1e3
    width = max(map(len, timings))
    for name, ms in timings.items():
        print(f"{name:<{width}}  {ms:7.2f} ms")
    total = sum(timings.values())
    print(f"{'per step':<{width}}  {total:7.2f} ms  ->  {total * STEPS_PER_EPOCH / 1e3:.2f} s per epoch of W3")


if __name__ == "__main__":
    main()
