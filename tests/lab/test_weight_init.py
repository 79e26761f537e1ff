"""Experiment 9 at quick size: each part of the claim by its numbers, the activation statistics
against a NumPy forward pass drawn here, and the distinct-unit count on hand-made kernels."""
from pathlib import Path

import numpy as np
import pytest
from mnist_data import DATA_DIR, HAVE_DATA, needs_data

from deepbasics.lab import weight_init as lab
from lab.checks import PNG_MAGIC, assert_lab_contract


@pytest.fixture(scope="module")
def result():
    if not HAVE_DATA:
        pytest.skip(needs_data.kwargs["reason"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DEEPBASICS_DATA_DIR", DATA_DIR)
        yield lab.run(seed=0, **lab.QUICK)


def row(result, activation, initializer):
    (found,) = [r for r in result["table"] if r["network"] == f"{activation}, {initializer}"]
    return found


def panel(result, activation, initializer):
    (found,) = [p for p in result["data"]["panels"] if (p["activation"], p["initializer"]) == (activation, initializer)]
    return found


def test_std_1_saturates_the_sigmoid(result):
    assert row(result, "sigmoid", "std 1")["saturated_min"] > 0.5  # most, in every layer


def test_std_0_01_collapses_to_a_narrow_band(result):
    narrow = row(result, "sigmoid", "std 0.01")
    assert narrow["std_max"] < 0.05 and narrow["saturated_max"] == 0.0
    assert panel(result, "tanh", "std 0.01")["stds"][-1] < 1e-3  # tanh's band closes in on 0


def test_xavier_keeps_sigmoid_and_tanh_spread(result):
    for activation in ("sigmoid", "tanh"):
        spread = row(result, activation, "Xavier")
        assert spread["std_min"] >= 0.05 and spread["saturated_max"] < 0.5


def test_he_keeps_relu_spread_where_xavier_shrinks_it(result):
    assert row(result, "relu", "He")["layer_5_over_1"] >= 0.5
    assert row(result, "relu", "Xavier")["layer_5_over_1"] < 0.5


def test_zero_initialisation_leaves_every_hidden_unit_identical(result):
    zeros, xavier = row(result, "sigmoid", lab.ZEROS), row(result, "sigmoid", lab.XAVIER_TRAINED)
    assert zeros["distinct_units"] == 1 and zeros["largest_weight"] > 0.01  # trained, yet one unit per layer
    assert xavier["distinct_units"] == lab.UNITS
    trained = result["data"]["trained"]
    assert trained[lab.ZEROS]["distinct_per_layer"] == [1] * lab.LAYERS
    corner = np.array(trained[lab.ZEROS]["layer_1"])  # units x images: every unit answers alike
    assert np.ptp(corner, axis=0).max() <= 1e-4 and np.ptp(corner) > 0.1


def test_held_is_every_part_of_the_claim(result):
    assert all(result["data"]["checks"].values()) and result["held"] is True


def _numpy_layer_stds(activation, weight_std, n_inputs=1000, seed=1):
    """Layer-by-layer standard deviations of a stack drawn here with NumPy (untruncated normals)."""
    rng = np.random.default_rng(seed)
    f = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}[activation]
    h, stds = rng.standard_normal((n_inputs, lab.UNITS)), []
    for _ in range(lab.LAYERS):
        h = f(h @ rng.normal(0.0, weight_std, (lab.UNITS, lab.UNITS)))
        stds.append(h.std())
    return stds


@pytest.mark.parametrize("activation", lab.ACTIVATIONS)
@pytest.mark.parametrize("initializer, weight_std", [("std 1", 1.0), ("std 0.01", 0.01), ("Xavier", 0.1),
                                                     ("He", 2 ** 0.5 / 10)])
def test_first_layer_spread_matches_numpy(result, activation, initializer, weight_std):
    measured = row(result, activation, initializer)
    assert measured["weight_std"] == pytest.approx(weight_std, rel=1e-3)
    stds = panel(result, activation, initializer)["stds"]
    assert stds[0] == pytest.approx(_numpy_layer_stds(activation, weight_std)[0], rel=0.1)
    assert (min(stds), max(stds), stds[-1] / stds[0]) == pytest.approx(
        (measured["std_min"], measured["std_max"], measured["layer_5_over_1"]), rel=2e-3)


def test_histograms_count_every_activation(result):
    n = result["data"]["n_inputs"] * lab.UNITS
    for panel in result["data"]["panels"]:
        assert len(panel["edges"]) == lab.BINS + 1 and len(panel["counts"]) == lab.LAYERS
        totals = [sum(counts) for counts in panel["counts"]]
        if panel["activation"] == "relu":  # the positive values only: about half
            assert all(0.3 * n < total < 0.7 * n for total in totals)
        else:
            assert totals == [n] * lab.LAYERS


def test_distinct_units_on_hand_made_kernels():
    a, b = np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.2, 0.3])
    kernel = np.stack([a, a, b, a * (1 + 1e-7), b + 1e-3], axis=1).astype(np.float32)
    assert lab.distinct_units(kernel, np.zeros(5, np.float32)) == 3  # a, b, b + 1e-3
    assert lab.distinct_units(kernel, np.array([0, 1, 0, 0, 0], np.float32)) == 4  # the bias tells a apart
    assert lab.distinct_units(np.zeros((4, 3), np.float32), np.zeros(3, np.float32)) == 1


def test_saturated_share_by_hand():
    a = np.array([0.01, 0.5, 0.97, 0.3])
    assert lab.saturated_share("sigmoid", a) == 0.5
    assert lab.saturated_share("tanh", np.array([-0.99, 0.0, 0.96, 0.9])) == 0.5
    assert lab.saturated_share("relu", a) is None


def test_result_is_plain_json_and_passes_the_lab_contract(result):
    assert_lab_contract(lab, result)


@needs_data
def test_same_seed_same_result():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DEEPBASICS_DATA_DIR", DATA_DIR)
        first, second = (lab.run(seed=2, n_inputs=50, n_train=64, epochs=1) for _ in range(2))
    assert first == second


def test_plot_writes_a_png(result, tmp_path):
    path = lab.plot(result, tmp_path / "weight_init.png")
    assert Path(path).read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("knobs, name", [({"n_inputs": 0}, "n_inputs"), ({"n_train": 70000}, "n_train"),
                                         ({"epochs": None}, "epochs")])
def test_bad_knobs_are_refused_before_any_work(knobs, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        lab.run(**knobs)
