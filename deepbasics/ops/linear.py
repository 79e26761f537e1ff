"""The fused affine map of a Dense layer: one graph node instead of matmul + add (+ relu/tanh)."""
import numpy as np

from deepbasics.autodiff import Function
from deepbasics.ops.activation import FUSED_ACTIVATIONS, activate_inplace, activation_grad


class Linear(Function):
    """y = f(x W + b);  with g = gy f'(.):  dy/dx = g W^T,  dy/dW = x^T g,  dy/db = sum_rows g.

    ``f`` is the identity, relu (f' = 1[y > 0]) or tanh (f' = 1 - y^2): fusing the activation
    saves a node per layer, and both derivatives are read off the saved output ``y``.
    ``x`` may have leading axes (..., in): they are flattened into rows for the two GEMMs.
    The input gradient is skipped when ``x`` needs none (the first layer's data batch).
    """

    def __init__(self, activation=None):
        if activation not in FUSED_ACTIVATIONS:
            raise ValueError(f"Linear: activation must be one of {FUSED_ACTIVATIONS}, received {activation!r}")
        self.activation = activation

    def forward(self, x, w, b=None):
        y = x @ w
        if b is not None:
            y += b  # y is a fresh array: adding in place saves a temporary
        activate_inplace(y, self.activation)
        self.save_for_backward(x, w, y if self.activation else None)
        return y

    def backward(self, gy):
        x, w, y = self.saved
        gy = activation_grad(gy, y, self.activation)
        needs = self.needs_input_grad
        gx = gy @ w.T if needs[0] else None
        if gy.ndim != 2:  # (..., units): the leading axes are all rows of the GEMMs
            gy, x = gy.reshape(-1, gy.shape[-1]), x.reshape(-1, x.shape[-1])
        gw = x.T @ gy if needs[1] else None
        gb = np.add.reduce(gy, axis=0) if len(needs) > 2 and needs[2] else None
        return gx, gw, gb
