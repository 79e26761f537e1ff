"""Activation functions as graph nodes: each saves the cheapest thing its derivative needs."""
import math

import numpy as np

from deepbasics.autodiff import Function


_ZERO_ROWS = {}


def relu_inplace(y):
    """y = max(y, 0), in place; see ``relu_array``."""
    return relu_array(y, out=y)


def relu_array(x, out=None):
    """max(x, 0) into ``out`` (a new array by default). NumPy's ``maximum`` against a scalar runs
    a scalar loop; against a contiguous row of zeros it runs its SIMD loop (measured 3-4x faster
    on a conv output), so x is seen as rows of up to 8192 values against one cached zero row.
    Below ~4096 values the scalar loop wins: the reshapes cost more than they save."""
    width = math.gcd(x.size, 8192)
    if x.size < 4096 or width < 64 or not x.flags.c_contiguous or (out is not None and not out.flags.c_contiguous):
        return np.maximum(x, 0, out=out)
    key = (width, x.dtype)
    if key not in _ZERO_ROWS:
        _ZERO_ROWS[key] = np.zeros(width, dtype=x.dtype)
    y = np.empty_like(x) if out is None else out
    np.maximum(x.reshape(-1, width), _ZERO_ROWS[key], out=y.reshape(-1, width))
    return y


def relu_grad(gy, y):
    """gy * 1[y > 0] as a fresh array; the mask is cast first (NumPy multiplies by a bool array
    slowly)."""
    g = (y > 0).astype(gy.dtype)
    g *= gy
    return g


FUSED_ACTIVATIONS = (None, "relu", "tanh")  # what Linear and Conv apply to their own output


def activate_inplace(y, activation):
    """y = f(y) in place, f one of ``FUSED_ACTIVATIONS`` (None: the identity)."""
    if activation == "relu":
        relu_inplace(y)
    elif activation == "tanh":
        np.tanh(y, out=y)
    return y


def activation_grad(gy, y, activation):
    """gy f'(.) read off the output y = f(.):  relu 1[y > 0],  tanh 1 - y^2,  identity 1."""
    if activation == "relu":
        return relu_grad(gy, y)
    if activation == "tanh":
        return gy * (1.0 - y * y)
    return gy


class ReLU(Function):
    """y = max(x, 0);  d/dx relu(x) = 1[x > 0] (0 at 0, as TensorFlow and JAX)."""

    def forward(self, x):
        y = relu_array(x) if x.dtype.kind == "f" else np.maximum(x, 0)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return relu_grad(gy, y)


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
        # ufunc reductions called directly: ndarray.max/.sum add a Python frame per call
        self.shift = np.maximum.reduce(x, axis=self.axis, keepdims=True)
        y = x - self.shift
        np.exp(y, out=y)
        self.total = np.add.reduce(y, axis=self.axis, keepdims=True)
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


class Threshold(Function):
    """The course's step (y = 1[x > 0]) or sign (y = sign x): exact forward, derivative 0
    everywhere it exists, so gradient descent cannot train through them (the perceptron rule can)."""

    def __init__(self, kind):
        self.kind = kind

    def forward(self, x):
        self.shape_dtype = (x.shape, x.dtype)
        if self.kind == "step":
            return (x > 0).astype(x.dtype)
        return np.sign(x)

    def backward(self, gy):
        return np.zeros(*self.shape_dtype)


class GeneralReLU(Function):
    """Keras's relu(x, negative_slope, max_value, threshold):
    y = x for threshold < x (< max_value, else max_value), y = slope (x - threshold) below;
    dy/dx = 1 between threshold and max_value, slope below threshold, 0 above max_value."""

    def __init__(self, negative_slope=0.0, max_value=None, threshold=0.0):
        self.slope, self.max_value, self.threshold = negative_slope, max_value, threshold

    def forward(self, x):
        above = x > self.threshold
        y = np.where(above, x, 0).astype(x.dtype) if self.threshold else np.maximum(x, 0)
        inside = above
        if self.max_value is not None:
            inside = above & (x < self.max_value)
            y = np.minimum(y, self.max_value)
        if self.slope:
            y = y - self.slope * np.maximum(self.threshold - x, 0)
        self.save_for_backward(inside, x < self.threshold)
        return y.astype(x.dtype, copy=False)

    def backward(self, gy):
        inside, below = self.saved
        g = gy * inside
        if self.slope:
            g += gy * below * self.slope  # Python float: stays in gy's dtype
        return g


