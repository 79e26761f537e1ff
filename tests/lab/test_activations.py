"""Lab experiment 2 at QUICK size: the autodiff derivatives against the textbook closed forms,
and the claim's numbers (sigmoid' <= 0.25, ReLU' in {0, 1})."""
import json
from pathlib import Path

import numpy as np
import pytest

from deepbasics.lab import activations
from lab.checks import PNG_MAGIC

SLOPE = activations.LEAKY_SLOPE


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# name -> (f(x), f'(x)) written from the textbook, in float64; f' of step and sign is 0 where it exists.
CLOSED_FORM = {
    "step": lambda x: ((x > 0).astype(float), np.zeros_like(x)),
    "sign": lambda x: (np.sign(x), np.zeros_like(x)),
    "linear": lambda x: (x, np.ones_like(x)),
    "sigmoid": lambda x: (_sigmoid(x), _sigmoid(x) * (1 - _sigmoid(x))),
    "tanh": lambda x: (np.tanh(x), 1 - np.tanh(x) ** 2),
    "relu": lambda x: (np.maximum(x, 0), (x > 0).astype(float)),
    "leaky_relu": lambda x: (np.where(x > 0, x, SLOPE * x), np.where(x > 0, 1.0, SLOPE)),
    "elu": lambda x: (np.where(x > 0, x, np.expm1(x)), np.where(x > 0, 1.0, np.exp(x))),
    # first output of softmax(x, 0, 0): p = e^x / (e^x + 2), dp/dx = p (1 - p)
    "softmax": lambda x: (np.exp(x) / (np.exp(x) + 2), np.exp(x) / (np.exp(x) + 2) * 2 / (np.exp(x) + 2)),
}


@pytest.fixture(scope="module")
def result():
    return activations.run(seed=0, **activations.QUICK)


def test_every_course_function_is_there(result):
    assert [row["function"] for row in result["table"]] == list(CLOSED_FORM)


@pytest.mark.parametrize("name", list(CLOSED_FORM))
def test_value_and_autodiff_derivative_match_the_closed_form(result, name):
    x = np.array(result["data"]["x"], dtype=np.float64)
    assert len(x) == activations.QUICK["points"] and 0.0 in x  # the kink itself is sampled
    curve = result["data"]["curves"][name]
    y, dy = CLOSED_FORM[name](x)
    np.testing.assert_allclose(curve["y"], y, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(curve["dy"], dy, rtol=1e-5, atol=1e-6)


def test_softmax_jacobian_is_diag_p_minus_p_p_transposed(result):
    example = result["data"]["softmax_example"]
    z = np.array(example["logits"], dtype=np.float64)
    p = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(example["probabilities"], p, rtol=1e-5)
    np.testing.assert_allclose(example["jacobian"], np.diag(p) - np.outer(p, p), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.sum(example["jacobian"], axis=1), 0.0, atol=1e-6)  # sum p = 1 always


def test_claim_numbers(result):
    rows = {row["function"]: row for row in result["table"]}
    dsig = np.array(result["data"]["curves"]["sigmoid"]["dy"])
    assert dsig.max() <= 0.25 and rows["sigmoid"]["derivative_max"] == dsig.max()
    assert rows["sigmoid"]["derivative_max"] == pytest.approx(0.25, abs=1e-7)  # reached at x = 0
    drelu = result["data"]["curves"]["relu"]["dy"]
    assert set(drelu) == {0.0, 1.0} and result["data"]["relu_derivative_values"] == [0.0, 1.0]
    assert result["held"] is True


def test_sigmoid_derivative_bound_holds_far_beyond_the_plotted_range():
    wide = activations.run(points=20001, x_range=40.0)
    dsig = np.array(wide["data"]["curves"]["sigmoid"]["dy"])
    assert dsig.max() <= 0.25 and dsig.min() >= 0.0
    assert wide["held"] is True


def test_table_is_computed_from_the_curves(result):
    for row in result["table"]:
        curve = result["data"]["curves"][row["function"]]
        assert row["output_min"] == min(curve["y"]) and row["output_max"] == max(curve["y"])
        assert row["derivative_min"] == min(curve["dy"]) and row["derivative_max"] == max(curve["dy"])


def test_result_is_plain_json_and_repeats_for_the_same_seed(result):
    assert json.loads(json.dumps(result, allow_nan=False)) == result
    assert activations.run(seed=0, **activations.QUICK) == result


def test_bad_knob_is_refused_before_work():
    with pytest.raises(ValueError, match=r"points.*at least 3.*received points=2"):
        activations.run(points=2)
    with pytest.raises(ValueError, match=r"x_range=0"):
        activations.run(x_range=0)


def test_plot_writes_a_png(result, tmp_path):
    path = activations.plot(result, tmp_path / "activations.png")
    data = Path(path).read_bytes()
    assert data[:8] == PNG_MAGIC
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 900 and height > 700
