"""Metrics from confusion counts: Precision, Recall, AUC (binary or per-label predictions)."""
import numpy as np

from deepbasics import backend
from deepbasics.metrics.metric import Metric


def _flat(y_true, y_pred, sample_weight):
    y_true = np.asarray(y_true).reshape(-1) > 0.5
    y_pred = np.asarray(y_pred).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must hold as many values: {y_true.size} and {y_pred.size}.")
    if sample_weight is None:
        return y_true, y_pred, np.ones(y_pred.size)
    w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    return y_true, y_pred, np.repeat(w, y_pred.size // w.size)  # one weight per sample's row


class _ThresholdCounts(Metric):
    """tp, fp, fn (and tn) counts of ``y_pred > threshold`` against ``y_true``."""

    sums_over_samples = True

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        if top_k is not None or class_id is not None:
            raise ValueError(f"{type(self).__name__}: `top_k` and `class_id` are not supported yet.")
        self.thresholds = np.atleast_1d(0.5 if thresholds is None else np.asarray(thresholds, dtype=np.float64))
        if np.any((self.thresholds < 0) | (self.thresholds > 1)):
            raise ValueError(f"Threshold values must be in [0, 1], received thresholds={thresholds!r}")
        self._scalar = thresholds is None or np.ndim(thresholds) == 0
        super().__init__(name)

    def reset_state(self):
        n = len(self.thresholds)
        self.tp, self.fp, self.fn, self.tn = (np.zeros(n) for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred, w = _flat(y_true, y_pred, sample_weight)
        positive = y_pred[:, None] > self.thresholds[None, :]
        truth = y_true[:, None]
        self.tp += ((positive & truth) * w[:, None]).sum(0)
        self.fp += ((positive & ~truth) * w[:, None]).sum(0)
        self.fn += ((~positive & truth) * w[:, None]).sum(0)
        self.tn += ((~positive & ~truth) * w[:, None]).sum(0)

    def _finish(self, values):
        return float(values[0]) if self._scalar else values

    def get_config(self):
        return {"name": self.name, "thresholds": None if self._scalar else self.thresholds.tolist()}


class Precision(_ThresholdCounts):
    """tp / (tp + fp) at ``thresholds`` (0.5 by default)."""

    def result(self):
        return self._finish(np.divide(self.tp, self.tp + self.fp, out=np.zeros_like(self.tp),
                                      where=(self.tp + self.fp) > 0))


class Recall(_ThresholdCounts):
    """tp / (tp + fn) at ``thresholds`` (0.5 by default)."""

    def result(self):
        return self._finish(np.divide(self.tp, self.tp + self.fn, out=np.zeros_like(self.tp),
                                      where=(self.tp + self.fn) > 0))


class AUC(_ThresholdCounts):
    """Area under the ROC curve from counts at ``num_thresholds`` thresholds (Keras's grid:
    -eps, 1/(n-1), ..., (n-2)/(n-1), 1+eps), summed with the trapezoid rule."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None,
                 dtype=None, thresholds=None, multi_label=False, num_labels=None, label_weights=None,
                 from_logits=False):
        if curve != "ROC" or summation_method != "interpolation" or multi_label or label_weights is not None:
            raise ValueError("AUC: only curve='ROC' with summation_method='interpolation' on single-label "
                             f"predictions is supported yet; received curve={curve!r}, "
                             f"summation_method={summation_method!r}, multi_label={multi_label!r}.")
        if num_thresholds <= 1:
            raise ValueError(f"`num_thresholds` must be > 1, received num_thresholds={num_thresholds!r}")
        inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        # the grid reaches just past 0 and 1, outside what a user threshold may be: set it directly
        self.thresholds = np.asarray([0.0 - backend.epsilon()] + inner + [1.0 + backend.epsilon()])
        self._scalar = False
        self.num_thresholds, self.from_logits = num_thresholds, from_logits
        Metric.__init__(self, name)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.from_logits:
            y_pred = 0.5 * np.tanh(0.5 * np.asarray(y_pred, dtype=np.float64)) + 0.5
        super().update_state(y_true, y_pred, sample_weight)

    def result(self):
        tpr = np.divide(self.tp, self.tp + self.fn, out=np.zeros_like(self.tp), where=(self.tp + self.fn) > 0)
        fpr = np.divide(self.fp, self.fp + self.tn, out=np.zeros_like(self.fp), where=(self.fp + self.tn) > 0)
        return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2))

    def get_config(self):
        return {"name": self.name, "num_thresholds": self.num_thresholds, "from_logits": self.from_logits}
