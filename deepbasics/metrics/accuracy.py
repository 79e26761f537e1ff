"""Accuracy metrics: binary, categorical, sparse categorical, and top-k."""
import numpy as np

from deepbasics.metrics.metric import MeanMetricWrapper


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1 where (p > threshold) == y, per sample (mean over the last axis)."""
    y_true = np.asarray(y_true)
    if y_true.ndim == y_pred.ndim - 1:
        y_true = y_true[..., None]
    return np.mean((y_pred > threshold) == (y_true > 0.5), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1 where argmax p == argmax y (the first maximum wins)."""
    if type(y_true) is not np.ndarray:
        y_true = np.asarray(y_true)
    return y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where argmax p == the integer label."""
    y_true = np.asarray(y_true)
    if y_true.ndim == y_pred.ndim:
        y_true = y_true.reshape(y_pred.shape[:-1])
    return np.argmax(y_pred, axis=-1) == y_true


class BinaryAccuracy(MeanMetricWrapper):
    sums_over_samples = True

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name, threshold=threshold)

    def get_config(self):
        return {"name": self.name, "threshold": self.kwargs["threshold"]}


class CategoricalAccuracy(MeanMetricWrapper):
    sums_over_samples = True

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    sums_over_samples = True

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the true class (argmax of one-hot y) is among the k highest predictions."""
    return sparse_top_k_categorical_accuracy(np.asarray(y_true).argmax(axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the integer label is among the k highest predictions."""
    y_true = np.asarray(y_true).reshape(y_pred.shape[:-1]).astype(np.intp)
    true_score = np.take_along_axis(y_pred, y_true[..., None], axis=-1)
    return np.sum(y_pred > true_score, axis=-1) < k  # fewer than k classes score higher


class TopKCategoricalAccuracy(MeanMetricWrapper):
    sums_over_samples = True

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name, k=k)

    def get_config(self):
        return {"name": self.name, "k": self.kwargs["k"]}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    sums_over_samples = True

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(sparse_top_k_categorical_accuracy, name, k=k)

    def get_config(self):
        return {"name": self.name, "k": self.kwargs["k"]}
