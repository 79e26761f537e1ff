"""What ``compile`` fixes: the loss object and the metrics, resolved on the first batch."""
import numpy as np

from deepbasics import losses, metrics as metrics_module


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

    def build(self, y_true, y_pred):
        if self.metrics is None:
            self.metrics = [metrics_module.get(m, y_true, y_pred) for m in self.identifiers]

    def update(self, loss_value, batch_size, y_true, y_pred, sample_weight=None):
        if self.metrics is None:
            self.build(y_true, y_pred)
        # Keras's loss tracker: the batch-size-weighted mean of the batch losses
        self.loss_tracker.total += float(loss_value) * batch_size
        self.loss_tracker.count += batch_size
        for m in self.metrics:
            m.update_state(y_true, y_pred, sample_weight)

    def reset(self):
        self.loss_tracker.reset_state()
        for m in self.metrics or ():
            m.reset_state()

    def results(self, prefix=""):
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
