"""``Metric``: a stateful running value (``update_state``, ``result``, ``reset_state``)."""
import numpy as np

from deepbasics.registry import snake_case


class Metric:
    # True when update_state on two batches equals update_state on the two joined: its state is
    # a sum over samples, so the training loop may gather batches and update once
    sums_over_samples = False

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
                # accuracies: an integer count (ufuncs called directly: np.count_nonzero and
                # np.size add Python frames per training step)
                self.total += int(np.add.reduce(values, axis=None, dtype=np.intp))
                self.count += values.size
                return
            self.total += float(np.sum(values, dtype=np.float64))
            self.count += np.size(values)
            return
        values = np.asarray(values, dtype=np.float64)
        w = np.asarray(sample_weight, dtype=np.float64)
        if w.ndim == values.ndim + 1 and w.shape[-1] == 1:  # (n, 1) weights for (n,) values (Keras)
            w = w[..., 0]
        w = np.broadcast_to(w, values.shape)
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


class LossMetric(MeanMetricWrapper):
    """Any loss as a metric: the running mean of its per-sample values (no graph recorded)."""

    def __init__(self, loss, name=None):
        self.loss = loss
        super().__init__(self._values, name or loss.name)

    def _values(self, y_true, y_pred):
        from deepbasics.autodiff import no_grad

        with no_grad():
            per = type(self.loss).from_config({**self.loss.get_config(), "reduction": "none"})(y_true, y_pred)
        return per.numpy()
