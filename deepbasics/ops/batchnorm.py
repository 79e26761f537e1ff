"""Batch normalisation: normalise each feature over the batch, then scale and shift."""
import numpy as np

from deepbasics.autodiff import Function


class BatchNormTrain(Function):
    """y = gamma x_hat + beta,  x_hat = (x - mean) / sqrt(var + eps), statistics over ``axes``.

    var is the biased two-pass batch variance (Keras). With N values per feature:
    dx = (1 / (N sigma)) (N g - sum g - x_hat sum(g x_hat)),  g = gy gamma;
    dgamma = sum(gy x_hat);  dbeta = sum(gy).
    ``self.mean`` and ``self.var`` are left for the layer to update its moving statistics.
    """

    def __init__(self, axes, epsilon):
        self.axes, self.epsilon = axes, epsilon

    def forward(self, x, gamma=None, beta=None):
        self.mean = x.mean(axis=self.axes, keepdims=True)
        centered = x - self.mean
        self.var = np.mean(centered * centered, axis=self.axes, keepdims=True)  # two-pass
        inv_std = 1.0 / np.sqrt(self.var + self.epsilon)
        x_hat = centered * inv_std
        self.save_for_backward(x_hat, inv_std, gamma)
        y = x_hat * gamma if gamma is not None else x_hat.copy()
        if beta is not None:
            y += beta
        return y

    def backward(self, gy):
        x_hat, inv_std, gamma = self.saved
        n = x_hat.size // inv_std.size
        g = gy * gamma if gamma is not None else gy
        sum_g = g.sum(axis=self.axes, keepdims=True)
        sum_gx = (g * x_hat).sum(axis=self.axes, keepdims=True)
        gx = (inv_std / n) * (n * g - sum_g - x_hat * sum_gx)
        needs = self.needs_input_grad
        # keepdims: the engine then sums the leading axis away to gamma's own shape
        ggamma = (gy * x_hat).sum(axis=self.axes, keepdims=True) if len(needs) > 1 and needs[1] else None
        gbeta = gy.sum(axis=self.axes, keepdims=True) if len(needs) > 2 and needs[2] else None
        return gx, ggamma, gbeta
