"""Lab experiment 1 at QUICK size: the perceptron learns AND and OR, not XOR; an MLP learns XOR."""
import json
from pathlib import Path

import numpy as np
import pytest

from deepbasics.lab import perceptron
from lab.checks import PNG_MAGIC

POINTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
TARGETS = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}


@pytest.fixture(scope="module")
def result():
    return perceptron.run(seed=0, **perceptron.QUICK)


def _panel(result, model, gate):
    (panel,) = [p for p in result["data"]["panels"] if (p["model"], p["gate"]) == (model, gate)]
    return panel


def test_claim_numbers(result):
    rows = {(row["model"], row["gate"]): row for row in result["table"]}
    assert rows["perceptron", "AND"]["accuracy_percent"] == 100.0
    assert rows["perceptron", "OR"]["accuracy_percent"] == 100.0
    assert rows["perceptron", "XOR"]["accuracy_percent"] <= 75.0
    assert rows["MLP", "XOR"]["accuracy_percent"] == 100.0
    assert result["held"] is True


def test_perceptron_rule_converges_only_on_the_separable_gates(result):
    rows = {(row["model"], row["gate"]): row for row in result["table"]}
    assert rows["perceptron", "AND"]["converged"] and rows["perceptron", "OR"]["converged"]
    xor = rows["perceptron", "XOR"]
    assert xor["converged"] is False and xor["epochs"] == 100  # stopped at max_epochs


@pytest.mark.parametrize("gate", ["AND", "OR", "XOR"])
def test_reported_accuracy_is_what_the_weights_predict(result, gate):
    """Recompute step(w . x + b) on the four points from the saved weights."""
    panel = _panel(result, "perceptron", gate)
    predicted = (POINTS @ np.array(panel["weights"]) + panel["bias"] > 0).astype(int)
    assert panel["accuracy_percent"] == 100.0 * np.mean(predicted == TARGETS[gate])


def test_mlp_regions_put_each_point_on_its_side(result):
    """The stored probability grid, read at the four corners, classifies XOR correctly."""
    ticks = result["data"]["ticks"]
    grid = np.array(_panel(result, "MLP", "XOR")["grid"])
    i0, i1 = ticks.index(0.0), ticks.index(1.0)
    corners = [grid[row, col] for col, row in ((i0, i0), (i0, i1), (i1, i0), (i1, i1))]  # (x1, x2)
    assert [int(p > 0.5) for p in corners] == TARGETS["XOR"]


def test_result_is_plain_json_and_repeats_for_the_same_seed(result):
    text = json.dumps(result, allow_nan=False)  # raises on NumPy scalars
    assert json.loads(text) == result
    assert perceptron.run(seed=0, **perceptron.QUICK) == result


def test_bad_knob_is_refused_before_work():
    with pytest.raises(ValueError, match=r"mlp_epochs.*positive integer.*received mlp_epochs=0"):
        perceptron.run(mlp_epochs=0)
    with pytest.raises(ValueError, match=r"learning_rate=-1"):
        perceptron.run(learning_rate=-1)


def test_plot_writes_a_png(result, tmp_path):
    path = perceptron.plot(result, tmp_path / "perceptron.png")
    data = Path(path).read_bytes()
    assert data[:8] == PNG_MAGIC
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 600 and height > 600
