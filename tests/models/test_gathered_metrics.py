"""Metrics that sum over samples see the training batches gathered (``CompiledMetrics``): the
results must be those of updating the metric batch by batch, whatever reads them and when."""
import numpy as np
import pytest

from deepbasics import metrics
from deepbasics.callbacks import Callback
from deepbasics.layers import Dense
from deepbasics.models import Sequential, compile_state
from deepbasics.models.compile_state import CompiledMetrics
from deepbasics.utils import set_random_seed, to_categorical


class BatchMeans(metrics.Metric):
    """Depends on batch boundaries (the mean of per-batch means): must see every batch alone."""

    def reset_state(self):
        self.means = []

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.means.append(float(np.mean(y_pred)))

    def result(self):
        return float(np.mean(self.means)) if self.means else 0.0


def batches(seed, sizes, classes=4, weighted=False):
    rng = np.random.default_rng(seed)
    for n in sizes:
        p = rng.random((n, classes)).astype(np.float32)
        y = np.eye(classes, dtype=np.float32)[rng.integers(0, classes, n)]
        w = rng.random(n).astype(np.float32) if weighted else None
        yield rng.random(), n, y, p, w


def by_hand(identifiers, stream):
    """Each metric updated batch by batch, as Keras does."""
    ms, total, count = [metrics.get(i) for i in identifiers], 0.0, 0
    for loss, n, y, p, w in stream:
        total, count = total + loss * n, count + n
        for m in ms:
            m.update_state(y, p, w)
    return {"loss": total / count, **{m.name: m.result() for m in ms}}


IDS = ["categorical_accuracy", "top_k_categorical_accuracy", "mse", "mae", "precision", "auc"]


@pytest.mark.parametrize("weighted", [False, True])
def test_results_equal_batch_by_batch_updates(weighted):
    state = CompiledMetrics(IDS)
    for batch in batches(0, [32, 32, 7, 32], weighted=weighted):
        state.update(*batch)
    got, want = state.results(), by_hand(IDS, batches(0, [32, 32, 7, 32], weighted=weighted))
    assert got.keys() == want.keys()
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-12, err_msg=name)


def test_reading_results_between_batches_and_reset():
    state = CompiledMetrics(["categorical_accuracy"])
    stream = list(batches(1, [16, 16, 16]))
    state.update(*stream[0])
    assert state.results()["categorical_accuracy"] == by_hand(["categorical_accuracy"], stream[:1])["categorical_accuracy"]
    for batch in stream[1:]:
        state.update(*batch)
    assert state.results() == pytest.approx(by_hand(["categorical_accuracy"], stream), rel=1e-12)
    state.update(*stream[0])
    state.reset()  # what was gathered before a reset never reaches the metric
    state.update(*stream[1])
    assert state.results() == pytest.approx(by_hand(["categorical_accuracy"], stream[1:2]), rel=1e-12)


def test_batches_of_another_shape_or_past_the_limit_are_updated_apart(monkeypatch):
    monkeypatch.setattr(compile_state, "GATHER_LIMIT", 100)  # 25 rows of 4 classes
    state = CompiledMetrics(["categorical_accuracy"])
    seen = []

    def spy(y_true, y_pred, sample_weight=None):
        seen.append(len(y_pred))
        return original(y_true, y_pred, sample_weight)

    stream = list(batches(2, [10, 10, 10, 10])) + list(batches(3, [5, 5], classes=6))
    state.update(*stream[0])
    acc = state.metrics[0]
    original = acc.update_state
    monkeypatch.setattr(acc, "update_state", spy)
    for batch in stream[1:]:
        state.update(*batch)
    result = state.results()["categorical_accuracy"]
    # 10+10+10 reach the limit; the fourth batch starts anew; 6 classes cannot join 4
    assert seen == [30, 10, 10]
    correct = sum(int((y.argmax(-1) == p.argmax(-1)).sum()) for _, _, y, p, _ in stream)
    assert result == correct / 50


def test_a_metric_that_does_not_sum_over_samples_sees_every_batch():
    state = CompiledMetrics([BatchMeans(), "categorical_accuracy"])
    stream = list(batches(4, [8, 3, 5]))
    for batch in stream:
        state.update(*batch)
    assert state.results()["batch_means"] == pytest.approx(np.mean([float(np.mean(p)) for *_, p, _ in stream]))


class EveryBatch(Callback):
    def on_train_batch_end(self, batch, logs=None):
        pass  # asking for batch logs makes fit read the metrics after every step


def test_fit_logs_the_same_with_and_without_batch_readers():
    rng = np.random.default_rng(5)
    x = rng.random((300, 12)).astype(np.float32)
    y = to_categorical(rng.integers(0, 3, 300), 3)
    logs = []
    for callbacks in ([], [EveryBatch()]):
        set_random_seed(0)
        model = Sequential([Dense(8, input_dim=12, activation="relu"), Dense(3, activation="softmax")])
        model.compile("sgd", "categorical_crossentropy", metrics=["accuracy", "auc"])
        logs.append(model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=callbacks,
                              validation_split=0.2).history)
    assert logs[0] == logs[1]
