"""Experiment 5 at quick size on real MNIST: the claim's numbers, and the per-batch loss recorder."""
import json
from pathlib import Path

import numpy as np
import pytest
from mnist_data import DATA_DIR, needs_data, subset

from deepbasics.lab import optimizers_mnist as lab
from deepbasics.lab.runner import check_result
from deepbasics.layers import Dense, Input
from deepbasics.models import Sequential
from deepbasics.optimizers import SGD
from deepbasics.utils import set_random_seed, to_categorical
from lab.checks import PNG_MAGIC

pytestmark = needs_data


@pytest.fixture(scope="module")
def result():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DEEPBASICS_DATA_DIR", DATA_DIR)
        yield lab.run(seed=0, **lab.QUICK)


@pytest.fixture(scope="module")
def rows(result):
    return {row["optimizer"]: row for row in result["table"]}


def test_batch_losses_are_each_batchs_own_loss():
    # learning rate 0: the weights never change, so every batch loss can be recomputed afterwards
    x, labels, _, _ = subset(100, 1)  # 32 + 32 + 32 + 4: the last batch is short
    set_random_seed(1)
    model = Sequential([Input(shape=(784,)), Dense(8, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer=SGD(0.0), loss="categorical_crossentropy")
    recorder = lab.BatchLosses(100, 32)
    model.fit(x, to_categorical(labels, 10), batch_size=32, epochs=2, shuffle=False, verbose=0, callbacks=[recorder])
    p = model.predict(x, verbose=0).astype(np.float64)
    per_image = -np.log(p[np.arange(100), labels])
    expected = [per_image[i:i + 32].mean() for i in range(0, 100, 32)] * 2
    np.testing.assert_allclose(recorder.losses, expected, rtol=1e-4)


def test_moving_average_against_a_direct_mean():
    values = np.random.default_rng(0).normal(size=37)
    expected = [values[max(0, i - 4):i + 1].mean() for i in range(37)]
    np.testing.assert_allclose(lab.moving_average(values, 5), expected, rtol=1e-12)


def test_same_network_steps_and_default_rates(result, rows):
    steps = -(-lab.QUICK["n_train"] // 32) * lab.QUICK["epochs"]
    assert all(row["steps"] == steps for row in rows.values())
    rates = {name: row["learning_rate"] for name, row in rows.items()}
    assert rates == {"SGD": 0.01, "Momentum": 0.01, "NAG": 0.01, "Adagrad": 0.001, "RMSprop": 0.001,
                     "Adadelta": 0.001, "Adam": 0.001, "Nadam": 0.001}
    # same initial weights and the same first batch: the first recorded loss is the same for all
    first = {name: curve["loss"][0] for name, curve in result["data"]["curves"].items()}
    assert len(set(first.values())) == 1, first


def test_adaptive_methods_against_sgd(result, rows):
    sgd = rows["SGD"]["final_train_loss"]
    for name in ("RMSprop", "Adam", "Nadam"):
        assert rows[name]["final_train_loss"] < sgd, name
        assert rows[name]["test_accuracy"] > rows["SGD"]["test_accuracy"], name
    behind = [name for name in lab.ADAPTIVE if not rows[name]["final_train_loss"] < sgd]
    assert result["held"] is (not behind)
    for name in behind:  # the report says plainly which did not, in both languages
        assert f"{name} does not" in result["note"]["en"]
        assert f"{name}의 경우 그렇지 않다" in result["note"]["ko"]
    # Keras's Adagrad: lr / sqrt(initial accumulator) bounds its step factor
    assert result["data"]["adagrad_step_ceiling"] == pytest.approx(0.001 / np.sqrt(0.1), rel=1e-3)


def test_same_seed_same_result(monkeypatch, result):
    check_result(lab.NAME, result)  # plain JSON, exact types: no NumPy scalars
    json.dumps(result, allow_nan=False)
    monkeypatch.setenv("DEEPBASICS_DATA_DIR", DATA_DIR)
    knobs = {"n_train": 96, "n_test": 50, "epochs": 1}
    assert json.dumps(lab.run(seed=3, **knobs)) == json.dumps(lab.run(seed=3, **knobs))


def test_plot_writes_a_png(result, tmp_path):
    pytest.importorskip("matplotlib")
    out = lab.plot(result, tmp_path / "optimizers_mnist.png")
    assert Path(out).read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("knobs, name", [({"epochs": 0}, "epochs"), ({"n_train": 70000}, "n_train"),
                                          ({"n_test": "10"}, "n_test")])
def test_bad_knobs_are_refused(knobs, name):
    with pytest.raises(ValueError, match=name):
        lab.run(**knobs)
