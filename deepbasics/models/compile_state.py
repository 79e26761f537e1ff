"""What ``compile`` fixes: the loss object and the metrics, resolved on the first batch."""
import numpy as np

from deepbasics import losses, metrics as metrics_module

# batches gathered for the metrics before they are updated at once (elements of y_pred)
GATHER_LIMIT = 1 << 20


class CompiledMetrics:
    """The loss tracker plus the user's metrics, in compile order; names as passed."""

    def __init__(self, identifiers):
        if identifiers is None:
            identifiers = []
        if isinstance(identifiers, (str, dict)) or callable(identifiers):
            identifiers = [identifiers]
        if not isinstance(identifiers, (list, tuple)):
            raise TypeError(f"`metrics` must be a list, received metrics={identifiers!r}")
        for ident in identifiers:
            metrics_module.check_name(ident)
        self.identifiers = list(identifiers)
        self.loss_tracker = metrics_module.Mean(name="loss")
        self.metrics = None  # resolved on the first batch: 'accuracy' depends on the shapes
        self._pending, self._pending_size, self._pending_key = [], 0, None

    def build(self, y_true, y_pred):
        if self.metrics is None:
            self.metrics = [metrics_module.get(m, y_true, y_pred) for m in self.identifiers]
            self._at_once = [m for m in self.metrics if not m.sums_over_samples]
            self._gathered = [m for m in self.metrics if m.sums_over_samples]

    def update(self, loss_value, batch_size, y_true, y_pred, sample_weight=None):
        """Metrics that sum over samples see the batches later, several at once (``results``
        updates them first): a training step of a small model then pays no metric arithmetic."""
        if self.metrics is None:
            self.build(y_true, y_pred)
        # Keras's loss tracker: the batch-size-weighted mean of the batch losses
        self.loss_tracker.total += float(loss_value) * batch_size
        self.loss_tracker.count += batch_size
        for m in self._at_once:
            m.update_state(y_true, y_pred, sample_weight)
        if self._gathered:
            key = (y_true.shape[1:], y_true.dtype, y_pred.shape[1:],
                   None if sample_weight is None else sample_weight.shape[1:])
            if key != self._pending_key or self._pending_size >= GATHER_LIMIT:
                self._update_gathered()  # only same-shaped batches join
                self._pending_key = key
            self._pending.append((y_true, y_pred, sample_weight))
            self._pending_size += y_pred.size

    def _update_gathered(self):
        pending = self._pending
        if not pending:
            return
        y_true, y_pred, w = (parts[0] if len(pending) == 1 else
                             None if parts[0] is None else np.concatenate(parts) for parts in zip(*pending))
        for m in self._gathered:
            m.update_state(y_true, y_pred, w)
        self._pending, self._pending_size = [], 0

    def reset(self):
        self.loss_tracker.reset_state()
        self._pending, self._pending_size, self._pending_key = [], 0, None
        for m in self.metrics or ():
            m.reset_state()

    def results(self, prefix=""):
        self._update_gathered()
        logs = {prefix + "loss": self.loss_tracker.result()}
        for m in self.metrics or ():
            logs[prefix + m.name] = m.result()
        return logs

    def names(self):
        return ["loss"] + [m.name for m in self.metrics or ()]


def resolve_loss(loss):
    if loss is None:
        raise ValueError(
            "compile() needs a `loss`, for example loss='categorical_crossentropy'; received loss=None.")
    if isinstance(loss, (list, dict)):
        raise ValueError("Several losses (a list or dict) need a model with several outputs; "
                         "a Sequential model has one output: pass one loss.")
    return losses.get(loss)


def as_sample_weight(sample_weight, n):
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float32)
    if w.shape[0] != n:
        raise ValueError(f"`sample_weight` has {w.shape[0]} entries for {n} samples.")
    return w
