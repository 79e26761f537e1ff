"""Callbacks: objects whose hooks ``fit``, ``evaluate`` and ``predict`` call.

``History`` records per-epoch logs (``fit`` returns it); ``ProgbarLogger`` draws the bar.
"""
import numpy as np


class Callback:
    """Base class: override any hook. ``self.model`` and ``self.params`` are set by ``fit``."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


HOOKS = [name for name in vars(Callback) if name.startswith("on_")]


class CallbackList:
    """Calls a hook on every callback; a hook nobody overrides costs nothing per batch."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"`callbacks` must be Callback instances, received {cb!r}")
            cb.set_model(model)
            cb.set_params(params)
        self._active = {
            hook: [getattr(cb, hook) for cb in self.callbacks
                   if getattr(type(cb), hook) is not getattr(Callback, hook)]
            for hook in HOOKS
        }

    def wants(self, hook):
        return bool(self._active[hook])

    def call(self, hook, *args):
        for fn in self._active[hook]:
            fn(*args)


class History(Callback):
    """Records ``history[key]`` (one Python float per epoch) and ``epoch``."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if self.model is not None:
            self.model.history = self


class ProgbarLogger(Callback):
    """Prints ``Epoch e/E`` and the Keras progress bar (``verbose`` 1) or one line (2)."""

    def __init__(self, count_mode="steps"):
        super().__init__()
        self.progbar = None
        self.seen = 0

    def _verbose(self):
        v = self.params.get("verbose", 1)
        return 1 if v == "auto" else v

    def on_epoch_begin(self, epoch, logs=None):
        from deepbasics.utils.progbar import Progbar

        epochs = self.params.get("epochs", 1)
        if self._verbose() and epochs > 1:
            print(f"Epoch {epoch + 1}/{epochs}", flush=True)
        self.progbar = Progbar(self.params.get("steps"), verbose=self._verbose())

    def on_train_batch_end(self, batch, logs=None):
        self.progbar.update(batch + 1, logs, finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self.progbar.update(self.params.get("steps") or self.progbar._seen_so_far, logs, finalize=True)

    def on_test_begin(self, logs=None):
        if self.params.get("mode") == "evaluate":
            from deepbasics.utils.progbar import Progbar

            self.progbar = Progbar(self.params.get("steps"), verbose=self._verbose())

    def on_test_batch_end(self, batch, logs=None):
        if self.params.get("mode") == "evaluate":
            self.progbar.update(batch + 1, logs, finalize=False)

    def on_test_end(self, logs=None):
        if self.params.get("mode") == "evaluate":
            self.progbar.update(self.params.get("steps"), logs, finalize=True)

    def on_predict_begin(self, logs=None):
        from deepbasics.utils.progbar import Progbar

        self.progbar = Progbar(self.params.get("steps"), verbose=self._verbose())

    def on_predict_batch_end(self, batch, logs=None):
        self.progbar.update(batch + 1, finalize=False)

    def on_predict_end(self, logs=None):
        self.progbar.update(self.params.get("steps"), finalize=True)


def to_float_logs(logs):
    """Logs as plain Python floats, keys sorted like Keras 3 (``val_*`` keys after)."""
    items = sorted(logs.items(), key=lambda kv: (kv[0].startswith("val_"), kv[0]))
    return {k: float(np.asarray(v)) for k, v in items}
