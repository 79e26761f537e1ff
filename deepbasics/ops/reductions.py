"""Reductions: sum, mean, max over axes (``keepdims`` as NumPy)."""
import numpy as np

from deepbasics.autodiff import Function


def _expand(gy, in_shape, axis, keepdims):
    """Put back the reduced axes of ``gy`` so it broadcasts against the input."""
    if axis is None or keepdims:
        return gy.reshape([1] * len(in_shape)) if axis is None and not keepdims else gy
    axes = (axis,) if np.isscalar(axis) else tuple(axis)
    axes = sorted(a % len(in_shape) for a in axes)
    for a in axes:
        gy = np.expand_dims(gy, a)
    return gy


class Sum(Function):
    """z = sum_axis x;  dz/dx = 1 (broadcast back over the summed axes)."""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.shape = x.shape
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        return np.broadcast_to(_expand(gy, self.shape, self.axis, self.keepdims), self.shape)


class Mean(Function):
    """z = mean_axis x;  dz/dx = 1/n over the n averaged elements."""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.shape = x.shape
        z = np.mean(x, axis=self.axis, keepdims=self.keepdims)
        self.n = x.size // max(np.size(z), 1)
        return z

    def backward(self, gy):
        g = _expand(gy, self.shape, self.axis, self.keepdims) / self.n
        return np.broadcast_to(g, self.shape)


class Max(Function):
    """z = max_axis x;  dz/dx = 1 at the maximum (shared equally among ties), else 0."""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        z = np.max(x, axis=self.axis, keepdims=self.keepdims)
        self.save_for_backward(x, z)
        return z

    def backward(self, gy):
        x, z = self.saved
        zk = _expand(z, x.shape, self.axis, self.keepdims)
        mask = x == zk
        g = _expand(gy, x.shape, self.axis, self.keepdims)
        count = np.sum(mask, axis=self.axis, keepdims=True).astype(g.dtype)  # int counts would promote to float64
        return mask * (g / count)
