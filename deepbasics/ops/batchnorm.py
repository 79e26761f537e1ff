"""Batch normalisation: normalise each feature over the batch, then scale and shift."""
import math

import numpy as np

from deepbasics.autodiff import Function


class BatchNormTrain(Function):
    """y = gamma x_hat + beta,  x_hat = (x - mean) / sqrt(var + eps), statistics over ``axes``.

    var is the biased two-pass batch variance (Keras). With N values per feature, and gamma
    constant over the reduced axes:
    dbeta = sum(gy);  dgamma = sum(gy x_hat);  dx = gamma / sigma (gy - (dbeta + x_hat dgamma) / N).
    ``self.mean`` and ``self.var`` are left for the layer to update its moving statistics.
    """

    def __init__(self, axes, epsilon):
        self.axes, self.epsilon = axes, epsilon

    def forward(self, x, gamma=None, beta=None):
        n = math.prod(x.shape[axis] for axis in self.axes)
        self.mean = np.add.reduce(x, axis=self.axes, keepdims=True) / n
        x_hat = x - self.mean
        y = np.multiply(x_hat, x_hat)  # the squares' array becomes y: one allocation fewer
        self.var = np.add.reduce(y, axis=self.axes, keepdims=True) / n  # two-pass
        inv_std = 1.0 / np.sqrt(self.var + self.epsilon)
        x_hat *= inv_std
        self.save_for_backward(x_hat, inv_std, gamma)
        if gamma is not None:
            np.multiply(x_hat, gamma, out=y)
        else:
            np.copyto(y, x_hat)
        if beta is not None:
            y += beta
        return y

    def backward(self, gy):
        x_hat, inv_std, gamma = self.saved
        n = x_hat.size // inv_std.size
        gbeta = np.add.reduce(gy, axis=self.axes, keepdims=True)
        ggamma = np.add.reduce(gy * x_hat, axis=self.axes, keepdims=True)
        gx = x_hat * (ggamma / n)
        gx += gbeta / n
        np.subtract(gy, gx, out=gx)
        gx *= inv_std * gamma if gamma is not None else inv_std
        needs = self.needs_input_grad
        # keepdims: the engine then sums the leading axis away to gamma's own shape
        return (gx, ggamma if len(needs) > 1 and needs[1] else None,
                gbeta if len(needs) > 2 and needs[2] else None)
