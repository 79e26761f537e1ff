"""What EarlyStopping and ReduceLROnPlateau share: which way a monitored value improves."""
import warnings

import numpy as np


class Monitor:
    """``improved(current, reference)``: better by more than ``min_delta`` in the right direction.

    mode 'auto': maximise accuracies and AUC (names ending in 'acc', 'accuracy', 'auc'),
    minimise everything else (losses, errors), as Keras decides.
    """

    def __init__(self, monitor, mode, min_delta, owner):
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{owner}: `mode` must be 'auto', 'min' or 'max', received mode={mode!r}")
        if mode == "auto":
            name = monitor.lower()
            mode = "max" if name.endswith(("acc", "accuracy", "auc")) else "min"
        self.monitor, self.mode, self.owner = monitor, mode, owner
        self.min_delta = abs(min_delta)

    def improved(self, current, reference):
        if self.mode == "max":
            return current - self.min_delta > reference
        return current + self.min_delta < reference

    def worst(self):
        return -np.inf if self.mode == "max" else np.inf

    def read(self, logs):
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(
                f"{self.owner} is conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {', '.join(sorted(logs or {}))}.", UserWarning, stacklevel=3)
        return value
