"""Metrics by Keras name: stateful objects with ``update_state``, ``result``, ``reset_state``.

They run on plain arrays, outside the graph. ``'accuracy'`` (or ``'acc'``) is resolved from the
shapes of the labels and predictions, as Keras 3 does, and keeps the name the user passed.
"""
import numpy as np

from deepbasics.registry import resolve, snake_case


class Metric:
    def __init__(self, name=None, dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.reset_state()

    def reset_state(self):
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Mean(Metric):
    """The (weighted) running mean of the values given to ``update_state``."""

    def reset_state(self):
        self.total, self.count = 0.0, 0.0

    def update_state(self, values, sample_weight=None):
        if sample_weight is None:
            if isinstance(values, np.ndarray) and values.dtype == bool:
                self.total += np.count_nonzero(values)  # accuracies: cheaper than a float sum
            else:
                self.total += float(np.sum(values, dtype=np.float64))
            self.count += np.size(values)
            return
        values = np.asarray(values, dtype=np.float64)
        w = np.broadcast_to(np.asarray(sample_weight, dtype=np.float64), values.shape)
        self.total += float((values * w).sum())
        self.count += float(w.sum())

    def result(self):
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred)`` per sample."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self.fn, self.kwargs = fn, kwargs
        super().__init__(name or fn.__name__)

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self.fn(y_true, y_pred, **self.kwargs), sample_weight)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1 where (p > threshold) == y, per sample (mean over the last axis)."""
    y_true = np.asarray(y_true)
    if y_true.ndim == y_pred.ndim - 1:
        y_true = y_true[..., None]
    return np.mean((y_pred > threshold) == (y_true > 0.5), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1 where argmax p == argmax y (the first maximum wins)."""
    return np.asarray(y_true).argmax(axis=-1) == y_pred.argmax(axis=-1)


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where argmax p == the integer label."""
    y_true = np.asarray(y_true)
    if y_true.ndim == y_pred.ndim:
        y_true = y_true.reshape(y_pred.shape[:-1])
    return np.argmax(y_pred, axis=-1) == y_true


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name, threshold=threshold)

    def get_config(self):
        return {"name": self.name, "threshold": self.kwargs["threshold"]}


class CategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name)


def mean_squared_error(y_true, y_pred):
    return np.mean((np.asarray(y_pred) - np.asarray(y_true).reshape(np.shape(y_pred))) ** 2, axis=-1)


def mean_absolute_error(y_true, y_pred):
    return np.mean(np.abs(np.asarray(y_pred) - np.asarray(y_true).reshape(np.shape(y_pred))), axis=-1)


class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name)


class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name)


ALL_METRICS = {
    "binary_accuracy": BinaryAccuracy, "BinaryAccuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy, "CategoricalAccuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy, "SparseCategoricalAccuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError, "MeanSquaredError": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError, "MeanAbsoluteError": MeanAbsoluteError,
    "Mean": Mean,
}
ACCURACY_NAMES = ("accuracy", "acc")


def accuracy_for(name, y_true, y_pred):
    """Keras 3's rule for 'accuracy': binary if one output unit, sparse if labels have one
    rank less (or a trailing 1 against several units), else categorical. Named as passed."""
    is_binary = y_pred.shape[-1] == 1
    is_sparse = y_true.ndim < y_pred.ndim or (y_true.shape[-1] == 1 and y_pred.shape[-1] > 1)
    if is_binary:
        return BinaryAccuracy(name=name)
    if is_sparse:
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)


def get(identifier, y_true=None, y_pred=None):
    """A ``Metric`` from a Keras name, a config dict, a class, an instance, or a function.

    'accuracy' / 'acc' need ``y_true`` and ``y_pred`` (arrays) to pick their variant.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in ACCURACY_NAMES:
        if y_true is None:
            raise ValueError(f"Metric {identifier!r} is resolved from the data's shapes; pass y_true and y_pred.")
        return accuracy_for(identifier, y_true, y_pred)
    if callable(identifier) and not isinstance(identifier, type):
        return MeanMetricWrapper(identifier)
    return resolve(identifier, "metric", ALL_METRICS, base=Metric,
                   extra=", 'accuracy', 'acc', or a Metric instance")


def check_name(identifier):
    """Raise now (at compile time) for an unknown metric name."""
    if isinstance(identifier, str) and identifier.lower() not in ACCURACY_NAMES:
        get(identifier)

