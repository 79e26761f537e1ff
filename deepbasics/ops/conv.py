"""Convolution as a matrix product: im2col on a window view, col2im by scatter-add.

Forward: one GEMM of the patches (im2col) with the kernel. Backward: the kernel (and bias)
gradient in one GEMM; the input gradient by col2im, one GEMM block per kernel offset added back
where that offset read. Channels last: x (batch, *spatial, in), kernel (*kernel_size, in, out),
one or two spatial axes (Conv1D, Conv2D). Also the transposed convolution and zero padding.
The geometry helpers (output length, Keras/TF padding, the slice each kernel offset reads) are
shared with ``pooling.py``.
"""
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from deepbasics.autodiff import Function
from deepbasics.ops.activation import FUSED_ACTIVATIONS, activate_inplace, activation_grad

PADDINGS = ("valid", "same", "causal")
FEW_CHANNELS = 8  # below this, im2col copies per kernel offset (longer contiguous runs)
SMALL = 1 << 16  # ... unless the patches are few (a single image): one copy costs fewer calls


# -- geometry ------------------------------------------------------------------------------------
def conv_output_length(length, kernel, padding, stride=1, dilation=1):
    """Keras's rule: 'valid' floor((L - (k-1)d - 1) / s) + 1; 'same' and 'causal' ceil(L / s).

    ``None`` (an unknown length) stays None. A result below 1 is returned as is: callers raise.
    """
    if length is None:
        return None
    if padding == "valid":
        return (length - (kernel - 1) * dilation - 1) // stride + 1
    return (length - 1) // stride + 1


def pad_amounts(length, kernel, padding, stride=1, dilation=1):
    """(before, after) zeros along one axis. 'same' is TensorFlow's rule: the total
    max((out - 1) s + (k-1)d + 1 - L, 0), the odd one going after; 'causal' pads (k-1)d before."""
    span = (kernel - 1) * dilation + 1
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return span - 1, 0
    out = conv_output_length(length, kernel, padding, stride, dilation)
    total = max((out - 1) * stride + span - length, 0)
    return total // 2, total - total // 2


def check_window_fits(spatial, window, padding, strides, dilation, who, what="window"):
    """The output sizes, or a ValueError naming the sizes when a 'valid' window overhangs."""
    out = tuple(conv_output_length(n, k, padding, s, d) for n, k, s, d in zip(spatial, window, strides, dilation))
    if any(o is not None and o < 1 for o in out):
        span = tuple((k - 1) * d + 1 for k, d in zip(window, dilation))
        dilated = f" (dilated to {span})" if span != tuple(window) else ""
        raise ValueError(
            f"{who}: the {what} {tuple(window)}{dilated} is larger than the input's spatial size "
            f"{tuple(spatial)} with padding='valid', so the output would have size {out}. "
            f"Use padding='same', a smaller {what}, or a larger input.")
    return out


def per_axis(value, nd):
    """An int, or one value per spatial axis, as a tuple of ``nd`` values."""
    return tuple(value) if isinstance(value, (tuple, list)) else (int(value),) * nd


def pad(x, pads, value=0.0):
    """x with ``pads`` ((before, after) per spatial axis) of ``value`` around its spatial axes."""
    if not any(a or b for a, b in pads):
        return x
    shape = (x.shape[0],) + tuple(n + a + b for n, (a, b) in zip(x.shape[1:-1], pads)) + (x.shape[-1],)
    xp = np.full(shape, value, dtype=x.dtype)
    xp[interior(pads, x.shape)] = x
    return xp


def interior(pads, shape):
    """The index of the unpadded values (of ``shape``) inside the padded array."""
    return (slice(None),) + tuple(slice(a, a + n) for (a, _), n in zip(pads, shape[1:-1])) + (slice(None),)


def unpad(xp, pads, shape):
    """The values of ``xp`` inside ``pads``: the gradient of ``pad`` (no copy when nothing was padded)."""
    return xp[interior(pads, shape)] if xp.shape != tuple(shape) else xp


def kernel_rows(w, b=None):
    """The kernel as a GEMM's (K, filters) matrix, with ``b`` as one more row when given (it meets
    im2col's column of ones)."""
    wb = w.reshape(-1, w.shape[-1])
    return wb if b is None else np.concatenate([wb, b.reshape(1, -1).astype(wb.dtype, copy=False)])


