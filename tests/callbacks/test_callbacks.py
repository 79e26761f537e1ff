import csv
import math

import numpy as np
import pytest

import deepbasics as db
from deepbasics import callbacks


def _model(lr=0.05):
    db.utils.set_random_seed(0)
    model = db.Sequential([db.layers.Dense(8, input_dim=4, activation="relu"), db.layers.Dense(1)])
    model.compile(optimizer=db.optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 4)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5], [0.0]])).astype("float32")


def test_hook_order_of_fit():
    class Order(callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_train_begin(self, logs=None): self.seen.append("train_begin")
        def on_epoch_begin(self, epoch, logs=None): self.seen.append(f"epoch_begin {epoch}")
        def on_train_batch_end(self, batch, logs=None): self.seen.append(f"batch_end {batch}")
        def on_epoch_end(self, epoch, logs=None): self.seen.append(f"epoch_end {epoch}")
        def on_train_end(self, logs=None): self.seen.append("train_end")

    x, y = _data(8)
    order = Order()
    _model().fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[order])
    assert order.seen == ["train_begin", "epoch_begin 0", "batch_end 0", "batch_end 1", "epoch_end 0",
                          "epoch_begin 1", "batch_end 0", "batch_end 1", "epoch_end 1", "train_end"]


def test_keras2_on_batch_end_is_called():
    class Old(callbacks.Callback):
        count = 0

        def on_batch_end(self, batch, logs=None):
            Old.count += 1

    x, y = _data(8)
    _model().fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[Old()])
    assert Old.count == 2


def test_early_stopping_stops_and_restores_best():
    x, y = _data()
    model = _model(lr=0.5)  # too large: the validation loss soon stops improving
    stop = callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    hist = model.fit(x, y, epochs=50, verbose=0, callbacks=[stop], shuffle=False)
    losses = hist.history["loss"]
    assert len(losses) < 50 and stop.stopped_epoch == len(losses) - 1
    best = int(np.argmin(losses))
    assert stop.best_epoch == best
    assert losses[-1] >= losses[best]


def test_early_stopping_mode_auto_maximises_accuracy():
    assert callbacks.EarlyStopping(monitor="val_accuracy").watch.mode == "max"
    assert callbacks.EarlyStopping(monitor="val_loss").watch.mode == "min"
    with pytest.raises(ValueError, match="mode"):
        callbacks.EarlyStopping(mode="sideways")


def test_early_stopping_warns_on_missing_metric():
    x, y = _data(8)
    with pytest.warns(UserWarning, match="val_loss.*not available"):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.EarlyStopping()])


def test_learning_rate_scheduler_sets_and_logs():
    x, y = _data(8)
    model = _model()
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    hist = model.fit(x, y, epochs=3, verbose=0, callbacks=[sched])
    np.testing.assert_allclose(hist.history["learning_rate"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    one_arg = callbacks.LearningRateScheduler(lambda epoch: 0.02)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[one_arg])
    assert model.optimizer.learning_rate == pytest.approx(0.02)


def test_reduce_lr_on_plateau():
    x, y = _data()
    model = _model(lr=0.008)
    # min_delta so large that no epoch after the first counts as an improvement: a plateau
    cb = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, min_delta=1e3)
    model.fit(x, y, epochs=5, verbose=0, callbacks=[cb])
    # epoch 0 sets the best; epochs 1, 2 wait -> cut to 0.004; epochs 3, 4 -> 0.002
    assert model.optimizer.learning_rate == pytest.approx(0.002)
    with pytest.raises(ValueError, match="factor"):
        callbacks.ReduceLROnPlateau(factor=1.5)


def test_csv_logger(tmp_path):
    x, y = _data(8)
    path = tmp_path / "log.csv"
    hist = _model().fit(x, y, epochs=2, verbose=0, validation_split=0.25, callbacks=[callbacks.CSVLogger(path)])
    rows = _rows(path)
    assert list(rows[0]) == ["epoch", "loss", "val_loss"]
    assert [int(r["epoch"]) for r in rows] == [0, 1]
    assert float(rows[1]["loss"]) == pytest.approx(hist.history["loss"][1])
    _model().fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(path, append=True)])
    assert len(_rows(path)) == 3


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_lambda_callback_and_unknown_hook():
    seen = []
    cb = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, round(logs["loss"], 6))))
    x, y = _data(8)
    hist = _model().fit(x, y, epochs=2, verbose=0, callbacks=[cb])
    assert seen == [(0, round(hist.history["loss"][0], 6)), (1, round(hist.history["loss"][1], 6))]
    with pytest.raises(TypeError, match="on_epoch_ended"):
        callbacks.LambdaCallback(on_epoch_ended=print)


def test_terminate_on_nan(capsys):
    x, y = _data()
    y[5] = 1e30  # squared: inf
    model = _model()
    with np.errstate(over="ignore", invalid="ignore"):  # the divergence is the point here
        hist = model.fit(x, y, batch_size=4, epochs=3, verbose=0, callbacks=[callbacks.TerminateOnNaN()])
    assert "Invalid loss, terminating training" in capsys.readouterr().out
    assert len(hist.history["loss"]) == 1 and not math.isfinite(hist.history["loss"][0])
    with pytest.raises(RuntimeError, match="NaN or Inf"), np.errstate(over="ignore", invalid="ignore"):
        _model().fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[callbacks.TerminateOnNaN(raise_error=True)])


def test_stop_training_flag():
    class StopAtOne(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    x, y = _data(8)
    hist = _model().fit(x, y, epochs=10, verbose=0, callbacks=[StopAtOne()])
    assert hist.epoch == [0, 1]


def test_non_callback_is_rejected():
    x, y = _data(8)
    with pytest.raises(TypeError, match="Callback"):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[print])


def test_evaluate_and_predict_hooks():
    class Seen(callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_test_begin(self, logs=None): self.seen.append("test_begin")
        def on_test_batch_end(self, batch, logs=None): self.seen.append(f"test_batch {batch}")
        def on_test_end(self, logs=None): self.seen.append("test_end")
        def on_predict_begin(self, logs=None): self.seen.append("predict_begin")
        def on_predict_batch_end(self, batch, logs=None): self.seen.append(f"predict_batch {batch}")
        def on_predict_end(self, logs=None): self.seen.append("predict_end")

    x, y = _data(8)
    model, seen = _model(), Seen()
    model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[seen])
    model.predict(x, batch_size=8, verbose=0, callbacks=[seen])
    assert seen.seen == ["test_begin", "test_batch 0", "test_batch 1", "test_end",
                         "predict_begin", "predict_batch 0", "predict_end"]