class LeakyReLU(Function):
    """y = x if x > 0 else a x;  dy/dx = 1 or a."""

    def __init__(self, negative_slope):
        self.slope = negative_slope

    def forward(self, x):
        positive = x > 0
        self.save_for_backward(positive)
        return np.where(positive, x, self.slope * x).astype(x.dtype, copy=False)

    def backward(self, gy):
        (positive,) = self.saved
        return gy * np.where(positive, 1.0, self.slope).astype(gy.dtype, copy=False)


class ELU(Function):
    """y = x if x > 0 else a (e^x - 1), times ``scale`` (SELU);  dy/dx = scale or scale (y/scale + a)."""

    def __init__(self, alpha=1.0, scale=1.0):
        self.alpha, self.scale = alpha, scale

    def forward(self, x):
        positive = x > 0
        y = self.scale * np.where(positive, x, self.alpha * np.expm1(np.minimum(x, 0)))
        self.save_for_backward(positive, y)
        return y.astype(x.dtype, copy=False)

    def backward(self, gy):
        positive, y = self.saved
        return gy * np.where(positive, self.scale, y + self.scale * self.alpha).astype(gy.dtype, copy=False)


class Softplus(Function):
    """y = log(1 + e^x) (computed as logaddexp(0, x));  dy/dx = sigmoid(x)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.logaddexp(0, x).astype(x.dtype, copy=False)

    def backward(self, gy):
        (x,) = self.saved
        return gy * (0.5 * np.tanh(0.5 * x) + 0.5)


class Softsign(Function):
    """y = x / (1 + |x|);  dy/dx = 1 / (1 + |x|)^2."""

    def forward(self, x):
        d = 1.0 + np.abs(x)
        self.save_for_backward(d)
        return x / d

    def backward(self, gy):
        (d,) = self.saved
        return gy / (d * d)


class Swish(Function):
    """y = x sigmoid(x) (= silu);  dy/dx = s + x s (1 - s)."""

    def forward(self, x):
        s = 0.5 * np.tanh(0.5 * x) + 0.5
        self.save_for_backward(x, s)
        return x * s

    def backward(self, gy):
        x, s = self.saved
        return gy * (s + x * s * (1.0 - s))


class HardSigmoid(Function):
    """Keras 3: y = clip(x / 6 + 0.5, 0, 1);  dy/dx = 1/6 inside (-3, 3), else 0."""

    def forward(self, x):
        self.save_for_backward(np.abs(x) < 3.0)
        return np.clip(x / 6.0 + 0.5, 0.0, 1.0).astype(x.dtype, copy=False)

    def backward(self, gy):
        (inside,) = self.saved
        return gy * inside / 6.0


class GELU(Function):
    """y = x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2;  dy/dx = Phi(x) + x Phi'(x).
    approximate: 0.5 x (1 + tanh(c (x + 0.044715 x^3))), c = sqrt(2/pi), and its own derivative."""

    C = math.sqrt(2.0 / math.pi)  # a Python float: keeps float32 inputs float32

    def __init__(self, approximate=False):
        self.approximate = approximate

    def forward(self, x):
        self.save_for_backward(x)
        if self.approximate:
            return 0.5 * x * (1.0 + np.tanh(self.C * (x + 0.044715 * x**3)))
        return (0.5 * x * (1.0 + erf(x / np.sqrt(2.0))[0])).astype(x.dtype, copy=False)

    def backward(self, gy):
        (x,) = self.saved
        if self.approximate:
            t = np.tanh(self.C * (x + 0.044715 * x**3))
            dt = (1.0 - t * t) * self.C * (1.0 + 3 * 0.044715 * x * x)
            return gy * (0.5 * (1.0 + t) + 0.5 * x * dt)
        e, de = erf(x / np.sqrt(2.0))
        return (gy * (0.5 * (1.0 + e) + 0.5 * x * de / np.sqrt(2.0))).astype(gy.dtype, copy=False)


_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def erf(x):
    """(erf x, d/dx erf x) by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, float32's resolution);
    NumPy has no erf and SciPy is not a dependency. The derivative is that of the same formula,
    so gradients agree with the forward to rounding."""
    a = np.abs(x)
    t = 1.0 / (1.0 + _ERF_P * a)
    poly = 0.0
    for c in reversed(_ERF_A):  # poly = sum_k c_k t^k, in Horner form
        poly = (poly + c) * t
    dpoly = sum(k * c * t ** (k - 1) for k, c in enumerate(_ERF_A, start=1))
    g = np.exp(-a * a)
    value = np.sign(x) * (1.0 - poly * g)
    derivative = g * (2.0 * a * poly + _ERF_P * t * t * dpoly)  # dt/da = -p t^2
    return value, derivative
