"""Experiment 7 at quick size on real MNIST: the gap's numbers, the accuracy meter against NumPy,
and the three networks' wiring (dropout layers, the L2 penalty)."""
from pathlib import Path

import numpy as np
import pytest
from mnist_data import DATA_DIR, HAVE_DATA, needs_data, subset

from deepbasics.lab import overfitting as lab
from deepbasics.layers import Dropout
from deepbasics.utils import set_random_seed, to_categorical
from lab.checks import PNG_MAGIC, assert_lab_contract


@pytest.fixture(scope="module")
def result():
    if not HAVE_DATA:
        pytest.skip(needs_data.kwargs["reason"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DEEPBASICS_DATA_DIR", DATA_DIR)
        yield lab.run(seed=0, **lab.QUICK)


@pytest.fixture(scope="module")
def rows(result):
    return {row["network"]: row for row in result["table"]}


def test_claim_numbers(result, rows):
    none, dropout = rows["no regularisation"], rows["Dropout"]
    assert none["train_accuracy"] - none["test_accuracy"] > 0.1  # "grows large": over ten points
    assert dropout["gap"] < none["gap"]
    assert result["held"] is True


def test_table_gaps_are_the_last_epochs_of_the_curves(result):
    last = max(1, lab.QUICK["epochs"] // 10)
    for row, (variant, curve) in zip(result["table"], result["data"]["curves"].items()):
        train, test = np.array(curve["train"]), np.array(curve["test"])
        assert len(train) == len(test) == lab.QUICK["epochs"] and row["epochs_averaged"] == last
        assert row["train_accuracy"] == pytest.approx(train[-last:].mean(), abs=1e-4)
        assert row["gap"] == pytest.approx((train - test)[-last:].mean(), abs=1e-4)
        assert row["largest_gap"] == pytest.approx((train - test).max(), abs=1e-4)


def test_unregularised_network_memorises_its_300_images(rows):
    assert rows["no regularisation"]["train_accuracy"] >= 0.95


@needs_data
def test_accuracy_meter_agrees_with_numpy_argmax_with_dropout_off():
    x, labels, x_test, labels_test = subset(300, 200)
    y, y_test = to_categorical(labels, 10), to_categorical(labels_test, 10)
    set_random_seed(0)
    model = lab.build("dropout", 0.5, 0.05)
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    meter = lab.AccuracyPerEpoch((x, y), (x_test, y_test))
    model.fit(x, y, batch_size=100, epochs=3, verbose=0, callbacks=[meter])
    assert len(meter.train_accuracy) == len(meter.test_accuracy) == 3
    train = np.mean(np.argmax(model.predict(x, verbose=0), axis=1) == labels)
    test = np.mean(np.argmax(model.predict(x_test, verbose=0), axis=1) == labels_test)
    assert meter.train_accuracy[-1] == pytest.approx(train) and meter.test_accuracy[-1] == pytest.approx(test)


def test_networks_differ_only_in_their_regularisation():
    set_random_seed(0)
    plain, dropout, l2 = (lab.build(variant, 0.2, 0.05) for variant in lab.VARIANTS)
    assert [type(layer) for layer in dropout.layers].count(Dropout) == lab.HIDDEN_LAYERS
    assert [layer.rate for layer in dropout.layers if isinstance(layer, Dropout)] == [0.2] * lab.HIDDEN_LAYERS
    assert plain.count_params() == dropout.count_params() == l2.count_params()
    assert sum(len(layer.losses) for layer in plain.layers) == 0
    penalty = sum(float(p.data) for layer in l2.layers for p in layer.losses)
    kernels = [w for w in l2.get_weights() if w.ndim == 2]
    assert len(kernels) == lab.HIDDEN_LAYERS + 1
    assert penalty == pytest.approx(0.05 * sum(float(np.sum(np.float64(k) ** 2)) for k in kernels), rel=1e-5)


def test_result_is_plain_json_and_passes_the_lab_contract(result):
    assert_lab_contract(lab, result)


@needs_data
def test_same_seed_same_result():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DEEPBASICS_DATA_DIR", DATA_DIR)
        first, second = (lab.run(seed=4, n_train=100, n_test=100, epochs=3) for _ in range(2))
    assert first == second


def test_plot_writes_a_png(result, tmp_path):
    path = lab.plot(result, tmp_path / "overfitting.png")
    assert Path(path).read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("knobs, name", [({"n_train": 0}, "n_train"), ({"n_test": 10001}, "n_test"),
                                         ({"epochs": "9"}, "epochs"), ({"dropout": 1.0}, "dropout"),
                                         ({"l2": -0.1}, "l2")])
def test_bad_knobs_are_refused_before_any_work(knobs, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        lab.run(**knobs)
