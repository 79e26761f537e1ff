"""Experiment 12 at quick size on real MNIST: the three classifiers' numbers, the GAN recipe and
its losses, the figure."""
import json
import re

import numpy as np
import pytest
from mnist_data import DATA_DIR, HAVE_DATA, needs_data, subset

from deepbasics.lab import structures as lab
from deepbasics.lab.common import format_number
from deepbasics.lab.runner import check_result
from deepbasics.layers import Dense, Input
from deepbasics.models import Sequential
from deepbasics.optimizers import SGD
from deepbasics.utils import set_random_seed, to_categorical
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


@pytest.fixture(scope="module")
def rows(result):
    return {row["structure"]: row for row in result["table"]}


def test_dnn_cnn_rnn_beat_chance_widely_and_the_cnn_leads_per_epoch(result, rows):
    accuracy = {kind: rows[lab.NAMES[kind]]["test accuracy"] for kind in lab.CLASSIFIERS}
    threshold = lab.QUICK["min_accuracy"]
    assert threshold >= 5 * 0.1  # "a wide margin" over chance (10 classes)
    assert all(a >= threshold for a in accuracy.values()), accuracy
    assert accuracy["cnn"] > max(accuracy["dnn"], accuracy["rnn"]), accuracy
    assert result["data"]["held_parts"]["cnn_most_accurate"] is True


def test_both_gan_losses_move(result, rows):
    gan = result["data"]["gan"]
    for who, key in (("GAN discriminator", "d"), ("GAN generator", "g")):
        tenths = np.asarray(gan[f"{key}_tenths"])
        assert len(tenths) == lab.WINDOWS
        assert rows[who]["loss spread"] == pytest.approx(tenths.max() - tenths.min(), abs=1e-4)
        assert rows[who]["loss spread"] >= 0.1, (who, tenths)
    # a discriminator that learns pushes its loss below ln 2 (guessing) at some point
    assert min(gan["d_curve"]) < np.log(2.0)
    assert result["held"] is True


def test_parameter_counts_match_the_architectures(rows):
    dnn = (784 * 64 + 64) + (64 * 10 + 10)
    cnn = (9 * 32 + 32) + (9 * 32 * 64 + 64) + (5 * 5 * 64 * 128 + 128) + (128 * 10 + 10)
    rnn = 4 * (128 * (28 + 128) + 128) + (128 * 10 + 10)
    assert [rows[lab.NAMES[k]]["parameters"] for k in lab.CLASSIFIERS] == [dnn, cnn, rnn]
    assert rows["GAN discriminator"]["parameters"] == (784 * 128 + 128) + (128 + 1)
    # generator: dense, batch norm (gamma, beta, moving mean, moving variance), dense
    assert rows["GAN generator"]["parameters"] == (lab.LATENT * 128 + 128) + 4 * 128 + (128 * 784 + 784)


def test_result_is_plain_json_and_the_note_quotes_only_its_numbers(result):
    check_result(lab.NAME, result)
    assert json.loads(json.dumps(result)) == result
    shown = {format_number(v) for row in result["table"] for v in row.values()
             if isinstance(v, (int, float)) and not isinstance(v, bool)}
    shown |= {format_number(v) for v in result["data"]["knobs"].values()}
    for lang in ("en", "ko"):
        for number in NUMBER.findall(result["note"][lang]):
            assert number in shown, (lang, number)
    assert re.search(r"[가-힣]", result["note"]["ko"])
    grid = np.asarray(result["data"]["gan"]["generated"])
    assert grid.shape == (lab.GRID, 784) and grid.min() >= 0 and grid.max() <= 255


def without_seconds(value):
    """``value`` less every timing (the one thing a seed cannot repeat)."""
    if isinstance(value, dict):
        return {k: without_seconds(v) for k, v in value.items() if "seconds" not in k}
    if isinstance(value, list):
        return [without_seconds(v) for v in value]
    return value


@needs_data
def test_same_seed_same_numbers():
    tiny = {"n_train": 256, "n_test": 100, "epochs": 1, "batch_size": 128, "gan_steps": 20, "gan_batch": 16}
    first, second = run_on_mnist(seed=2, **tiny), run_on_mnist(seed=2, **tiny)
    assert without_seconds(first) == without_seconds(second)


def changed(before, after):
    return not all(np.array_equal(a, b) for a, b in zip(before, after))


