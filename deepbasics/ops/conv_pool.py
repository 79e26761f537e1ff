"""A convolution and the max-pooling that follows it, as one op.

Max pooling reads every conv output once more, in windows, and its gradient is zero except at
one element per window. Done as two ops in NumPy, that means strided passes over the largest
array of a CNN (the first conv's output) in the forward and backward, and a ReLU mask over all
of it. Together:

- the patches are laid out pool-major (each pool offset's rows one block), so the GEMM's output
  is already (pool offset, batch, *pooled, filters) and the pool is a maximum over contiguous
  blocks;
- ReLU (or the identity) is applied after the pool: f(max z) = max f(z) for a non-decreasing f,
  and its gradient at the winner is the same, so f and f' run on the 4x smaller output;
- conv outputs that no window covers ('valid' pooling of an odd size drops the last row and
  column) are never computed.

Values and gradients equal Conv then MaxPool (tests/ops/test_conv_pool.py), ties included: the
gradient goes to the first maximum of each window, row-major.
"""
import math

import numpy as np

from deepbasics.autodiff import Function
from deepbasics.ops.activation import activate_inplace, activation_grad
from deepbasics.ops.conv import (batch_major, check_window_fits, col2im, im2col, kernel_rows, offset_kernels,
                                 pad, pad_amounts, per_axis, split_kernel_rows, unpad)

ACTIVATIONS = (None, "relu")  # non-decreasing, so they commute with max (tanh would too, up to rounding)


class ConvMaxPool(Function):
    """y = f(max over each pool window of (P W + b)),  P = im2col(pad(x)) with pool-major rows.

    With Z = P W + b as (K pool offsets, rows) and k* each window's first maximal offset:
    g = gy f'(y);  dZ_k = g 1[k = k*];  dW, db = sum_k P_k^T dZ_k (a GEMM per pool offset);
    dx = col2im(dZ W^T), with dZ put back in the batch-major row order col2im reads.
    """

    def __init__(self, strides, padding, dilation, pool, activation=None):
        if activation not in ACTIVATIONS:
            raise ValueError(f"ConvMaxPool: activation must be one of {ACTIVATIONS}, received {activation!r}")
        self.strides, self.padding, self.dilation = tuple(strides), padding, tuple(dilation)
        self.pool, self.activation = tuple(pool), activation

    def forward(self, x, w, b=None):
        window, spatial, f = w.shape[:-2], x.shape[1:-1], w.shape[-1]
        conv_out = check_window_fits(spatial, window, self.padding, self.strides, self.dilation, "conv")
        pooled = check_window_fits(conv_out, self.pool, "valid", self.pool, (1,) * len(self.pool), "pooling",
                                   "pool_size")
        self.covered = tuple(o * p for o, p in zip(pooled, self.pool))
        self.pads = [pad_amounts(n, k, self.padding, s, d)
                     for n, k, s, d in zip(spatial, window, self.strides, self.dilation)]
        xp = pad(x, self.pads)
        self.x_shape, self.padded_shape, self.has_bias = x.shape, xp.shape, b is not None
        cols = im2col(xp, window, self.strides, self.dilation, self.covered, ones_column=b is not None,
                      pool=self.pool)
        wb = kernel_rows(w, b)
        # one pool offset's block of rows at a time, so that each block's GEMM output is
        # consumed while it is in cache; a later offset wins a window only if strictly greater,
        # so the winner is the first maximum, and it is the last offset that won
        blocks = _row_blocks(cols, math.prod(self.pool))
        shape = (x.shape[0],) + pooled + (f,)
        y = (blocks[0] @ wb).reshape(shape)
        track = True in self.needs_input_grad  # inference needs no winners
        winner = np.zeros(shape, dtype=np.min_scalar_type(len(blocks) - 1)) if track else None
        for k, block in enumerate(blocks[1:], start=1):
            z = (block @ wb).reshape(shape)
            if track:
                won = np.greater(z, y).view(np.uint8).astype(winner.dtype, copy=False)
                won *= k  # k where this offset took the lead, else 0
                np.maximum(winner, won, out=winner)
            np.maximum(y, z, out=y)
        activate_inplace(y, self.activation)
        self.save_for_backward(cols, w, winner, y if self.activation else None)
        return y

    def backward(self, gy):
        cols, w, winner, y = self.saved
        window, f = w.shape[:-2], w.shape[-1]
        g = activation_grad(gy, y, self.activation)
        needs = self.needs_input_grad
        weights = needs[1] or (self.has_bias and needs[2])
        blocks = _row_blocks(cols, math.prod(self.pool))
        # dZ block by block (pool-major, as cols' rows), each used by the weight GEMM while in
        # cache; kept whole only when col2im needs it for dx
        dz = np.empty((len(blocks),) + g.shape, dtype=g.dtype) if needs[0] else None
        gwb = None
        for k, block in enumerate(blocks):
            d = dz[k] if dz is not None else np.empty_like(g)
            np.copyto(d, winner == k)  # the mask as floats first: NumPy multiplies by bools slowly
            d *= g
            if weights:
                part = block.T @ d.reshape(-1, f)  # (K [+ 1], f): the last row is db when there is a bias
                gwb = part if gwb is None else np.add(gwb, part, out=gwb)
        gw, gb = split_kernel_rows(gwb, w.shape, self.has_bias) if weights else (None, None)
        gx = None
        if needs[0]:
            rows = batch_major(dz.reshape(self.pool + g.shape), self.pool).reshape(-1, f)
            dxp = col2im(rows, offset_kernels(w), self.padded_shape, window, self.strides, self.dilation, self.covered)
            gx = unpad(dxp, self.pads, self.x_shape)
        return gx, gw, gb


def _row_blocks(a, k):
    """``a`` cut into ``k`` equal blocks of rows (views; ``np.split`` costs more calls)."""
    rows = len(a) // k
    return [a[i * rows:(i + 1) * rows] for i in range(k)]


def conv_max_pool(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, pool_size=2,
                  activation=None):
    """max_pool(activation(conv(x, kernel) + bias), pool_size) as one node; the pool's strides
    are its size and its padding 'valid' (Keras's MaxPooling defaults)."""
    nd = len(kernel.shape) - 2
    return ConvMaxPool(per_axis(strides, nd), padding, per_axis(dilation_rate, nd), per_axis(pool_size, nd),
                       activation)(x, kernel, bias)
