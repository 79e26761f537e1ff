"""ModelCheckpoint, BackupAndRestore and resuming: real files, a real interrupted fit, a real kill."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

pytest.importorskip("h5py")

from deepbasics import layers  # noqa: E402
from deepbasics.callbacks import BackupAndRestore, Callback, ModelCheckpoint  # noqa: E402
from deepbasics.models import Sequential, load_model  # noqa: E402
from deepbasics.utils import set_random_seed  # noqa: E402


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 5)).astype(np.float32)
    return x, np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)]


def _model(optimizer="adam"):
    model = Sequential([layers.Input((5,)), layers.Dense(8, activation="relu"), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_filepath_template_gets_epoch_and_logs(tmp_path):
    x, y = _data()
    template = str(tmp_path / "w.{epoch:02d}-{val_loss:.2f}.keras")
    _model().fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0,
                 callbacks=[ModelCheckpoint(template)])
    names = sorted(os.listdir(tmp_path))
    assert [n[:5] for n in names] == ["w.01-", "w.02-", "w.03-"] and all(n.endswith(".keras") for n in names)
    reloaded = load_model(tmp_path / names[-1])
    assert reloaded.count_params() == 8 * 5 + 8 + 8 * 3 + 3


def test_save_best_only_writes_only_improvements(tmp_path, capsys):
    x, y = _data()
    seen = []

    class Record(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((logs["val_loss"], os.path.getmtime(path) if os.path.exists(path) else None))

    path = str(tmp_path / "best.keras")
    model = _model(optimizer="sgd")
    model.fit(x, y, epochs=6, batch_size=16, validation_split=0.25, verbose=0,
              callbacks=[ModelCheckpoint(path, save_best_only=True, verbose=1), Record()])
    out = capsys.readouterr().out
    losses = [v for v, _ in seen]
    improvements = sum(1 for i, v in enumerate(losses) if v < min(losses[:i], default=np.inf))
    assert out.count("saving model to") == improvements
    assert "Epoch 1: val_loss improved from None to" in out
    best = load_model(path)
    np.testing.assert_allclose(best.evaluate(x[48:], y[48:], verbose=0)[0], min(losses), rtol=1e-5)


def test_mode_max_and_initial_value_threshold(tmp_path):
    x, y = _data()
    path = tmp_path / "acc.keras"
    _model().fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0,
                 callbacks=[ModelCheckpoint(str(path), monitor="val_accuracy", save_best_only=True,
                                            initial_value_threshold=1.01)])
    assert not path.exists()  # accuracy never beats 1.01


def test_save_freq_in_batches_and_weights_only(tmp_path):
    x, y = _data()
    template = str(tmp_path / "b{epoch}-{batch}.weights.h5")
    _model().fit(x, y, epochs=2, batch_size=16, verbose=0,
                 callbacks=[ModelCheckpoint(template, save_weights_only=True, save_freq=3)])
    assert sorted(os.listdir(tmp_path)) == ["b1-3.weights.h5", "b2-2.weights.h5"]  # batches 3 and 6 of 8


@pytest.mark.parametrize("kwargs, message", [
    ({"filepath": "w.keras", "save_weights_only": True}, "must end in `.weights.h5`"),
    ({"filepath": "w.pkl"}, "must end in `.keras`"),
    ({"filepath": "w.keras", "save_freq": 0}, "`save_freq` must be 'epoch' or a positive integer"),
    ({"filepath": "w.keras", "mode": "best"}, "`mode` must be 'auto', 'min' or 'max'"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ModelCheckpoint(**kwargs)


class Interrupt(Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise KeyboardInterrupt("simulated crash")


def test_backup_and_restore_resumes_bit_identically(tmp_path):
    x, y = _data()
    set_random_seed(3)
    whole = _model()
    whole.fit(x, y, epochs=5, batch_size=16, verbose=0)

    set_random_seed(3)
    model = _model()
    backup = BackupAndRestore(tmp_path / "backup")
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[backup, Interrupt(3)])
    assert sorted(os.listdir(tmp_path / "backup")) == ["latest.weights.h5", "training_metadata.json"]
    restarted = _model()  # a fresh process would build a fresh model: different weights, no state
    history = restarted.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[backup])
    assert history.epoch == [3, 4]
    for a, b in zip(whole.get_weights(), restarted.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert os.listdir(tmp_path / "backup") == []  # deleted once fit completed


def test_fit_save_load_fit_equals_one_fit(tmp_path):
    x, y = _data()
    set_random_seed(11)
    whole = _model()
    whole.fit(x, y, epochs=4, batch_size=16, verbose=0)

    set_random_seed(11)
    first = _model()
    first.fit(x, y, epochs=2, batch_size=16, verbose=0)
    first.save(tmp_path / "half.keras")
    resumed = load_model(tmp_path / "half.keras")
    assert resumed.optimizer.iterations == first.optimizer.iterations == 8
    resumed.fit(x, y, initial_epoch=2, epochs=4, batch_size=16, verbose=0)
    for a, b in zip(whole.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)


SAVER = textwrap.dedent("""
    import sys
    import numpy as np
    from deepbasics import layers
    from deepbasics.models import Sequential
    model = Sequential([layers.Input((64,)), layers.Dense(256), layers.Dense(256), layers.Dense(10)])
    model.compile("adam", "mse")
    path, i = sys.argv[1], 0
    print("ready", flush=True)
    while True:  # save again and again until killed; each save's weights say which one it was
        i += 1
        model.set_weights([np.full(w.shape, i, np.float32) for w in model.get_weights()])
        model.save(path)
""")


def test_a_process_killed_while_saving_leaves_the_previous_file_loadable(tmp_path):
    path = tmp_path / "model.keras"
    script = tmp_path / "saver.py"
    script.write_text(SAVER)
    rng = np.random.default_rng(0)
    for _ in range(4):
        child = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 10
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(float(rng.uniform(0.05, 0.4)))  # somewhere in the middle of some save
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        loaded = load_model(path)  # whole and valid, whichever save it was
        values = {float(np.unique(w)[0]) for w in loaded.get_weights()}
        assert len(values) == 1 and all(len(np.unique(w)) == 1 for w in loaded.get_weights())
    leftovers = [p for p in os.listdir(tmp_path) if p not in ("model.keras", "saver.py")]
    assert all(p.endswith(".part") for p in leftovers)  # at most a killed save's temporary file
