"""Max and average pooling over 1 or 2 spatial axes (channels last), and nearest upsampling.

The forward walks the pool's offsets (a 2x2 pool: 4) and combines the strided slices of the
(padded) input that each offset reads, whole batch at a time: no loop over samples or pixels.
When the windows tile the input (strides = pool_size, Keras's default), the backward sees them
as axes of one reshaped view instead. Global pooling needs no op of its own: it is
``ops.mean`` / ``ops.max`` over the spatial axes.
"""
import math

import numpy as np

from deepbasics.autodiff import Function
from deepbasics.ops.conv import check_window_fits, offset_slices, pad, pad_amounts, per_axis, unpad

POOL_PADDINGS = ("valid", "same")


class _Pool(Function):
    """The geometry both pools share: output size, TensorFlow's 'same' padding, offsets."""

    def __init__(self, pool_size, strides, padding):
        if padding not in POOL_PADDINGS:
            raise ValueError(f"pooling: padding must be one of {POOL_PADDINGS}, received {padding!r}")
        self.pool, self.strides, self.padding = tuple(pool_size), tuple(strides), padding
        self.ones = (1,) * len(self.pool)  # no dilation
        # windows that do not overlap write their gradient instead of adding it; windows that
        # tile the input (stride = pool, the default) are blocks of a reshaped view
        self.disjoint = all(s >= k for s, k in zip(self.strides, self.pool))
        self.tiles = self.strides == self.pool

    def _geometry(self, x):
        spatial = x.shape[1:-1]
        if len(spatial) != len(self.pool):
            raise ValueError(f"pooling: a {len(self.pool)}-D pool needs an input with {len(self.pool)} "
                             f"spatial axes (batch, ..., channels), received shape {x.shape}")
        self.out = check_window_fits(spatial, self.pool, self.padding, self.strides, self.ones, "pooling")
        self.pads = [pad_amounts(n, k, self.padding, s) for n, k, s in zip(spatial, self.pool, self.strides)]
        self.x_shape = x.shape

    def _offsets(self):
        return offset_slices(self.pool, self.strides, self.ones, self.out)

    def _combine(self, xp, ufunc):
        """ufunc folded over the slices of xp that the window offsets read: a fresh array."""
        slices = [xp[index] for index in self._offsets()]
        y = ufunc(slices[0], slices[1]) if len(slices) > 1 else slices[0].copy()
        for s in slices[2:]:
            ufunc(y, s, out=y)
        return y

    def _scatter(self, dxp, index, g):
        """Put one offset's gradient ``g`` onto its slice of ``dxp``."""
        target = dxp[index]
        if self.disjoint:
            np.copyto(target, g)
        else:
            np.add(target, g, out=target)

    def _blocks(self, a):
        """Tiling windows as axes: (n, o1, k1, o2, k2, c), a view of the covered part of ``a``."""
        covered = a[(slice(None),) + tuple(slice(0, o * k) for o, k in zip(self.out, self.pool))]
        blocks = sum(((o, k) for o, k in zip(self.out, self.pool)), (a.shape[0],)) + (a.shape[-1],)
        return covered.reshape(blocks)

    def _per_block(self, y):
        """y (n, o1, o2, c) as (n, o1, 1, o2, 1, c): it broadcasts against ``_blocks``."""
        return y[(slice(None),) + (slice(None), None) * len(self.pool)]

    def _tiled_buffer(self, padded_shape, dtype):
        """The padded input's gradient, to be written block by block: zeros only where some
        positions lie outside every window (a 'valid' pool over an odd size)."""
        covered = tuple(o * k for o, k in zip(self.out, self.pool)) == padded_shape[1:-1]
        return (np.empty if covered else np.zeros)(padded_shape, dtype=dtype)

    def _unpad(self, dxp):
        return unpad(dxp, self.pads, self.x_shape)


