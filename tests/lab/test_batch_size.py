"""Experiment 6 at quick size on real MNIST: per epoch, per second and within a time budget."""
import json
from pathlib import Path

import numpy as np
import pytest
from mnist_data import DATA_DIR, needs_data

from deepbasics.lab import batch_size as lab
from deepbasics.lab.runner import check_result
from lab.checks import PNG_MAGIC

pytestmark = needs_data


@pytest.fixture(scope="module")
def result():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DEEPBASICS_DATA_DIR", DATA_DIR)
        yield lab.run(seed=0, **lab.QUICK)


def test_rows_and_checkpoints(result):
    sizes, n, epochs = lab.QUICK["batch_sizes"], lab.QUICK["n_train"], lab.QUICK["epochs"]
    assert [row["batch_size"] for row in result["table"]] == list(sizes)
    for row in result["table"]:
        b = row["batch_size"]
        assert row["updates_per_epoch"] == -(-n // b)
        curve = result["data"]["curves"][str(b)]
        # the start, then four measurements per epoch, the last at the end of each epoch
        assert len(curve["epoch"]) == 1 + lab.CHECKPOINTS_PER_EPOCH * epochs
        assert curve["epoch"][0] == 0.0 and curve["epoch"][-1] == epochs
        assert np.all(np.diff(curve["epoch"]) > 0)
    starts = {result["data"]["curves"][str(b)]["loss"][0] for b in sizes}
    assert len(starts) == 1  # the same initial weights for every batch size


def test_smallest_batch_lowest_loss_per_epoch(result):
    losses = [row["loss_after_1_epoch"] for row in result["table"]]
    assert losses[0] == min(losses) and losses == sorted(losses)


def test_smallest_batch_slowest_per_epoch(result):
    seconds = [row["seconds_per_epoch"] for row in result["table"]]
    assert seconds[0] >= lab.TIME_MARGIN * min(seconds[1:])


def test_budget_numbers_follow_from_the_curves(result):
    budget = result["data"]["budget_seconds"]
    spe = {row["batch_size"]: row["seconds_per_epoch"] for row in result["table"]}
    assert budget == pytest.approx(lab.QUICK["epochs"] * min(spe.values()), abs=1e-3)
    for row in result["table"]:
        curve = result["data"]["curves"][str(row["batch_size"])]
        seconds = np.array(curve["epoch"]) * curve["seconds_per_epoch"]
        # the table and the curves are rounded separately (4 decimals): compare at that precision,
        # whatever the wall times were
        assert row["test_accuracy_in_budget"] == pytest.approx(np.interp(budget, seconds, curve["test_accuracy"]),
                                                               abs=2e-3)
        assert row["epochs_in_budget"] == pytest.approx(min(budget / curve["seconds_per_epoch"], lab.QUICK["epochs"]),
                                                        rel=1e-2)


def test_verdict_follows_the_stated_rule(result):
    smallest, others = result["table"][0], result["table"][1:]
    larger_wins = max(r["test_accuracy_in_budget"] for r in others) >= (smallest["test_accuracy_in_budget"]
                                                                          + lab.ACCURACY_MARGIN)
    checks = result["data"]["checks"]
    assert checks["larger_wins_in_budget"] is larger_wins
    assert result["held"] is all(checks.values())
    if not larger_wins:  # said plainly, in both languages
        assert "does not hold" in result["note"]["en"] and "성립하지 않는다" in result["note"]["ko"]


def test_plain_json_and_repeatable(monkeypatch, result):
    check_result(lab.NAME, result)  # plain JSON, exact types: no NumPy scalars
    monkeypatch.setenv("DEEPBASICS_DATA_DIR", DATA_DIR)
    knobs = {"n_train": 128, "n_test": 50, "epochs": 2, "batch_sizes": [16, 64]}
    first, second = (lab.run(seed=5, **knobs) for _ in range(2))
    for key in ("loss", "test_accuracy", "epoch"):  # wall times differ between runs; the training does not
        for b in ("16", "64"):
            assert first["data"]["curves"][b][key] == second["data"]["curves"][b][key]


def test_plot_writes_a_png(result, tmp_path):
    pytest.importorskip("matplotlib")
    out = lab.plot(result, tmp_path / "batch_size.png")
    assert Path(out).read_bytes()[:8] == PNG_MAGIC
    json.dumps(result, allow_nan=False)


@pytest.mark.parametrize("knobs, name", [({"epochs": 1}, "epochs"), ({"batch_sizes": (64, 8)}, "batch_sizes"),
                                          ({"batch_sizes": (8,)}, "batch_sizes"), ({"n_test": 0}, "n_test")])
def test_bad_knobs_are_refused(knobs, name):
    with pytest.raises(ValueError, match=name):
        lab.run(**knobs)
