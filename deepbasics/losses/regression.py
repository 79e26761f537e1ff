"""Regression and distribution losses, Keras's formulas, each a per-sample mean over the last axis.

MSE is one fused node; the others are short compositions of ops, differentiated by the engine.
"""
import numpy as np

from deepbasics import backend, ops
from deepbasics.losses.loss import Loss


class PerSampleLoss(Loss):
    """A loss written as ``per_sample(y, p) -> Tensor`` (shape: all but the last axis), then
    weighted and reduced like every Keras loss."""

    def call(self, y_true, y_pred, weights, reduction):
        y = y_true.astype(y_pred.dtype, copy=False)
        if y.ndim == y_pred.ndim - 1:
            y = y[..., None]
        per = self.per_sample(y, y_pred)
        if weights is not None:
            per = per * weights.reshape(weights.shape + (1,) * (per.ndim - weights.ndim))
        if reduction == "none":
            return per
        return per.sum() if reduction == "sum" else per.mean()

    def per_sample(self, y, p):
        raise NotImplementedError


class MeanSquaredError(Loss):
    """L = mean (y - p)^2."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(name, reduction)

    def call(self, y_true, y_pred, weights, reduction):
        y = y_true.astype(y_pred.dtype, copy=False)
        if y.ndim == y_pred.ndim - 1:
            y = y[..., None]
        return ops.mean_squared_error(y_pred, y, weights, reduction)


class MeanAbsoluteError(PerSampleLoss):
    """L = mean |y - p|."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(name, reduction)

    def per_sample(self, y, p):
        return ops.mean(ops.abs(p - y), axis=-1)


class MeanAbsolutePercentageError(PerSampleLoss):
    """L = 100 mean |(y - p) / max(|y|, eps)|."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None):
        super().__init__(name, reduction)

    def per_sample(self, y, p):
        scale = 100.0 / np.maximum(np.abs(y), backend.epsilon())
        return ops.mean(ops.abs(p - y) * scale, axis=-1)


class MeanSquaredLogarithmicError(PerSampleLoss):
    """L = mean (log(max(p, eps) + 1) - log(max(y, eps) + 1))^2."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(name, reduction)

    def per_sample(self, y, p):
        eps = backend.epsilon()
        d = ops.log(ops.maximum(p, eps) + 1.0) - np.log(np.maximum(y, eps) + 1.0)
        return ops.mean(d * d, axis=-1)


class Huber(PerSampleLoss):
    """L = mean(0.5 q^2 + delta (|e| - q)), e = p - y, q = min(|e|, delta): quadratic near 0, linear beyond."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(name, reduction)
        if not delta > 0:
            raise ValueError(f"`delta` must be positive, received delta={delta!r}")
        self.delta = float(delta)

    def per_sample(self, y, p):
        err = ops.abs(p - y)
        quad = ops.minimum(err, self.delta)
        return ops.mean(quad * quad * 0.5 + (err - quad) * self.delta, axis=-1)

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}


class LogCosh(PerSampleLoss):
    """L = mean log cosh(p - y), computed as x + softplus(-2x) - log 2 (no overflow)."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(name, reduction)

    def per_sample(self, y, p):
        from deepbasics.ops.activation import Softplus

        x = p - y
        return ops.mean(x + Softplus()(x * -2.0) - np.log(2.0), axis=-1)


class Poisson(PerSampleLoss):
    """L = mean(p - y log(p + eps))."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(name, reduction)

    def per_sample(self, y, p):
        return ops.mean(p - ops.log(p + backend.epsilon()) * y, axis=-1)


class KLDivergence(PerSampleLoss):
    """L = sum y log(y / p), both clipped to [eps, 1]."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(name, reduction)

    def per_sample(self, y, p):
        eps = backend.epsilon()
        y = np.clip(y, eps, 1.0)
        return ops.sum((np.log(y) - ops.log(ops.clip(p, eps, 1.0))) * y, axis=-1)


class CosineSimilarity(PerSampleLoss):
    """L = -sum(y_hat p_hat) with unit-normalised y and p (-1: same direction)."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(name, reduction)
        self.axis = axis

    def per_sample(self, y, p):
        y_hat = y / np.sqrt(np.maximum(np.sum(y * y, axis=self.axis, keepdims=True), 1e-12))
        p_norm = ops.sqrt(ops.maximum(ops.sum(p * p, axis=self.axis, keepdims=True), 1e-12))
        return -ops.sum(p / p_norm * y_hat, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
