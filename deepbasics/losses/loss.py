"""``Loss``: the base of every loss, and the wrapper that turns a per-sample function into one."""
import numpy as np

from deepbasics.autodiff import Tensor
from deepbasics.registry import snake_case


class Loss:
    """Base: ``loss(y_true, y_pred, sample_weight=None) -> scalar Tensor``."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.reduction = reduction

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true = np.asarray(getattr(y_true, "data", y_true))
        if sample_weight is not None:
            sample_weight = _per_sample_weights(sample_weight, y_pred)
        return self.call(y_true, _tensor(y_pred), sample_weight, self.reduction)

    def call(self, y_true, y_pred, weights, reduction):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


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


def per_sample(cls):
    """Keras's function form of a loss class: per-sample values, no reduction."""
    def loss_fn(y_true, y_pred, **kwargs):
        return cls(reduction="none", **kwargs)(y_true, y_pred)

    loss_fn.__name__ = snake_case(cls.__name__)
    loss_fn.__doc__ = f"Per-sample {cls.__doc__}"
    loss_fn.loss_class = cls
    return loss_fn


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


def _dtype(x):
    return getattr(x, "dtype", np.float32)


def _per_sample_weights(sample_weight, y_pred):
    """Weights as an array of y_pred's dtype; (n, 1) weights for losses of shape (n,) lose the
    trailing 1 (Keras's squeeze_or_expand_to_same_rank), so they never broadcast to (n, n)."""
    w = np.asarray(sample_weight, dtype=_dtype(y_pred))
    if w.ndim > 0 and w.ndim == np.ndim(getattr(y_pred, "data", y_pred)) and w.shape[-1] == 1:
        w = w[..., 0]
    return w
