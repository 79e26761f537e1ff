"""Experiment 8 at quick size on real MNIST: the claim's ratios, the gradient norms against a NumPy
backward pass written here, and the per-batch loss recorder."""
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from mnist_data import DATA_DIR, HAVE_DATA, needs_data, subset

from deepbasics.lab import vanishing_gradients as lab
from deepbasics.layers import Dense, Input
from deepbasics.models import Sequential
from deepbasics.optimizers import SGD
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
    return {row["activation"]: row for row in result["table"]}


def test_claim_numbers(result, rows):
    sigmoid, relu = rows["sigmoid"], rows["relu"]
    assert sigmoid["initializer"] == "glorot_uniform" and relu["initializer"] == "he_normal"
    assert sigmoid["grad_last_hidden"] / sigmoid["grad_first_hidden"] >= 100
    assert 1 / 10 <= relu["grad_last_hidden"] / relu["grad_first_hidden"] <= 10
    assert result["held"] is True


def test_ratio_column_is_the_ratio_of_the_norms(result):
    for row in result["table"]:
        assert row["last_over_first"] == pytest.approx(row["grad_last_hidden"] / row["grad_first_hidden"], rel=1e-3)
        norms = result["data"]["curves"][row["activation"]]["norms"]
        assert len(norms) == lab.DEPTH + 1
        assert norms[0] == pytest.approx(row["grad_first_hidden"], rel=1e-3)
        assert norms[-1] == pytest.approx(row["grad_output"], rel=1e-3)


def test_sigmoid_gradient_shrinks_layer_after_layer_towards_the_input(result):
    norms = result["data"]["curves"]["sigmoid"]["norms"][:lab.DEPTH]
    assert all(a < b for a, b in pairwise(norms))


def test_relu_network_learns(rows):
    assert rows["relu"]["loss_at_end"] < rows["relu"]["loss_at_init"] - 0.3


def _numpy_kernel_gradient_norms(weights, activation, x, y):
    """Forward and backward of the dense stack in float64, by hand: softmax cross-entropy's
    dL/dz = (p - y) / n, then dL/dW = h^T delta and delta <- (delta W^T) * f'(z) layer by layer."""
    f = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0)}[activation]
    df = {"sigmoid": lambda z: f(z) * (1 - f(z)), "relu": lambda z: (z > 0).astype(float)}[activation]
    pairs = [(np.float64(w), np.float64(b)) for w, b in zip(weights[::2], weights[1::2])]
    h, inputs, pre = np.float64(x), [], []
    for i, (w, b) in enumerate(pairs):
        z = h @ w + b
        inputs.append(h)
        pre.append(z)
        h = f(z) if i < len(pairs) - 1 else z
    p = np.exp(h - h.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    delta, norms = (p - y) / len(x), []
    for i in reversed(range(len(pairs))):
        norms.append(np.linalg.norm(inputs[i].T @ delta))
        if i:
            delta = (delta @ pairs[i][0].T) * df(pre[i - 1])
    return norms[::-1]


@needs_data
@pytest.mark.parametrize("activation, initializer", [("sigmoid", "glorot_uniform"), ("relu", "he_normal")])
def test_gradient_norms_match_a_numpy_backward_pass(activation, initializer):
    x, labels, _, _ = subset(64, 1)
    y = to_categorical(labels, 10)
    set_random_seed(3)
    model = lab.build(activation, initializer)
    norms, _ = lab.gradient_norms(model, x, y)
    expected = _numpy_kernel_gradient_norms(model.get_weights(), activation, x, y)
    np.testing.assert_allclose(norms, expected, rtol=2e-3)


@needs_data
def test_batch_losses_recovers_each_batch_loss_from_the_running_mean():
    """With a learning rate of 0 the weights never move, so each batch's loss is what evaluate
    gives on that batch; 100 images in batches of 32 end with a batch of 4."""
    x, labels, _, _ = subset(100, 1)
    y = to_categorical(labels, 10)
    set_random_seed(0)
    model = Sequential([Input(shape=(784,)), Dense(16, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer=SGD(learning_rate=0.0), loss="categorical_crossentropy")
    recorder = lab.BatchLosses(len(x), 32)
    model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0, callbacks=[recorder])
    expected = [model.evaluate(x[i:i + 32], y[i:i + 32], verbose=0) for i in range(0, 100, 32)]
    np.testing.assert_allclose(recorder.losses, expected * 2, rtol=1e-5)


def test_smoothed_averages_whole_windows():
    steps, means, window = lab.smoothed(list(range(10)), points=3)
    assert window == 3 and steps == [3, 6, 9] and means == [1.0, 4.0, 7.0]


def test_result_is_plain_json_and_passes_the_lab_contract(result):
    assert_lab_contract(lab, result)


@needs_data
def test_same_seed_same_result():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DEEPBASICS_DATA_DIR", DATA_DIR)
        first, second = (lab.run(seed=5, n_train=320, epochs=1, gradient_batch=64) for _ in range(2))
    assert first == second


def test_plot_writes_a_png(result, tmp_path):
    path = lab.plot(result, tmp_path / "vanishing.png")
    assert Path(path).read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("knobs, name", [({"n_train": 0}, "n_train"), ({"epochs": 1.5}, "epochs"),
                                         ({"gradient_batch": True}, "gradient_batch"), ({"n_train": 60001}, "n_train")])
def test_bad_knobs_are_refused_before_any_work(knobs, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        lab.run(**knobs)
