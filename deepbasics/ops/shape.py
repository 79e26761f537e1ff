"""Shape operations: reshape, transpose, indexing, concatenation. They move, never compute."""
import numpy as np

from deepbasics.autodiff import Function


class Reshape(Function):
    """z = x viewed with a new shape;  dz/dx = gy reshaped back."""

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, gy):
        return gy.reshape(self.in_shape)


class Transpose(Function):
    """z = x with axes permuted;  dz/dx = gy with the inverse permutation."""

    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, x):
        return np.transpose(x, self.axes)

    def backward(self, gy):
        if self.axes is None:
            return np.transpose(gy)
        return np.transpose(gy, np.argsort([a % gy.ndim for a in self.axes]))  # negative axes too


class GetItem(Function):
    """z = x[index];  dz/dx scatters gy back into zeros (repeated indices add up)."""

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.in_shape, self.dtype = x.shape, x.dtype
        return x[self.index]

    def backward(self, gy):
        gx = np.zeros(self.in_shape, dtype=gy.dtype)
        np.add.at(gx, self.index, gy)
        return gx


class Concatenate(Function):
    """z = [x1, x2, ...] joined along ``axis``;  each dz/dxi is its slice of gy."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, *xs):
        self.sizes = [x.shape[self.axis] for x in xs]
        return np.concatenate(xs, axis=self.axis)

    def backward(self, gy):
        cuts = np.cumsum(self.sizes)[:-1]
        return tuple(np.split(gy, cuts, axis=self.axis))