class MaxPool(_Pool):
    """y = max of each window;  dy/dx = 1 at the window's FIRST maximum (row-major), else 0.

    Ties are common (MNIST's saturated pixels, relu's zeros): like PyTorch and TensorFlow, one
    element per window gets the whole gradient, not a share. 'same' pads with -inf, so padding
    never wins. The backward finds the winners again from the saved input and output.
    """

    def forward(self, x):
        self._geometry(x)
        xp = pad(x, self.pads, -np.inf)
        y = self._combine(xp, np.maximum)
        self.save_for_backward(xp, y)
        return y

    def backward(self, gy):
        xp, y = self.saved
        if self.tiles:
            return self._unpad(self._tiled_grad(xp, y, gy))
        dxp = np.zeros(xp.shape, dtype=gy.dtype)
        unclaimed = None  # windows whose maximum no earlier offset has taken
        for index in self._offsets():
            hit = xp[index] == y
            if unclaimed is None:
                unclaimed = ~hit
            else:
                hit &= unclaimed
                unclaimed &= ~hit
            self._scatter(dxp, index, gy * hit)
        return self._unpad(dxp)

    def _tiled_grad(self, xp, y, gy):
        """One comparison finds every window's maxima; the ties after the first are cleared by
        walking the window offsets in row-major order on these booleans (cheap); gy goes
        straight into the gradient's blocks."""
        hit = self._blocks(xp) == self._per_block(y)
        seen = None
        for offset in np.ndindex(*self.pool):
            h = hit[(slice(None),) + sum(((slice(None), i) for i in offset), ()) + (slice(None),)]
            if seen is None:
                seen = h.copy()
            else:
                np.greater(h, seen, out=h)  # h and not seen
                seen |= h
        dxp = self._tiled_buffer(xp.shape, gy.dtype)
        np.multiply(hit, self._per_block(gy), out=self._blocks(dxp))
        return dxp


class AvgPool(_Pool):
    """y = mean of each window's real (unpadded) values;  dy/dx = 1 / count on each.

    With 'same' padding the edge windows average fewer values, as in TensorFlow (padding is
    not counted). The count is separable: the product of the per-axis counts.
    """

    def forward(self, x):
        self._geometry(x)
        xp = pad(x, self.pads)
        self.scale = self._inverse_counts(x.dtype)
        y = self._combine(xp, np.add)
        y *= self.scale
        self.padded_shape = xp.shape
        return y

    def backward(self, gy):
        g = gy * self.scale
        if self.tiles:
            dxp = self._tiled_buffer(self.padded_shape, gy.dtype)
            np.copyto(self._blocks(dxp), self._per_block(g))
            return self._unpad(dxp)
        dxp = np.zeros(self.padded_shape, dtype=gy.dtype)
        for index in self._offsets():
            self._scatter(dxp, index, g)
        return self._unpad(dxp)

    def _inverse_counts(self, dtype):
        """1 / (number of real values in each window), broadcastable to the output."""
        if not any(a or b for a, b in self.pads):
            return np.asarray(1.0 / math.prod(self.pool), dtype=dtype)
        scale = np.ones((1,) * (len(self.pool) + 2), dtype=dtype)
        for axis, (n, k, s, o, (before, _)) in enumerate(
                zip(self.x_shape[1:-1], self.pool, self.strides, self.out, self.pads), start=1):
            start = np.arange(o) * s - before
            count = np.minimum(start + k, n) - np.maximum(start, 0)
            shape = [1] * scale.ndim
            shape[axis] = o
            scale = scale / count.reshape(shape).astype(dtype)
        return scale


def max_pool(x, pool_size=(2, 2), strides=None, padding="valid"):
    """Max pooling over x's spatial axes; ``strides`` default to ``pool_size``."""
    pool = per_axis(pool_size, x.ndim - 2)
    return MaxPool(pool, pool if strides is None else per_axis(strides, len(pool)), padding)(x)


def avg_pool(x, pool_size=(2, 2), strides=None, padding="valid"):
    """Average pooling over x's spatial axes; ``strides`` default to ``pool_size``."""
    pool = per_axis(pool_size, x.ndim - 2)
    return AvgPool(pool, pool if strides is None else per_axis(strides, len(pool)), padding)(x)


class UpSample(Function):
    """Nearest-neighbour upsampling: y[i*s + a] = x[i] for 0 <= a < s on each spatial axis;
    dy/dx sums each s-block of gy (sum pooling is its adjoint)."""

    def __init__(self, size):
        self.size = tuple(size)

    def forward(self, x):
        n, c, spatial = x.shape[0], x.shape[-1], x.shape[1:-1]
        blocks = (n,) + sum(((d, 1) for d in spatial), ()) + (c,)
        repeated = (n,) + sum(((d, s) for d, s in zip(spatial, self.size)), ()) + (c,)
        self.repeated = repeated
        y = np.broadcast_to(x.reshape(blocks), repeated)
        return y.reshape((n,) + tuple(d * s for d, s in zip(spatial, self.size)) + (c,))  # one copy

    def backward(self, gy):
        axes = tuple(range(2, 2 * len(self.size) + 1, 2))
        return gy.reshape(self.repeated).sum(axis=axes)


def upsample(x, size=(2, 2)):
    """Repeat each value ``size`` times along each spatial axis."""
    return UpSample(per_axis(size, x.ndim - 2))(x)
