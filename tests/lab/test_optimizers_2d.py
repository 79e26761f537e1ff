"""Experiment 4 at quick size: the claim's numbers against hand-written float64 references."""
import json
from pathlib import Path

import numpy as np
import pytest

from deepbasics.lab import optimizers_2d as lab
from deepbasics.lab.runner import check_result
from lab.checks import PNG_MAGIC


@pytest.fixture(scope="module")
def result():
    return lab.run(seed=0, **lab.QUICK)


def bowl_row(result, name):
    return next(r for r in result["table"] if r["function"] == "bowl" and r["optimizer"] == name)


def bowl_gradient(p):
    return np.array([p[0] / 10.0, 2.0 * p[1]])


def reference_path(update, steps, start=(-7.0, 2.0)):
    """Gradient descent on the bowl in float64 with an update written here from Keras's formulas."""
    p, state, path = np.array(start), {}, [np.array(start)]
    for t in range(1, steps + 1):
        p = update(p, bowl_gradient(p), state, t)
        path.append(p)
    return np.array(path)


def sgd(lr):
    return lambda p, g, state, t: p - lr * g


def momentum(lr, m=0.9):
    def update(p, g, state, t):
        state["v"] = m * state.get("v", 0.0) - lr * g
        return p + state["v"]
    return update


def adam(lr, b1=0.9, b2=0.999, eps=1e-7):
    def update(p, g, state, t):
        state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
        state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return p - alpha * state["m"] / (np.sqrt(state["v"]) + eps)
    return update


@pytest.mark.parametrize("name, update", [("SGD", sgd(0.95)), ("Momentum", momentum(0.1)), ("Adam", adam(0.3))])
def test_bowl_paths_match_a_float64_reference(result, name, update):
    steps = lab.QUICK["steps"]
    expected = reference_path(update, steps)
    got = np.array(result["data"]["paths"]["bowl"][name])
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    row = bowl_row(result, name)
    assert row["distance_to_minimum"] == pytest.approx(np.linalg.norm(expected[-1]), rel=1e-4, abs=1e-6)


def test_sgd_zigzags_most(result):
    steps = lab.QUICK["steps"]
    sgd_changes = bowl_row(result, "SGD")["y_sign_changes"]
    # y <- y - 0.95 * 2y = -0.9 y: the sign flips on every step
    assert sgd_changes == steps
    for name in lab.OPTIMIZERS[1:]:
        assert bowl_row(result, name)["y_sign_changes"] < sgd_changes, name


def test_distances_and_verdict(result):
    d = {name: bowl_row(result, name)["distance_to_minimum"] for name in lab.OPTIMIZERS}
    # SGD shrinks x by 1 - 0.95/10 = 0.905 per step: hand-derived end point
    assert d["SGD"] == pytest.approx(np.hypot(7 * 0.905 ** 30, 2 * 0.9 ** 30), rel=1e-4)
    assert d["Adam"] < d["SGD"]
    assert d["Momentum"] > d["SGD"]  # momentum 0.9 contracts by at best sqrt(0.9) per step
    assert result["held"] is False
    assert "Momentum" in result["note"]["en"] and "Momentum" in result["note"]["ko"]
    theory = result["data"]["bowl_theory"]
    assert theory["sgd_factor"] == pytest.approx(0.905)
    assert theory["momentum_factor"] == pytest.approx(np.sqrt(0.9), abs=1e-4)
    assert bowl_row(result, "Momentum")["closest_approach"] < d["SGD"]  # it passed closer on the way


def test_rosenbrock_rows_and_rates(result):
    rows = [r for r in result["table"] if r["function"] == "rosenbrock"]
    assert [r["optimizer"] for r in rows] == list(lab.OPTIMIZERS)
    assert all(r["steps"] == lab.QUICK["rosenbrock_steps"] for r in rows)
    assert {r["optimizer"]: r["learning_rate"] for r in rows} == lab.ROSENBROCK_RATES
    start = np.array(lab.FUNCTIONS["rosenbrock"][1])
    for r in rows:  # every chosen rate moves towards (1, 1) without diverging
        assert np.isfinite(r["distance_to_minimum"])
        assert r["distance_to_minimum"] < np.linalg.norm(start - 1.0), r["optimizer"]


def test_result_is_plain_json_and_repeats(result):
    check_result(lab.NAME, result)  # plain JSON, exact types: no NumPy scalars
    text = json.dumps(result, allow_nan=False)
    assert json.loads(text) == result
    assert json.dumps(lab.run(seed=0, **lab.QUICK)) == text
    assert set(result["note"]) == {"en", "ko"} and set(lab.TITLE) == set(lab.CLAIM) == {"en", "ko"}


def test_plot_writes_a_png(result, tmp_path):
    pytest.importorskip("matplotlib")
    out = lab.plot(result, tmp_path / "optimizers_2d.png")
    assert Path(out).read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("knobs", [{"steps": 0}, {"rosenbrock_steps": 2.5}, {"steps": True}])
def test_bad_knobs_are_refused(knobs):
    (name, value), = knobs.items()
    with pytest.raises(ValueError, match=f"`{name}`.*{value!r}"):
        lab.run(**knobs)
