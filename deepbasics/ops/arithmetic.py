"""Elementwise arithmetic with broadcasting, and matmul. The engine undoes broadcasting."""
import numpy as np

from deepbasics.autodiff import Function


class Add(Function):
    """z = x + y;  dz/dx = 1, dz/dy = 1."""

    def forward(self, x, y):
        return x + y

    def backward(self, gy):
        return gy, gy


class Sub(Function):
    """z = x - y;  dz/dx = 1, dz/dy = -1."""

    def forward(self, x, y):
        return x - y

    def backward(self, gy):
        return gy, (-gy if self.needs_input_grad[1] else None)


class Mul(Function):
    """z = x * y;  dz/dx = y, dz/dy = x."""

    def forward(self, x, y):
        self.save_for_backward(x, y)
        return x * y

    def backward(self, gy):
        x, y = self.saved
        gx = gy * y if self.needs_input_grad[0] else None
        gy_ = gy * x if self.needs_input_grad[1] else None
        return gx, gy_


class Div(Function):
    """z = x / y;  dz/dx = 1/y, dz/dy = -x/y^2 = -z/y."""

    def forward(self, x, y):
        z = x / y
        self.save_for_backward(y, z)
        return z

    def backward(self, gy):
        y, z = self.saved
        gx = gy / y if self.needs_input_grad[0] else None
        gy_ = -gy * z / y if self.needs_input_grad[1] else None
        return gx, gy_


class Neg(Function):
    """z = -x;  dz/dx = -1."""

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Pow(Function):
    """z = x^p for a constant p;  dz/dx = p x^(p-1)."""

    def __init__(self, p):
        self.p = p

    def forward(self, x):
        self.save_for_backward(x)
        return x**self.p

    def backward(self, gy):
        (x,) = self.saved
        return gy * self.p * x ** (self.p - 1)


class Exp(Function):
    """z = e^x;  dz/dx = z."""

    def forward(self, x):
        z = np.exp(x)
        self.save_for_backward(z)
        return z

    def backward(self, gy):
        (z,) = self.saved
        return gy * z


class Log(Function):
    """z = ln x;  dz/dx = 1/x."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.log(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy / x


class Sqrt(Function):
    """z = sqrt(x);  dz/dx = 1 / (2 z)."""

    def forward(self, x):
        z = np.sqrt(x)
        self.save_for_backward(z)
        return z

    def backward(self, gy):
        (z,) = self.saved
        return gy / (2.0 * z)


class Abs(Function):
    """z = |x|;  dz/dx = sign(x) (0 at 0)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.abs(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy * np.sign(x)


class MatMul(Function):
    """z = x @ w;  dz/dx = gy @ w^T, dz/dw = x^T @ gy (batched over leading axes)."""

    def forward(self, x, w):
        self.save_for_backward(x, w)
        return x @ w

    def backward(self, gy):
        x, w = self.saved
        # NumPy treats a 1-D x as a row (1, k) and a 1-D w as a column (k, 1), then drops that
        # axis from z: put it back in gy, use the 2-D rule, drop it from the gradient again
        x2 = x[None, :] if x.ndim == 1 else x
        w2 = w[:, None] if w.ndim == 1 else w
        g = gy[..., None] if w.ndim == 1 else gy
        g = g[..., None, :] if x.ndim == 1 else g
        gx = gw = None
        if self.needs_input_grad[0]:
            gx = g @ np.swapaxes(w2, -1, -2)
            gx = gx[..., 0, :] if x.ndim == 1 else gx
        if self.needs_input_grad[1]:
            gw = np.swapaxes(x2, -1, -2) @ g
            gw = gw[..., 0] if w.ndim == 1 else gw
        return gx, gw


class Maximum(Function):
    """z = max(x, y);  the gradient goes to the larger input (to x on ties, as TensorFlow)."""

    def forward(self, x, y):
        self.save_for_backward(x >= y)
        return np.maximum(x, y)

    def backward(self, gy):
        (x_wins,) = self.saved
        gx = gy * x_wins if self.needs_input_grad[0] else None
        gy_ = gy * ~x_wins if self.needs_input_grad[1] else None
        return gx, gy_


class Minimum(Function):
    """z = min(x, y);  the gradient goes to the smaller input (to x on ties)."""

    def forward(self, x, y):
        self.save_for_backward(x <= y)
        return np.minimum(x, y)

    def backward(self, gy):
        (x_wins,) = self.saved
        gx = gy * x_wins if self.needs_input_grad[0] else None
        gy_ = gy * ~x_wins if self.needs_input_grad[1] else None
        return gx, gy_


class Clip(Function):
    """z = clip(x, lo, hi) for constants lo, hi;  dz/dx = 1[lo <= x <= hi]."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        self.save_for_backward((x >= self.lo) & (x <= self.hi))
        return np.clip(x, self.lo, self.hi).astype(x.dtype, copy=False)

    def backward(self, gy):
        (inside,) = self.saved
        return gy * inside
