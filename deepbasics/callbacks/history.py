"""``History`` records per-epoch logs (``fit`` returns it); ``ProgbarLogger`` draws the bar."""
from deepbasics.callbacks.callback import Callback


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
