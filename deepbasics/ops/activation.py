"""Activation functions as graph nodes: each saves the cheapest thing its derivative needs."""
import numpy as np

from deepbasics.autodiff import Function


class ReLU(Function):
    """y = max(x, 0);  d/dx relu(x) = 1[x > 0] (0 at 0, as TensorFlow and JAX)."""

    def forward(self, x):
        mask = x > 0
        self.save_for_backward(mask)
        return x * mask if x.dtype.kind == "f" else np.maximum(x, 0)

    def backward(self, gy):
        (mask,) = self.saved
        return gy * mask


class Sigmoid(Function):
    """y = 1 / (1 + e^-x);  dy/dx = y (1 - y)."""

    def forward(self, x):
        y = np.tanh(0.5 * x)  # tanh form cannot overflow
        y *= 0.5
        y += 0.5
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return gy * y * (1.0 - y)


class Tanh(Function):
    """y = tanh x;  dy/dx = 1 - y^2."""

    def forward(self, x):
        y = np.tanh(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return gy * (1.0 - y * y)


def softmax_array(x, axis=-1):
    """softmax on a raw array, shifted by the row maximum so exp cannot overflow."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def log_softmax_array(x, axis=-1):
    """log softmax on a raw array: (x - max) - log sum exp(x - max)."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


class Softmax(Function):
    """y_i = e^x_i / sum_j e^x_j;  dL/dx = y * (gy - sum(gy * y))."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        self.shift = np.max(x, axis=self.axis, keepdims=True)
        y = np.exp(x - self.shift)
        self.total = np.sum(y, axis=self.axis, keepdims=True)
        y /= self.total
        self.save_for_backward(y)
        self.output = y  # with shift and total, lets a cross-entropy skip a second softmax
        return y

    def backward(self, gy):
        (y,) = self.saved
        return y * (gy - np.sum(gy * y, axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """y = x - logsumexp(x);  dL/dx = gy - softmax(x) * sum(gy)."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        y = log_softmax_array(x, self.axis)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return gy - np.exp(y) * np.sum(gy, axis=self.axis, keepdims=True)
