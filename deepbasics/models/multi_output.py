"""Several outputs: a loss per output (list or dict by output name), ``loss_weights``, metrics
per output, and Keras 3's log names: ``loss`` (the weighted total), ``<output>_loss``,
``<output>_<metric>``."""
from deepbasics import losses
from deepbasics.models.compile_state import CompiledMetrics


def _per_output(value, names, what, default=None):
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"`{what}` names unknown outputs {unknown}; the outputs are {names}.")
        return [value.get(n, default) for n in names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(f"`{what}` has {len(value)} entries for {len(names)} outputs {names}.")
        return list(value)
    return [value] * len(names)


class MultiOutputState:
    """Stands in for ``CompiledMetrics`` when a model has several outputs."""

    def __init__(self, names, loss, loss_weights, metrics):
        if loss is None:
            raise ValueError("compile() needs a `loss`: one for all outputs, or a list/dict with one per output.")
        self.names_out = names
        self.losses = [losses.get(item) for item in _per_output(loss, names, "loss")]
        self.weights = [1.0 if w is None else float(w) for w in _per_output(loss_weights, names, "loss_weights")]
        per_metrics = _per_output(metrics, names, "metrics", default=[]) if isinstance(metrics, dict) \
            else [metrics] * len(names)
        self.trackers = [CompiledMetrics(m) for m in per_metrics]
        self.total = CompiledMetrics([])
        self.loss_values = [0.0] * len(names)

    def compute(self, ys, outs, weights):
        total = None
        for i, (loss, w, y, out) in enumerate(zip(self.losses, self.weights, ys, outs)):
            value = loss(y, out, weights)
            self.loss_values[i] = value.data
            term = value * w if w != 1.0 else value
            total = term if total is None else total + term
        return total

    def update(self, loss_value, batch_size, ys, outs, weights=None):
        self.total.update(loss_value, batch_size, ys[0], outs[0])
        for tracker, value, y, out in zip(self.trackers, self.loss_values, ys, outs):
            tracker.update(value, batch_size, y, out, weights)

    def reset(self):
        self.total.reset()
        for tracker in self.trackers:
            tracker.reset()

    def results(self, prefix=""):
        logs = {prefix + "loss": self.total.loss_tracker.result()}
        for name, tracker in zip(self.names_out, self.trackers):
            for key, value in tracker.results().items():
                logs[f"{prefix}{name}_{key}"] = value
        return logs

    def names(self):
        out = ["loss"] + [f"{n}_loss" for n in self.names_out]
        for name, tracker in zip(self.names_out, self.trackers):
            out += [f"{name}_{m}" for m in tracker.names()[1:]]
        return out
