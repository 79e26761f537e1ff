"""Hinge losses (for labels in {-1, 1}; labels in {0, 1} are mapped to them, as Keras does)."""
import numpy as np

from deepbasics import ops
from deepbasics.losses.regression import PerSampleLoss


def _signed(y):
    return 2.0 * y - 1.0 if np.all((y == 0) | (y == 1)) else y


class Hinge(PerSampleLoss):
    """L = mean max(1 - y p, 0)."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(name, reduction)

    def per_sample(self, y, p):
        return ops.mean(ops.maximum(1.0 - p * _signed(y), 0.0), axis=-1)


class SquaredHinge(PerSampleLoss):
    """L = mean max(1 - y p, 0)^2."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(name, reduction)

    def per_sample(self, y, p):
        h = ops.maximum(1.0 - p * _signed(y), 0.0)
        return ops.mean(h * h, axis=-1)


class CategoricalHinge(PerSampleLoss):
    """L = max(max((1 - y) p) - sum(y p) + 1, 0), y one-hot."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(name, reduction)

    def per_sample(self, y, p):
        pos = ops.sum(p * y, axis=-1)
        neg = ops.max(p * (1.0 - y), axis=-1)
        return ops.maximum(neg - pos + 1.0, 0.0)
