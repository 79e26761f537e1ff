"""``Callback``: the hooks ``fit``, ``evaluate`` and ``predict`` call, and the list that calls them."""
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
    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)  # Keras 2's name still works

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


HOOKS = [name for name in vars(Callback) if name.startswith("on_")]
ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _overrides(cb, hook):
    """Whether ``cb`` does something in ``hook`` (a method override or a function attribute)."""
    fn = getattr(cb, hook)
    return getattr(fn, "__func__", fn) is not getattr(Callback, hook)


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
                   if _overrides(cb, hook) or (hook in ALIASES and _overrides(cb, ALIASES[hook]))]
            for hook in HOOKS
        }

    def wants(self, hook):
        return bool(self._active[hook])

    def call(self, hook, *args):
        for fn in self._active[hook]:
            fn(*args)


def to_float_logs(logs):
    """Logs as plain Python floats, keys sorted like Keras 3 (``val_*`` keys after)."""
    items = sorted(logs.items(), key=lambda kv: (kv[0].startswith("val_"), kv[0]))
    return {k: float(np.asarray(v)) for k, v in items}
