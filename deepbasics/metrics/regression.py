"""Regression metrics: running means of squared and absolute errors."""
import numpy as np

from deepbasics.metrics.metric import MeanMetricWrapper


def mean_squared_error(y_true, y_pred):
    return np.mean((np.asarray(y_pred) - np.asarray(y_true).reshape(np.shape(y_pred))) ** 2, axis=-1)


def mean_absolute_error(y_true, y_pred):
    return np.mean(np.abs(np.asarray(y_pred) - np.asarray(y_true).reshape(np.shape(y_pred))), axis=-1)


class MeanSquaredError(MeanMetricWrapper):
    sums_over_samples = True

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name)


class MeanAbsoluteError(MeanMetricWrapper):
    sums_over_samples = True

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name)
