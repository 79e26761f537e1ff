"""``ModelCheckpoint`` and ``BackupAndRestore``: save during ``fit``, and pick up after a crash.

Both write through ``model.save`` / ``model.save_weights``, which write atomically (a temporary
file in the same folder, flushed, fsynced, then renamed): a process killed mid-save leaves the
previous file whole.
"""
import contextlib
import json
import os
import shutil
import warnings

from deepbasics import backend
from deepbasics.callbacks.callback import Callback
from deepbasics.callbacks.monitor import Monitor
from deepbasics.utils.files import write_json


def _check_save_freq(save_freq, owner):
    if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
        raise ValueError(f"{owner}: `save_freq` must be 'epoch' or a positive integer (a number of batches), "
                         f"received save_freq={save_freq!r}")


class _BatchCounter:
    """Counts batches across epochs; ``due(batch)`` is True every ``every`` batches."""

    def __init__(self, every):
        self.every, self.seen = every, 0

    def due(self):
        self.seen += 1
        if self.seen >= self.every:
            self.seen = 0
            return True
        return False


class ModelCheckpoint(Callback):
    """Save the model (or its weights) during training, Keras 3's way.

    ``filepath`` may hold ``{epoch}``, ``{batch}`` and any log, formatted with Python's
    ``str.format``: ``'ckpt/w.{epoch:02d}-{val_loss:.2f}.keras'``. It must end in ``.keras`` or
    ``.h5`` (the whole model), or ``.weights.h5`` with ``save_weights_only=True``.
    ``save_best_only`` keeps only improvements of ``monitor`` (``mode`` min/max/auto, better
    than ``initial_value_threshold`` if given); ``save_freq`` 'epoch' or every N batches.

    >>> from deepbasics.callbacks import ModelCheckpoint
    >>> keep = ModelCheckpoint("best.keras", monitor="val_accuracy", save_best_only=True)
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        if save_weights_only and not self.filepath.endswith(".weights.h5"):
            raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided "
                             f"must end in `.weights.h5` (Keras weights format). Received: filepath={self.filepath}")
        if not save_weights_only and not self.filepath.endswith((".keras", ".h5")):
            raise ValueError("The filepath provided must end in `.keras` (Keras model format) or `.h5` (Keras 2's "
                             f"HDF5). Received: filepath={self.filepath}")
        _check_save_freq(save_freq, "ModelCheckpoint")
        self.watch = Monitor(monitor, mode, 0, "ModelCheckpoint")
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only, self.save_freq = save_best_only, save_weights_only, save_freq
        self.best = initial_value_threshold
        self._epoch = 0
        self._counter = None if save_freq == "epoch" else _BatchCounter(save_freq)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._counter is not None and self._counter.due():
            self._save(self._epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _path(self, epoch, batch, logs):
        fields = dict(logs or {})
        if batch is not None and "batch" not in fields:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(epoch=epoch + 1, **fields)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}. '
                           f"The logs hold: {sorted(fields)}.") from None

    def _should_save(self, epoch, logs, path):
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", UserWarning, stacklevel=3)
            return True
        best_text = "None" if self.best is None else f"{self.best:.5f}"
        if self.best is None or self.watch.improved(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best_text} to {current:.5f}, "
                      f"saving model to {path}")
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_text}")
        return False

    def _save(self, epoch, batch, logs):
        path = self._path(epoch, batch, logs)
        if os.path.isdir(path):
            raise IsADirectoryError(f"Please specify a non-directory filepath for ModelCheckpoint. "
                                    f"Filepath used is an existing directory: {path}")
        if not self._should_save(epoch, logs, path):
            return
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)


class BackupAndRestore(Callback):
    """Back up the training state in ``backup_dir``; a later ``fit`` with the same callback
    resumes from it (weights, optimizer state, the epoch to start at, the shuffling seed).

    The model is expected to be the same as the one backed up. The backup is deleted when
    ``fit`` completes (``delete_checkpoint=True``). ``double_checkpoint`` keeps the previous
    state too and falls back to it when the latest cannot be read.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        _check_save_freq(save_freq, "BackupAndRestore")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq, self.double_checkpoint, self.delete_checkpoint = save_freq, double_checkpoint, delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._epoch = 0
        self._counter = None if save_freq == "epoch" else _BatchCounter(save_freq)

    def on_train_begin(self, logs=None):
        if not os.path.exists(self._weights_path):
            return
        try:
            self._restore(self._weights_path, self._metadata_path)
        except (OSError, ValueError):
            backup = self._weights_path + ".bkp"
            if not self.double_checkpoint or not os.path.exists(backup):
                raise
            self._restore(backup, self._metadata_path + ".bkp")

    def _restore(self, weights_path, metadata_path):
        self.model.load_weights(weights_path)
        if os.path.exists(metadata_path):
            with open(metadata_path, encoding="utf-8") as f:
                metadata = json.load(f)
            self.model._initial_epoch = int(metadata["epoch"])
            if "shuffle_seed" in metadata:
                backend.set_shuffle_seed(metadata["shuffle_seed"])

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._counter is not None and self._counter.due():
            self._backup(self._epoch)  # a restart repeats this epoch from these weights, as Keras does

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._backup(epoch + 1)

    def _backup(self, next_epoch):
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._weights_path):
            for path in (self._weights_path, self._metadata_path):
                if os.path.exists(path):
                    shutil.copyfile(path, path + ".bkp")
        self.model.save_weights(self._weights_path, overwrite=True)
        write_json(self._metadata_path, {"epoch": next_epoch, "shuffle_seed": backend.shuffle_seed()})

    def on_train_end(self, logs=None):
        if self.delete_checkpoint:
            for path in (self._weights_path, self._metadata_path):
                for name in (path, path + ".bkp"):
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(name)
