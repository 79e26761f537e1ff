"""Experiment 11 at quick size on real MNIST: the gap's numbers, the budget rule, the figure."""
import json
import math
import re

import pytest
from mnist_data import DATA_DIR, HAVE_DATA, needs_data

from deepbasics.lab import deep_vs_classic as lab
from deepbasics.lab.common import format_number
from deepbasics.lab.runner import check_result
from lab.checks import PNG_MAGIC

NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def run_on_mnist(**knobs):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DEEPBASICS_DATA_DIR", DATA_DIR)
        return lab.run(**knobs)


@pytest.fixture(scope="module")
def result():
    if not HAVE_DATA:
        pytest.skip(f"the MNIST IDX files are not in {DATA_DIR}")
    return run_on_mnist(seed=0, **lab.QUICK)


def without_seconds(value):
    """``value`` less every timing (the one thing a seed cannot repeat)."""
    if isinstance(value, dict):
        return {k: without_seconds(v) for k, v in value.items() if "seconds" not in k}
    if isinstance(value, list):
        return [without_seconds(v) for v in value]
    return value


def numbers_outside_data(result):
    """Every number the report may show for this result (its table), as the page formats it."""
    found = set()
    for row in result["table"]:
        found |= {format_number(v) for v in row.values() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return found


def test_the_cnn_lead_over_logistic_regression_widens_at_quick_size(result):
    rows = result["table"]
    k = lab.QUICK.get("check_factor", 5)
    cnn = [row["CNN"] for row in rows]
    lead = [round(c - row["logistic"], 4) for c, row in zip(cnn, rows)]
    lead_long = [round(c - row[f"logistic {k}x epochs"], 4) for c, row in zip(cnn, rows)]
    assert [row["CNN - logistic"] for row in rows] == lead
    assert [row[f"CNN - logistic {k}x"] for row in rows] == lead_long
    # the claim: smallest vs largest size, against both baselines
    assert lead[-1] > lead[0] and lead_long[-1] > lead_long[0], (lead, lead_long)
    assert result["held"] is True
    # and every model learned something at every size (chance is 0.1)
    for row in rows:
        assert all(0.5 < row[key] <= 1.0 for key in ("logistic", "MLP", "CNN", f"logistic {k}x epochs")), row


def test_every_model_follows_the_same_budget_rule(result):
    # 12,000 images seen at least, two passes at least: 120, 12 and 4 epochs for 100, 1,000, 3,000
    assert [row["epochs"] for row in result["table"]] == [120, 12, 4]
    assert [row["train images"] for row in result["table"]] == lab.QUICK["sizes"]
    assert lab.epochs_for(60000, 10000, 2) == 2 and lab.epochs_for(3000, 10000, 2) == math.ceil(10000 / 3000)


def test_result_is_plain_json_and_the_note_quotes_only_its_numbers(result):
    check_result(lab.NAME, result)
    assert json.loads(json.dumps(result)) == result
    shown = numbers_outside_data(result) | {format_number(v) for v in result["data"]["knobs"].values()
                                            if isinstance(v, int)}
    for lang in ("en", "ko"):
        assert result["note"][lang].startswith(("Held", "성립"))
        for number in NUMBER.findall(result["note"][lang]):
            assert number in shown, (lang, number)
    assert re.search(r"[가-힣]", result["note"]["ko"]) and re.search(r"[가-힣]", lab.CLAIM["ko"])


@needs_data
def test_same_seed_same_numbers():
    tiny = {"sizes": [50, 200], "n_test": 300, "min_images": 200, "batch_size": 50, "cnn": "small"}
    first, second = run_on_mnist(seed=3, **tiny), run_on_mnist(seed=3, **tiny)
    assert without_seconds(first) == without_seconds(second)
    assert first["data"]["epochs"] == [4, 2]


def test_plot_writes_a_png(result, tmp_path):
    path = lab.plot(result, tmp_path / "deep_vs_classic.png")
    data = (tmp_path / "deep_vs_classic.png").read_bytes()
    assert path == str(tmp_path / "deep_vs_classic.png")
    assert data[:8] == PNG_MAGIC and len(data) > 20000


@pytest.mark.parametrize("knobs, words", [
    ({"sizes": [100]}, "`sizes` must be at least two increasing integers"),
    ({"sizes": [1000, 100]}, "received sizes=[1000, 100]"),
    ({"sizes": [100, 70000]}, "between 1 and 60000"),
    ({"n_test": 20000}, "`n_test` must be at most 10000"),
    ({"min_epochs": 0}, "`min_epochs` must be a positive integer"),
    ({"cnn": "large"}, "`cnn` must be one of ['course', 'small'], received cnn='large'"),
    ({"seed": 1.5}, "`seed` must be an integer"),
])
def test_bad_knobs_fail_before_any_work(monkeypatch, knobs, words):
    def no_data(*args, **kwargs):
        raise AssertionError("MNIST was read before the knobs were checked")

    monkeypatch.setattr(lab, "mnist_subset", no_data)
    with pytest.raises(ValueError) as error:
        lab.run(**knobs)
    assert words in str(error.value)


def test_a_lead_that_shrinks_is_reported_as_not_held():
    knobs = {"seed": 0, "sizes": [100, 1000, 3000], "n_test": 2000, "min_images": 12000, "min_epochs": 2,
             "batch_size": 32, "cnn": "small", "check_factor": 5}
    accuracy = {"logistic": [0.6, 0.7, 0.8], "mlp": [0.6, 0.7, 0.8], "cnn": [0.7, 0.85, 0.85],
                "logistic_long": [0.62, 0.75, 0.82]}
    result = lab.summarise(accuracy, {kind: [1.0] * 3 for kind in accuracy}, [120, 12, 4], knobs)
    assert result["held"] is False
    assert [row["CNN - logistic"] for row in result["table"]] == [0.1, 0.15, 0.05]
    assert result["note"]["en"].startswith("Did not hold") and "by 0.1 at 100" in result["note"]["en"]
    assert result["note"]["ko"].startswith("성립하지 않음")
    # widening against the same-budget baseline only is not enough: the longer baseline counts too
    accuracy["cnn"] = [0.7, 0.85, 0.92]
    accuracy["logistic_long"] = [0.6, 0.8, 0.9]
    assert lab.summarise(accuracy, {kind: [1.0] * 3 for kind in accuracy}, [120, 12, 4], knobs)["held"] is False