def test_the_gan_recipe_trains_each_net_through_its_own_model():
    set_random_seed(0)
    generator, discriminator, gan = lab.build_gan()
    noise = np.random.default_rng(0).standard_normal((8, lab.LATENT)).astype(np.float32)
    d0, g0 = discriminator.get_weights(), generator.get_weights()
    gan.train_on_batch(noise, np.ones((8, 1), np.float32))
    d1, g1 = discriminator.get_weights(), generator.get_weights()
    assert changed(g0, g1) and not changed(d0, d1)  # the combined model trains G only
    # D trains through its own compile, with the warning the lab silences on purpose
    with pytest.warns(UserWarning, match="`trainable` changed since compile"):
        discriminator.train_on_batch(generator.predict_on_batch(noise), np.zeros((8, 1), np.float32))
    assert changed(d1, discriminator.get_weights())


@needs_data
def test_batch_losses_are_each_batchs_own_loss():
    # learning rate 0: the weights never change, so every batch loss can be recomputed afterwards
    x, labels, _, _ = subset(100, 1)  # 32 + 32 + 32 + 4: the last batch is short
    set_random_seed(1)
    model = Sequential([Input(shape=(784,)), Dense(8, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer=SGD(0.0), loss="categorical_crossentropy")
    recorder = lab.BatchLosses(100, 32)
    model.fit(x, to_categorical(labels, 10), batch_size=32, epochs=2, shuffle=False, verbose=0, callbacks=[recorder])
    p = model.predict(x, verbose=0).astype(np.float64)
    per_image = -np.log(p[np.arange(100), labels])
    expected = [per_image[i:i + 32].mean() for i in range(0, 100, 32)] * 2
    np.testing.assert_allclose(recorder.losses, expected, rtol=1e-4)


def test_window_means_against_direct_means():
    values = np.random.default_rng(0).normal(size=23)
    # 23 values in 5 windows: sizes 5, 5, 5, 4, 4 (array_split's rule)
    edges = [0, 5, 10, 15, 19, 23]
    expected = [round(values[a:b].mean(), 4) for a, b in zip(edges, edges[1:])]
    assert lab.window_means(values, 5) == expected
    assert lab.span([0.5, 0.2, 0.9]) == 0.7


def test_plot_writes_a_png(result, tmp_path):
    path = lab.plot(result, tmp_path / "structures.png")
    data = (tmp_path / "structures.png").read_bytes()
    assert path == str(tmp_path / "structures.png")
    assert data[:8] == PNG_MAGIC and len(data) > 50000


@pytest.mark.parametrize("knobs, words", [
    ({"n_train": 0}, "`n_train` must be a positive integer"),
    ({"n_train": 70000}, "`n_train` must be at most 60000"),
    ({"min_accuracy": 0.05}, "`min_accuracy` must be a number above chance (0.1)"),
    ({"gan_steps": 5}, "`gan_steps` must be at least 20"),
    ({"min_move": 0}, "`min_move` must be a positive number"),
    ({"batch_size": "32"}, "received batch_size='32'"),
])
def test_bad_knobs_fail_before_any_work(monkeypatch, knobs, words):
    def no_data(*args, **kwargs):
        raise AssertionError("MNIST was read before the knobs were checked")

    monkeypatch.setattr(lab, "mnist_subset", no_data)
    with pytest.raises(ValueError) as error:
        lab.run(**knobs)
    assert words in str(error.value)


def test_a_classifier_below_the_threshold_is_reported_as_not_held(result):
    classifiers = json.loads(json.dumps(result["data"]["classifiers"]))
    classifiers["rnn"]["accuracy"] = 0.3
    verdict = lab.summarise(classifiers, result["data"]["gan"], result["data"]["knobs"])
    assert verdict["held"] is False
    assert "RNN (LSTM over the rows) stays below the threshold" in verdict["note"]["en"]
    assert verdict["note"]["ko"].startswith("성립하지 않음")
    classifiers["rnn"]["accuracy"], classifiers["dnn"]["accuracy"] = 0.6, 0.95  # now the DNN leads the CNN
    verdict = lab.summarise(classifiers, result["data"]["gan"], result["data"]["knobs"])
    assert verdict["held"] is False and "The CNN is not the most accurate" in verdict["note"]["en"]
