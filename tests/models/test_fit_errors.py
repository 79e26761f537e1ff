"""Bad input to ``fit`` gets a clear error before any training step: the weights stay as they were.

Each message names the argument, what it received and what was expected (DESIGN.md).
"""

import numpy as np
import pytest

from deepbasics.datasets import mnist
from deepbasics.layers import Dense, Input
from deepbasics.models import Sequential
from deepbasics.utils import set_random_seed, to_categorical

from mnist_data import DATA_DIR, HAVE_DATA  # noqa: E402 - tests/ is on pytest's pythonpath

N = 64
rng = np.random.default_rng(0)
X = rng.random((N, 784), dtype=np.float32)
LABELS = rng.integers(0, 10, N)
Y = to_categorical(LABELS, 10)


def course_model(compiled=True, loss="categorical_crossentropy"):
    set_random_seed(0)
    model = Sequential([Dense(64, input_dim=784, activation="relu"), Dense(10, activation="softmax")])
    if compiled:
        model.compile(optimizer="sgd", loss=loss, metrics=["accuracy"])
    return model


def fails_before_training(model, error, match, **fit_args):
    """``fit(**fit_args)`` raises ``error`` matching ``match``; no weight moved, no step taken."""
    before = model.get_weights()
    assert len(before) == 4  # built: there is something to compare
    args = {"x": X, "y": Y, "epochs": 1, "verbose": 0, **fit_args}
    with pytest.raises(error, match=match) as raised:
        model.fit(**args)
    for w0, w1 in zip(before, model.get_weights()):
        np.testing.assert_array_equal(w0, w1)
    if model.optimizer is not None:
        assert model.optimizer.iterations == 0
    return str(raised.value)


def test_fit_before_compile():
    message = fails_before_training(course_model(compiled=False), RuntimeError, r"compile\(\)")
    assert "before `fit()`" in message


def test_x_and_y_lengths_differ():
    message = fails_before_training(course_model(), ValueError, "same number of samples", y=Y[:-1])
    assert "x has 64" in message and "y has 63" in message


def test_input_width_does_not_match_the_model():
    message = fails_before_training(course_model(), ValueError, "does not match", x=X[:, :100])
    assert "784" in message and "100" in message


def test_unflattened_images_get_a_reshape_hint():
    message = fails_before_training(course_model(), ValueError, "does not match", x=X.reshape(N, 28, 28))
    assert "reshape(len(x), 784)" in message


def test_integer_labels_to_categorical_crossentropy():
    message = fails_before_training(course_model(), ValueError, "one-hot", y=LABELS)
    assert "to_categorical" in message and "sparse_categorical_crossentropy" in message
    assert "(64,)" in message  # the shape it received


def test_one_hot_labels_to_the_sparse_loss():
    model = course_model(loss="sparse_categorical_crossentropy")
    message = fails_before_training(model, ValueError, "integer labels", y=Y)
    assert "(64, 10)" in message and "categorical_crossentropy" in message


def test_sparse_labels_out_of_range():
    model = course_model(loss="sparse_categorical_crossentropy")
    labels = LABELS.copy()
    labels[5] = 10
    message = fails_before_training(model, ValueError, "label value of 10", y=labels)
    assert "[0, 9]" in message
    labels[5] = -1
    fails_before_training(model, ValueError, "label value of -1", y=labels)


@pytest.mark.parametrize("where", ["x", "y"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf(where, bad):
    arrays = {"x": X.copy(), "y": Y.copy()}
    arrays[where][7, 3] = bad
    arrays[where][9, 1] = bad
    message = fails_before_training(course_model(), ValueError, f"`{where}` contains 2 NaN or infinite",
                                    x=arrays["x"], y=arrays["y"])
    assert "the first at index (7, 3)" in message


@pytest.mark.parametrize("name", ["batch_size", "epochs"])
@pytest.mark.parametrize("value", [0, -1, 2.5, "32", True])
def test_batch_size_and_epochs_must_be_positive_integers(name, value):
    message = fails_before_training(course_model(), ValueError, f"`{name}` must be a positive integer",
                                    **{name: value})
    assert f"{name}={value!r}" in message


def test_empty_x():
    message = fails_before_training(course_model(), ValueError, "`x` is empty", x=X[:0], y=Y[:0])
    assert "(0, 784)" in message


def test_unknown_optimizer_lists_the_valid_ones():
    model = course_model(compiled=False)
    with pytest.raises(ValueError, match="Unknown optimizer 'adma'. Expected one of") as raised:
        model.compile(optimizer="adma", loss="categorical_crossentropy")
    assert "sgd" in str(raised.value).lower()
    assert not model.compiled


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown activation function 'rellu'. Expected one of") as raised:
        Dense(64, activation="rellu")
    assert "'relu'" in str(raised.value) and "'softmax'" in str(raised.value)


@pytest.mark.skipif(not HAVE_DATA, reason=f"the MNIST IDX files are not in {DATA_DIR}")
def test_unscaled_uint8_pixels_train_with_a_warning(monkeypatch):
    monkeypatch.setenv("DEEPBASICS_DATA_DIR", DATA_DIR)
    (x_train, y_train), _ = mnist.load_data()
    x = x_train[:256].reshape(256, 784)  # uint8 0..255, not divided by 255
    model = course_model()
    before = model.get_weights()
    with pytest.warns(UserWarning, match=r"/ 255\.0") as caught:
        hist = model.fit(x, to_categorical(y_train[:256], 10), epochs=1, verbose=0)
    assert "255" in str(caught[0].message) and "uint8" in str(caught[0].message)
    assert len(hist.history["loss"]) == 1  # it still trains
    assert not np.array_equal(before[0], model.get_weights()[0])


def test_unscaled_pixels_warning_points_at_the_fit_call():
    x = (X[:32] * 255).astype(np.uint8)
    with pytest.warns(UserWarning, match=r"/ 255\.0") as caught:
        course_model().fit(x, Y[:32], epochs=1, verbose=0)
    assert caught[0].filename == __file__


def test_width_error_leaves_an_input_first_model_usable():
    model = Sequential([Input(shape=(784,)), Dense(64, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="does not match"):
        model.fit(X[:, :100], Y, verbose=0)
    model.fit(X, Y, epochs=1, verbose=0)  # the right data still trains
    assert model.get_weights()[0].shape == (784, 64)


def test_flat_images_into_a_conv_model_suggest_the_reshape():
    from deepbasics.layers import Conv2D, Flatten

    model = Sequential([Input((28, 28, 1)), Conv2D(4, 3), Flatten(), Dense(2)])
    model.compile("sgd", "mse")
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=r"received \(batch,\) \+ \(784,\)\. Reshape it first: x\.reshape\(len\(x\), 28, 28, 1\)"):
        model.fit(np.zeros((4, 784), np.float32), np.zeros((4, 2), np.float32), verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
