"""Losses by Keras name, as functions (per-sample values) and classes (reduced, weighted).

``categorical_crossentropy`` follows Keras: probabilities are clipped to [eps, 1 - eps]; with
``from_logits=True`` it is ``-sum(y log_softmax(z))``. When the prediction came from a softmax
(or sigmoid) layer, the loss is computed from its logits instead, as Keras's TensorFlow backend
does: the same value wherever clipping is inactive, and the stable gradient ``(p - y) / n``.
"""
import warnings

import numpy as np

from deepbasics import ops
from deepbasics.autodiff import Tensor
from deepbasics.registry import resolve, snake_case


class Loss:
    """Base: ``loss(y_true, y_pred, sample_weight=None) -> scalar Tensor``."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.reduction = reduction

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true = np.asarray(getattr(y_true, "data", y_true))
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=_dtype(y_pred))
        return self.call(y_true, _tensor(y_pred), sample_weight, self.reduction)

    def call(self, y_true, y_pred, weights, reduction):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


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
        if self.from_logits and y_pred._keras_logits is not None:
            warnings.warn(
                "`categorical_crossentropy` received `from_logits=True`, but the `output` argument "
                "was produced by a Softmax activation and thus does not represent logits. "
                "Was this intended?", stacklevel=3)
        if self.from_logits:
            return ops.softmax_cross_entropy(y_pred, y, weights, reduction)
        if y_pred._keras_logits is not None:
            return ops.softmax_cross_entropy(y_pred._keras_logits, y, weights, reduction, probs=y_pred)
        return ops.categorical_crossentropy(y_pred, y, weights, reduction)

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
        logits = y_pred if self.from_logits else y_pred._keras_logits
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
        logits = y_pred if self.from_logits else y_pred._keras_logits
        if logits is not None:
            return ops.sigmoid_binary_crossentropy(logits, y, weights, reduction)
        return ops.binary_crossentropy(y_pred, y, weights, reduction)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing, "axis": self.axis}


class MeanSquaredError(Loss):
    """L = mean (y - p)^2."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(name, reduction)

    def call(self, y_true, y_pred, weights, reduction):
        y = y_true.astype(y_pred.dtype, copy=False)
        if y.ndim == y_pred.ndim - 1:
            y = y[..., None]
        return ops.mean_squared_error(y_pred, y, weights, reduction)


def _per_sample(cls):
    def loss_fn(y_true, y_pred, **kwargs):
        return cls(reduction="none", **kwargs)(y_true, y_pred)

    loss_fn.__name__ = snake_case(cls.__name__)
    loss_fn.__doc__ = f"Per-sample {cls.__doc__}"
    loss_fn.loss_class = cls
    return loss_fn


categorical_crossentropy = _per_sample(CategoricalCrossentropy)
sparse_categorical_crossentropy = _per_sample(SparseCategoricalCrossentropy)
binary_crossentropy = _per_sample(BinaryCrossentropy)
mean_squared_error = _per_sample(MeanSquaredError)

ALL_LOSSES = {
    "CategoricalCrossentropy": CategoricalCrossentropy,
    "SparseCategoricalCrossentropy": SparseCategoricalCrossentropy,
    "BinaryCrossentropy": BinaryCrossentropy,
    "MeanSquaredError": MeanSquaredError,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
}


class LossFunctionWrapper(Loss):
    """Wraps a user's ``fn(y_true, y_pred) -> per-sample Tensor`` with a reduction."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None):
        super().__init__(name or getattr(fn, "__name__", "loss"), reduction)
        self.fn = fn

    def call(self, y_true, y_pred, weights, reduction):
        per = _tensor(self.fn(y_true, y_pred))
        if weights is not None:
            per = per * weights
        if reduction == "none":
            return per
        return per.sum() if reduction == "sum" else per.mean()


def get(identifier):
    """A ``Loss`` from a Keras name, a config dict, a Loss class/instance, or a function."""
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if hasattr(identifier, "loss_class"):
        return identifier.loss_class()
    if callable(identifier) and not isinstance(identifier, type):
        return LossFunctionWrapper(identifier)
    return resolve(identifier, "loss", ALL_LOSSES, base=Loss)


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


def _dtype(x):
    return getattr(x, "dtype", np.float32)

