"""The fused affine map of a Dense layer: one graph node instead of matmul + add."""
import numpy as np

from deepbasics.autodiff import Function


class Linear(Function):
    """y = x W + b;  dy/dx = gy W^T,  dy/dW = x^T gy,  dy/db = sum_rows gy.

    ``x`` may have leading axes (..., in): they are flattened into rows for the two GEMMs.
    The input gradient is skipped when ``x`` needs none (the first layer's data batch).
    """

    def forward(self, x, w, b=None):
        self.save_for_backward(x, w)
        y = x @ w
        if b is not None:
            y += b  # y is a fresh array: adding in place saves a temporary
        return y

    def backward(self, gy):
        x, w = self.saved
        needs = self.needs_input_grad
        gx = gy @ w.T if needs[0] else None
        gw = gb = None
        if needs[1] or (len(needs) > 2 and needs[2]):
            g2 = gy.reshape(-1, gy.shape[-1])
            if needs[1]:
                gw = x.reshape(-1, x.shape[-1]).T @ g2
            if len(needs) > 2 and needs[2]:
                gb = g2.sum(axis=0)
        return gx, gw, gb
