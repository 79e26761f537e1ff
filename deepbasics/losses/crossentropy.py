"""Cross-entropy losses. From probabilities they clip to [eps, 1 - eps] like Keras; when the
prediction came from a softmax (or sigmoid) layer they use its logits, as Keras's TensorFlow
backend does: the same value wherever clipping is inactive, and the stable gradient (p - y) / n.
"""
import warnings

from deepbasics import ops
from deepbasics.losses.loss import Loss


class CategoricalCrossentropy(Loss):
    """L = -sum_k y_k log p_k, averaged over samples. Labels one-hot (see ``to_categorical``)."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(name, reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"`label_smoothing` must be in [0, 1], received label_smoothing={label_smoothing!r}")
        if axis != -1:
            raise ValueError(f"Only axis=-1 (the class axis last) is supported, received axis={axis!r}")
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def call(self, y_true, y_pred, weights, reduction):
        y = y_true.astype(y_pred.dtype, copy=False)
        if self.label_smoothing:
            y = y * (1.0 - self.label_smoothing) + self.label_smoothing / y.shape[-1]
        logits = _logits(y_pred, self.from_logits, "categorical_crossentropy", "Softmax")
        if logits is None:
            return ops.categorical_crossentropy(y_pred, y, weights, reduction)
        probs = None if logits is y_pred else y_pred  # the softmax output, reused when it is one
        return ops.softmax_cross_entropy(logits, y, weights, reduction, probs=probs)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(Loss):
    """L = -log p[label], averaged over samples. Labels are integers (shape (n,) or (n, 1))."""

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size", name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(name, reduction)
        if ignore_class is not None:
            raise ValueError("`ignore_class` is not supported yet; pass ignore_class=None.")
        self.from_logits, self.ignore_class = from_logits, ignore_class

    def call(self, y_true, y_pred, weights, reduction):
        labels = y_true.reshape(y_pred.shape[:-1]) if y_true.ndim == y_pred.ndim else y_true
        logits = _logits(y_pred, self.from_logits, "sparse_categorical_crossentropy", "Softmax")
        if logits is not None:
            return ops.sparse_softmax_cross_entropy(logits, labels, weights, reduction)
        return ops.sparse_categorical_crossentropy(y_pred, labels, weights, reduction)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits, "ignore_class": self.ignore_class}


class BinaryCrossentropy(Loss):
    """L = -mean [y log p + (1 - y) log(1 - p)], p clipped to [eps, 1 - eps]."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(name, reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"`label_smoothing` must be in [0, 1], received label_smoothing={label_smoothing!r}")
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def call(self, y_true, y_pred, weights, reduction):
        y = y_true.astype(y_pred.dtype, copy=False)
        if y.ndim == y_pred.ndim - 1:
            y = y[..., None]
        if self.label_smoothing:
            y = y * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing
        logits = _logits(y_pred, self.from_logits, "binary_crossentropy", "Sigmoid")
        if logits is not None:
            return ops.sigmoid_binary_crossentropy(logits, y, weights, reduction)
        return ops.binary_crossentropy(y_pred, y, weights, reduction)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing, "axis": self.axis}


def _logits(y_pred, from_logits, loss_name, activation):
    """The logits to use, or None to compute from probabilities (Keras's TensorFlow backend).

    An output that carries the logits of its softmax/sigmoid is computed from them, also when
    ``from_logits=True`` was passed: then the output is not logits, and a warning says so.
    """
    cached = y_pred._keras_logits
    if cached is None:
        return y_pred if from_logits else None
    if from_logits:
        warnings.warn(
            f"`{loss_name}` received `from_logits=True`, but the `output` argument was produced "
            f"by a {activation} activation and thus does not represent logits. Was this intended?",
            stacklevel=4)
    return cached
