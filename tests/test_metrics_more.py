import numpy as np
import pytest

import deepbasics as db
from deepbasics import metrics


def test_top_k():
    p = np.array([[0.1, 0.5, 0.4], [0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])
    labels = np.array([2, 1, 0])
    m = metrics.SparseTopKCategoricalAccuracy(k=2)
    m.update_state(labels, p)
    # row 0: class 2 is 2nd -> hit; row 1: class 1 is 2nd -> hit; row 2: class 0 tied 2nd -> hit
    assert m.result() == 1.0
    m1 = metrics.TopKCategoricalAccuracy(k=1)
    m1.update_state(np.eye(3)[labels], p)
    assert m1.result() == pytest.approx(0.0)


def test_precision_recall_by_counting():
    y = np.array([1, 1, 0, 0, 1, 0])
    p = np.array([0.9, 0.4, 0.6, 0.1, 0.8, 0.3])
    pred = p > 0.5
    tp, fp, fn = np.sum(pred & (y == 1)), np.sum(pred & (y == 0)), np.sum(~pred & (y == 1))
    prec, rec = metrics.Precision(), metrics.Recall()
    prec.update_state(y, p)
    rec.update_state(y, p)
    assert prec.result() == pytest.approx(tp / (tp + fp))
    assert rec.result() == pytest.approx(tp / (tp + fn))
    w = np.array([1, 0, 1, 1, 1, 1.0])
    prec.reset_state()
    prec.update_state(y, p, sample_weight=w)
    assert prec.result() == pytest.approx(2 / 3)


def test_auc_against_rank_statistic():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    p = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1)
    pos, neg = p[y == 1], p[y == 0]
    exact = np.mean(pos[:, None] > neg[None, :]) + 0.5 * np.mean(pos[:, None] == neg[None, :])
    m = metrics.AUC(num_thresholds=1000)
    m.update_state(y, p)
    assert m.result() == pytest.approx(exact, abs=2e-3)
    with pytest.raises(ValueError, match="ROC"):
        metrics.AUC(curve="PR")


def test_losses_as_metrics_and_names_as_passed():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((32, 3)).astype("float32")
    y = rng.standard_normal((32, 1)).astype("float32")
    model = db.Sequential([db.layers.Dense(1, input_dim=3)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae", "mse", "huber", "mean_absolute_error"])
    hist = model.fit(x, y, epochs=1, verbose=0, shuffle=False)
    assert sorted(hist.history) == ["huber", "loss", "mae", "mean_absolute_error", "mse"]
    values = model.evaluate(x, y, verbose=0, return_dict=True)
    pred = model.predict(x, verbose=0)
    assert values["mae"] == pytest.approx(np.abs(pred - y).mean(), rel=1e-5)
    assert values["mse"] == pytest.approx(values["loss"], rel=1e-5)


def test_unknown_metric_is_rejected_at_compile():
    model = db.Sequential([db.layers.Dense(1, input_dim=3)])
    with pytest.raises(ValueError, match="Unknown metric 'acuracy'"):
        model.compile(optimizer="sgd", loss="mse", metrics=["acuracy"])


def test_every_metric_and_constraint_config_round_trips():
    from deepbasics import constraints

    for cls in set(metrics.ALL_METRICS.values()):
        obj = cls()
        assert cls.from_config(obj.get_config()).get_config() == obj.get_config()
    for cls in set(constraints.ALL_CONSTRAINTS.values()):
        obj = cls()
        assert cls.from_config(obj.get_config()).get_config() == obj.get_config()
