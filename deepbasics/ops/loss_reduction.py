"""What every loss op shares: per-sample weights and Keras's reductions."""
import numpy as np

from deepbasics.autodiff import Function

REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean")


class LossFunction(Function):
    """A loss node: per-element losses ``l`` (over all but the class axis), weighted, reduced.

    ``sum_over_batch_size`` (Keras's default, alias ``mean``): L = sum(w l) / size(l);
    ``sum``: L = sum(w l); ``none``: the weighted per-element losses.
    """

    def __init__(self, reduction="sum_over_batch_size"):
        if reduction not in REDUCTIONS:
            raise ValueError(f"Invalid reduction {reduction!r}. Expected one of {REDUCTIONS}.")
        self.reduction = reduction

    def reduce(self, per, weights):
        self.weights, self.loss_shape = weights, per.shape
        if weights is not None:
            per = per * weights
        if self.reduction == "none":
            return per
        total = per.sum(dtype=per.dtype)
        if self.reduction == "sum":
            return total
        return total / max(per.size, 1)

    def reduce_dot(self, a, b, weights, sign=1.0):
        """Reduce l = sign * sum_k a_k b_k: one dot product when nothing is weighted (no
        per-sample array is built; the training loop's common case)."""
        if weights is not None or self.reduction == "none":
            return self.reduce(sign * np.sum(a * b, axis=-1), weights)
        self.weights, self.loss_shape = None, a.shape[:-1]
        total = np.vdot(a, b) * sign  # NumPy scalars: far cheaper than array operations
        if self.reduction != "sum":
            total = total / max(_size(self.loss_shape), 1)
        return np.asarray(total, dtype=b.dtype)

    def upstream(self, gy):
        """d(out)/d(l) * gy with a trailing axis, ready to scale a per-class gradient."""
        g = gy.item() if gy.ndim == 0 else gy  # a Python float scales float32 without upcasting
        if self.reduction in ("sum_over_batch_size", "mean"):
            g = g / max(_size(self.loss_shape), 1)
        if self.weights is not None:
            g = g * self.weights
        if isinstance(g, float) or g.ndim == 0:
            return g  # a scalar broadcasts by itself
        return g.reshape(self.loss_shape + (1,)) if g.shape != self.loss_shape + (1,) else g


def _size(shape):
    n = 1
    for s in shape:
        n *= s
    return n
