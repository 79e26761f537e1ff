"""Floor 4: metrics by Keras name: stateful objects with ``update_state``, ``result``, ``reset_state``.

They run on plain arrays, outside the graph. ``'accuracy'`` (or ``'acc'``) is resolved from the
shapes of the labels and predictions, as Keras 3 does, and keeps the name the user passed.
Any loss name works as a metric too (``metrics=['mae']``, ``['categorical_crossentropy']``).
"""
from deepbasics import losses
from deepbasics.metrics.accuracy import (BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                                         SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, binary_accuracy,
                                         categorical_accuracy, sparse_categorical_accuracy,
                                         sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)
from deepbasics.metrics.confusion import AUC, Precision, Recall
from deepbasics.metrics.metric import LossMetric, Mean, MeanMetricWrapper, Metric
from deepbasics.metrics.regression import (MeanAbsoluteError, MeanSquaredError, mean_absolute_error,
                                           mean_squared_error)
from deepbasics.registry import resolve, snake_case

_CLASSES = [BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
            SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError, Precision, Recall, AUC, Mean]
ALL_METRICS = {cls.__name__: cls for cls in _CLASSES}
ALL_METRICS.update({snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_METRICS.update({"mse": MeanSquaredError, "mae": MeanAbsoluteError, "auc": AUC,
                    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
                    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy})
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
    """A ``Metric`` from a Keras name, a loss name, a config dict, a class, an instance, or a
    function. 'accuracy' / 'acc' need ``y_true`` and ``y_pred`` (arrays) to pick their variant."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in ACCURACY_NAMES:
        if y_true is None:
            raise ValueError(f"Metric {identifier!r} is resolved from the data's shapes; pass y_true and y_pred.")
        return accuracy_for(identifier, y_true, y_pred)
    if isinstance(identifier, str) and identifier not in ALL_METRICS and identifier in losses.ALL_LOSSES:
        return LossMetric(losses.get(identifier), name=identifier)
    if isinstance(identifier, losses.Loss):
        return LossMetric(identifier)
    if callable(identifier) and not isinstance(identifier, type):
        return MeanMetricWrapper(identifier)
    if isinstance(identifier, str) and identifier[:1].islower() and identifier in ALL_METRICS:
        return ALL_METRICS[identifier](name=identifier)  # Keras 3 names it as passed: 'mse' logs 'mse'
    return resolve(identifier, "metric", ALL_METRICS, base=Metric,
                   extra=", 'accuracy', 'acc', a loss name, or a Metric instance")


def check_name(identifier):
    """Raise now (at compile time) for an unknown metric name."""
    if isinstance(identifier, str) and identifier.lower() not in ACCURACY_NAMES:
        get(identifier)


__all__ = ["AUC", "BinaryAccuracy", "CategoricalAccuracy", "LossMetric", "Mean", "MeanAbsoluteError",
           "MeanMetricWrapper", "MeanSquaredError", "Metric", "Precision", "Recall", "SparseCategoricalAccuracy",
           "SparseTopKCategoricalAccuracy", "TopKCategoricalAccuracy", "binary_accuracy", "categorical_accuracy",
           "get", "mean_absolute_error", "mean_squared_error", "sparse_categorical_accuracy",
           "sparse_top_k_categorical_accuracy", "top_k_categorical_accuracy"]
