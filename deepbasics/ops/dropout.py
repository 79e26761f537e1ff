"""Inverted dropout: zero a fraction ``rate`` of the units, scale the rest by 1 / (1 - rate)."""
import numpy as np

from deepbasics.autodiff import Function


class Dropout(Function):
    """y = x * m,  m = 1[u >= rate] / (1 - rate), u ~ U(0, 1);  dy/dx = m.

    ``noise_shape`` broadcasts one mask over the axes where it is 1 (spatial dropout).
    At inference the layer does not call this op at all: dropout is the identity there.
    """

    def __init__(self, rate, rng, noise_shape=None):
        self.rate, self.rng, self.noise_shape = rate, rng, noise_shape

    def forward(self, x):
        shape = x.shape if self.noise_shape is None else self.noise_shape
        keep = self.rng.random(shape, dtype=np.float32) >= self.rate
        mask = keep * np.asarray(1.0 / (1.0 - self.rate), dtype=x.dtype)
        self.save_for_backward(mask)
        return x * mask

    def backward(self, gy):
        (mask,) = self.saved
        return gy * mask