def split_kernel_rows(gwb, w_shape, has_bias):
    """``kernel_rows``'s gradient back as (dW in the kernel's shape, db or None)."""
    return (gwb[:-1] if has_bias else gwb).reshape(w_shape), (gwb[-1] if has_bias else None)


def offset_kernels(w):
    """W_offset^T for each kernel offset, (prod(window), filters, channels): what col2im multiplies by."""
    return np.ascontiguousarray(w.reshape(-1, w.shape[-2], w.shape[-1]).transpose(0, 2, 1))


def offset_slices(window, strides, dilation, out):
    """For each kernel offset (row-major), the index of the padded input values it reads:
    along each axis, positions i*d + o*s for the outputs o."""
    for offset in np.ndindex(*window):
        yield (slice(None),) + tuple(
            slice(i * d, i * d + (o - 1) * s + 1, s) for i, d, o, s in zip(offset, dilation, out, strides)
        ) + (slice(None),)


# -- im2col and col2im ---------------------------------------------------------------------------
def im2col(xp, window, strides, dilation, out, ones_column=False, pool=None):
    """(batch * prod(out), prod(window) * channels) patches of the padded input, rows in the
    order (batch, *out), columns in the kernel's order (*window, channels); with
    ``ones_column`` one more column of ones, so that a bias row rides along in the GEMM.
    With ``pool`` (a window that tiles ``out``) the rows are in pool-major order instead,
    (*pool, batch, *out / pool): each pool offset's outputs are one contiguous block."""
    n, c, nd = xp.shape[0], xp.shape[-1], len(window)
    k = math.prod(window) * c
    cols = np.empty((n * math.prod(out), k + ones_column), dtype=xp.dtype)
    if ones_column:
        cols[:, k] = 1
    rows = (n,) + tuple(out)
    if pool is not None:
        rows = tuple(pool) + (n,) + tuple(o // p for o, p in zip(out, pool))
    patches = cols[:, :k].reshape(rows + tuple(window) + (c,))  # a view of cols
    arrange = (lambda a: pool_major(a, pool)) if pool is not None else (lambda a: a)
    if c >= FEW_CHANNELS or cols.size < SMALL:  # one copy from the window view: runs of c values
        spans = tuple((w - 1) * d + 1 for w, d in zip(window, dilation))
        view = sliding_window_view(xp, spans, axis=tuple(range(1, nd + 1)))  # (n, *P, c, *spans)
        view = view[(slice(None),) + tuple(slice(None, (o - 1) * s + 1, s) for o, s in zip(out, strides))
                    + (slice(None),) + tuple(slice(None, None, d) for d in dilation)]
        view = view.transpose((0, *range(1, nd + 1), *range(nd + 2, 2 * nd + 2), nd + 1))  # (n, *out, *window, c)
        np.copyto(patches, arrange(view))
    else:  # one copy per kernel offset
        for offset, index in zip(np.ndindex(*window), offset_slices(window, strides, dilation, out)):
            patches[(slice(None),) * len(rows) + offset] = arrange(xp[index])
    return cols


def pool_major(a, pool):
    """(n, *out, *rest) -> (*pool, n, *out / pool, *rest), a view: each spatial axis split into
    (pooled, offset) and the pool offsets moved in front."""
    nd = len(pool)
    split = (a.shape[0],) + sum(((o // p, p) for o, p in zip(a.shape[1:nd + 1], pool)), ()) + a.shape[nd + 1:]
    a = a.reshape(split)
    offsets, pooled = tuple(range(2, 2 * nd + 1, 2)), tuple(range(1, 2 * nd, 2))
    return a.transpose(offsets + (0,) + pooled + tuple(range(2 * nd + 1, a.ndim)))


def batch_major(a, pool):
    """The inverse of ``pool_major`` as a contiguous array: (*pool, n, *pooled, c) -> (n, *out, c)."""
    nd = len(pool)
    order = (nd,) + sum(((nd + 1 + i, i) for i in range(nd)), ()) + (2 * nd + 1,)
    out = tuple(o * p for o, p in zip(a.shape[nd + 1:2 * nd + 1], pool))
    return np.ascontiguousarray(a.transpose(order)).reshape((a.shape[nd],) + out + (a.shape[-1],))


def col2im(rows, kernels, padded_shape, window, strides, dilation, out):
    """The adjoint of im2col, fused with its GEMM: for each kernel offset, ``rows @ kernel``
    ((batch * prod(out), k) @ (k, channels)) is added back onto the padded input positions that
    offset read. One block at a time, added while it is still in cache."""
    dxp = np.zeros(padded_shape, dtype=rows.dtype)
    for kernel, index in zip(kernels, offset_slices(window, strides, dilation, out)):
        target = dxp[index]
        np.add(target, (rows @ kernel).reshape(target.shape), out=target)
    return dxp


# -- the ops -------------------------------------------------------------------------------------
class Conv(Function):
    """y = f(P W + b),  P = im2col(pad(x)) (one row per output position), W = kernel as (K, out).

    With g = gy f'(.) (relu: 1[y > 0]; tanh: 1 - y^2):  dW = P^T g and db = sum_rows g, both
    from one GEMM (b is a row of W against a column of ones in P);  dx = col2im(g W^T): each
    kernel offset's block g W_offset^T is added back where that offset read x (one GEMM per
    offset, measured faster than one GEMM and a strided scatter). dx is skipped when x needs no
    gradient (the first layer's images).
    """

    def __init__(self, strides, padding, dilation, activation=None):
        if padding not in PADDINGS:
            raise ValueError(f"Conv: padding must be one of {PADDINGS}, received {padding!r}")
        if activation not in FUSED_ACTIVATIONS:
            raise ValueError(f"Conv: activation must be one of {FUSED_ACTIVATIONS}, received {activation!r}")
        self.strides, self.padding, self.dilation = tuple(strides), padding, tuple(dilation)
        self.activation = activation

    def forward(self, x, w, b=None):
        window, spatial = w.shape[:-2], x.shape[1:-1]
        self.out = check_window_fits(spatial, window, self.padding, self.strides, self.dilation, "conv")
        self.pads = [pad_amounts(n, k, self.padding, s, d)
                     for n, k, s, d in zip(spatial, window, self.strides, self.dilation)]
        xp = pad(x, self.pads)
        self.x_shape, self.padded_shape, self.has_bias = x.shape, xp.shape, b is not None
        cols = im2col(xp, window, self.strides, self.dilation, self.out, ones_column=b is not None)
        y = cols @ kernel_rows(w, b)
        activate_inplace(y, self.activation)
        self.save_for_backward(cols, w, y if self.activation else None)
        return y.reshape((x.shape[0],) + self.out + (w.shape[-1],))

    def backward(self, gy):
        cols, w, y = self.saved
        window, f = w.shape[:-2], w.shape[-1]
        g = activation_grad(gy.reshape(-1, f), y, self.activation)
        needs = self.needs_input_grad
        gw = gb = gx = None
        if needs[1] or (self.has_bias and needs[2]):
            gw, gb = split_kernel_rows((g.T @ cols).T, w.shape, self.has_bias)
        if needs[0]:
            dxp = col2im(g, offset_kernels(w), self.padded_shape, window, self.strides, self.dilation, self.out)
            gx = unpad(dxp, self.pads, self.x_shape)
        return gx, gw, gb


def conv(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, activation=None):
    """activation(conv(x, kernel) + bias) as one node, over x's spatial axes (1 or 2).

    ``strides`` and ``dilation_rate``: an int or one per spatial axis; ``padding``: 'valid',
    'same' (TensorFlow's rule) or 'causal' (left padding, for sequences).
    """
    nd = len(kernel.shape) - 2
    return Conv(per_axis(strides, nd), padding, per_axis(dilation_rate, nd), activation)(x, kernel, bias)


def conv2d(x, kernel, bias=None, strides=(1, 1), padding="valid", dilation_rate=(1, 1), activation=None):
    """2-D convolution: x (batch, height, width, in), kernel (kh, kw, in, out)."""
    return conv(x, kernel, bias, strides, padding, dilation_rate, activation)


def conv1d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, activation=None):
    """1-D convolution: x (batch, steps, in), kernel (k, in, out)."""
    return conv(x, kernel, bias, strides, padding, dilation_rate, activation)


def transpose_output_length(length, kernel, padding, stride=1, dilation=1, output_padding=None):
    """Keras's deconv_output_length: 'valid' L s + max(k' - s, 0), 'same' L s, with k' = (k-1)d + 1;
    with ``output_padding`` p: (L - 1) s + k' - 2 pad + p, pad = k' // 2 for 'same', else 0."""
    if length is None:
        return None
    span = (kernel - 1) * dilation + 1
    if output_padding is None:
        return length * stride + (max(span - stride, 0) if padding == "valid" else 0)
    edge = span // 2 if padding == "same" else 0
    return (length - 1) * stride + span - 2 * edge + output_padding


class ConvTranspose(Function):
    """y = f(col2im(x K^T) + b): the adjoint of Conv's map from y-shaped to x-shaped arrays.

    K is (*window, out, in) (Keras's Conv2DTranspose kernel). Each kernel offset's block
    x K_offset^T is added onto the (padded) output positions that offset covers; the padding is
    that of the convolution this transposes (TensorFlow's rule, from the output size).
    With g = gy f'(.) and P = im2col(pad(g)):  dx = P K,  dK = P^T x (one GEMM each),  db = sum g.
    """

    def __init__(self, strides, padding, dilation, output_padding=None, activation=None):
        if padding not in ("valid", "same"):
            raise ValueError(f"ConvTranspose: padding must be 'valid' or 'same', received {padding!r}")
        if activation not in FUSED_ACTIVATIONS:
            raise ValueError(f"ConvTranspose: activation must be one of {FUSED_ACTIVATIONS}, received {activation!r}")
        self.strides, self.padding, self.dilation = tuple(strides), padding, tuple(dilation)
        self.output_padding, self.activation = output_padding, activation

    def forward(self, x, w, b=None):
        window, f, c = w.shape[:-2], w.shape[-2], w.shape[-1]
        spatial, op = x.shape[1:-1], self.output_padding or (None,) * len(window)
        out = tuple(transpose_output_length(n, k, self.padding, s, d, p)
                    for n, k, s, d, p in zip(spatial, window, self.strides, self.dilation, op))
        back = tuple(conv_output_length(o, k, self.padding, s, d)
                     for o, k, s, d in zip(out, window, self.strides, self.dilation))
        if back != spatial:
            raise ValueError(
                f"conv_transpose: output size {out} (output_padding={self.output_padding}) is not one "
                f"that a {self.padding!r} convolution with kernel {window} and strides {self.strides} "
                f"maps back to the input size {spatial}; choose another output_padding.")
        self.pads = [pad_amounts(o, k, self.padding, s, d)
                     for o, k, s, d in zip(out, window, self.strides, self.dilation)]
        self.y_shape = (x.shape[0],) + out + (f,)
        kernels = np.ascontiguousarray(w.reshape(-1, f, c).transpose(0, 2, 1))  # K_offset^T: (in, out) each
        padded = (x.shape[0],) + tuple(o + a + e for o, (a, e) in zip(out, self.pads)) + (f,)
        y = col2im(x.reshape(-1, c), kernels, padded, window, self.strides, self.dilation, spatial)
        y = np.ascontiguousarray(y[interior(self.pads, self.y_shape)]) if y.shape != self.y_shape else y
        if b is not None:
            y += b
        activate_inplace(y, self.activation)
        self.save_for_backward(x, w, y if self.activation else None)
        return y

    def backward(self, gy):
        x, w, y = self.saved
        window, c = w.shape[:-2], w.shape[-1]
        g = activation_grad(gy, y, self.activation)
        needs = self.needs_input_grad
        cols = im2col(pad(g, self.pads), window, self.strides, self.dilation, x.shape[1:-1])
        gx = (cols @ w.reshape(-1, c)).reshape(x.shape) if needs[0] else None
        gw = (cols.T @ x.reshape(-1, c)).reshape(w.shape) if needs[1] else None
        gb = g.reshape(-1, g.shape[-1]).sum(axis=0) if len(needs) > 2 and needs[2] else None
        return gx, gw, gb


def conv_transpose(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1,
                   output_padding=None, activation=None):
    """activation(conv_transpose(x, kernel) + bias) as one node; kernel (*window, out, in)."""
    nd = len(kernel.shape) - 2
    op = None if output_padding is None else per_axis(output_padding, nd)
    return ConvTranspose(per_axis(strides, nd), padding, per_axis(dilation_rate, nd), op,
                         activation)(x, kernel, bias)


class ZeroPad(Function):
    """y = x surrounded by zeros (``pads``: (before, after) per spatial axis);  dy/dx = the
    interior of gy."""

    def __init__(self, pads):
        self.pads = [tuple(p) for p in pads]

    def forward(self, x):
        self.x_shape = x.shape
        y = pad(x, self.pads)
        return y.copy() if y is x else y

    def backward(self, gy):
        return gy[interior(self.pads, self.x_shape)]
