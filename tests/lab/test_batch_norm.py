"""Experiment 10 at quick size on real MNIST: the claim's counts, the table against the curves, and
what the note blames on epsilon checked on the layers themselves."""
from pathlib import Path

import numpy as np
import pytest
from mnist_data import DATA_DIR, HAVE_DATA, needs_data, subset

from deepbasics.autodiff import no_grad
from deepbasics.lab import batch_norm as lab
from deepbasics.layers import BatchNormalization
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
    plain, bn = rows["without BN"], rows["BN (course epsilon)"]
    n_scales = lab.QUICK["n_scales"]
    assert bn["higher_than_without"] > n_scales / 2  # faster at most scales
    assert bn["scales_trained"] >= 2 * max(1, plain["scales_trained"])  # far less sensitive
    assert result["held"] is True


def test_table_counts_come_from_the_curves(result, rows):
    curves = result["data"]["curves"]
    assert [c["scale"] for c in curves] == pytest.approx(np.logspace(0, -4, lab.QUICK["n_scales"]), rel=1e-3)
    plain = np.array([c["without BN"]["accuracy"][-1] for c in curves])
    for name in lab.NETWORKS:
        final = np.array([c[name]["accuracy"][-1] for c in curves])
        assert all(len(c[name]["accuracy"]) == lab.QUICK["epochs"] for c in curves)
        assert rows[name]["scales_trained"] == int(np.sum(final >= 0.5))
        assert rows[name]["mean_accuracy"] == pytest.approx(final.mean(), abs=1e-4)
        if name != "without BN":
            assert rows[name]["higher_than_without"] == int(np.sum(final > plain))


def test_keras_epsilon_is_the_layer_default(rows):
    assert rows["BN (Keras epsilon)"]["epsilon"] == BatchNormalization().epsilon == 1e-3
    assert rows["BN (course epsilon)"]["epsilon"] == 1e-6


@needs_data
def test_first_layer_variance_is_scale_squared_times_the_pixel_variance():
    """var over images of x . w, averaged over units, is about scale^2 * sum_i var(x_i) for w ~ N(0, scale^2)."""
    x, labels, _, _ = subset(1000, 1)
    expected = 0.01 ** 2 * float(np.sum(np.var(np.float64(x), axis=0)))
    _, _, variance = lab.train(0, 0.01, None, x, to_categorical(labels, 10), epochs=1)
    assert variance == pytest.approx(expected, rel=0.2)


@needs_data
def test_bn_cannot_rescale_pre_activations_whose_variance_is_below_epsilon():
    """BN's output per unit has std sqrt(v / (v + epsilon)) for an input of variance v: at scale
    1e-4 (v near 5e-7) epsilon 1e-6 keeps a usable signal, Keras's 1e-3 squeezes it about 40-fold."""
    x, _, _, _ = subset(200, 1)
    stds = {}
    for epsilon in (1e-6, 1e-3):
        set_random_seed(0)
        model = lab.build(1e-4, epsilon)
        dense, norm = model.layers[0], model.layers[1]
        with no_grad():
            pre = np.float64(dense(x).numpy())
            z = norm(dense(x), training=True).numpy()
        v = pre.var(axis=0)
        np.testing.assert_allclose(z.std(axis=0), np.sqrt(v / (v + epsilon)), rtol=2e-3)
        assert np.abs(z.mean(axis=0)).max() < 1e-4
        stds[epsilon] = z.std(axis=0).mean()
    assert stds[1e-6] > 10 * stds[1e-3]


def test_networks_are_built_as_the_course_builds_them():
    set_random_seed(0)
    plain, normed = lab.build(0.1, None), lab.build(0.1, 1e-6)
    kinds = [type(layer).__name__ for layer in normed.layers]
    assert kinds == ["Dense", "BatchNormalization", "Activation"] * lab.HIDDEN_LAYERS + ["Dense"]
    assert [type(layer).__name__ for layer in plain.layers] == ["Dense"] * (lab.HIDDEN_LAYERS + 1)
    kernels = np.concatenate([w.ravel() for w in plain.get_weights() if w.ndim == 2])
    assert kernels.std() == pytest.approx(0.1, rel=0.02)


def test_result_is_plain_json_and_passes_the_lab_contract(result):
    assert_lab_contract(lab, result)


@needs_data
def test_same_seed_same_result():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DEEPBASICS_DATA_DIR", DATA_DIR)
        first, second = (lab.run(seed=1, n_train=200, n_scales=2, epochs=2) for _ in range(2))
    assert first == second


def test_plot_writes_a_png(result, tmp_path):
    path = lab.plot(result, tmp_path / "batch_norm.png")
    assert Path(path).read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("knobs, name", [({"n_scales": 1}, "n_scales"), ({"epochs": 0}, "epochs"),
                                         ({"n_train": 60001}, "n_train"), ({"smallest": 0}, "smallest"),
                                         ({"epsilon": "1e-3"}, "epsilon")])
def test_bad_knobs_are_refused_before_any_work(knobs, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        lab.run(**knobs)
