"""``Sequential``: the course model's structure, summary, names and weights."""
import numpy as np
import pytest

from deepbasics.layers import Dense, Input
from deepbasics.layers.input_layer import InputLayer
from deepbasics.backend import clear_session
from deepbasics.models import Sequential

# Keras 3.15.1's output for the course model, stdout not a terminal (KERAS_REFERENCE.md).
KERAS_SUMMARY = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 64)             │        50,240 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 10)             │           650 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 50,890 (198.79 KB)
 Trainable params: 50,890 (198.79 KB)
 Non-trainable params: 0 (0.00 B)
"""


@pytest.fixture
def fresh_names():
    """Layer and model names counted from zero, as in a new Keras session."""
    clear_session()
    yield
    clear_session()


def course_model():
    model = Sequential()
    model.add(Dense(units=64, input_dim=28 * 28, activation="relu"))
    model.add(Dense(units=10, activation="softmax"))
    return model


def test_summary_is_keras_exactly(fresh_names, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # what a pipe gets: 80 columns, a 76-wide table
    model = course_model()
    model.summary()
    assert capsys.readouterr().out == KERAS_SUMMARY


def test_summary_through_print_fn(fresh_names, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = []
    course_model().summary(print_fn=lines.append)
    assert "\n".join(lines) + "\n" == KERAS_SUMMARY


def test_parameter_counts():
    model = course_model()
    assert [layer.count_params() for layer in model.layers] == [784 * 64 + 64, 64 * 10 + 10]
    assert model.count_params() == 50_890
    assert [w.shape for w in model.get_weights()] == [(784, 64), (64,), (64, 10), (10,)]


def test_names_count_like_a_keras_session(fresh_names):
    first, second = course_model(), course_model()
    assert first.name == "sequential" and second.name == "sequential_1"
    assert [layer.name for layer in first.layers] == ["dense", "dense_1"]
    assert [layer.name for layer in second.layers] == ["dense_2", "dense_3"]


def input_first_model():
    return Sequential([Input(shape=(784,)), Dense(64, activation="relu"), Dense(10, activation="softmax")])


def test_input_as_first_layer_declares_the_shape():
    model = input_first_model()
    assert not any(isinstance(layer, InputLayer) for layer in model.layers)  # Keras hides it
    assert len(model.layers) == 2
    assert model.input_shape == (None, 784)


def test_input_as_first_layer_builds_the_model(fresh_names, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    model = input_first_model()
    assert model.layers[0].built and model.count_params() == 50_890  # Keras builds at once
    lines = []
    model.summary(print_fn=lines.append)
    assert "\n".join(lines) + "\n" == KERAS_SUMMARY


def test_input_must_come_first():
    model = Sequential([Dense(4, input_dim=3)])
    with pytest.raises(ValueError, match="first layer"):
        model.add(Input(shape=(3,)))


def test_get_set_weights_round_trip():
    a, b = course_model(), course_model()
    assert not np.array_equal(a.get_weights()[0], b.get_weights()[0])  # random initialisation
    b.set_weights(a.get_weights())
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
        assert wb.dtype == np.float32
    x = np.random.default_rng(0).random((5, 784), dtype=np.float32)
    np.testing.assert_array_equal(a.predict(x, verbose=0), b.predict(x, verbose=0))


def test_get_weights_returns_copies():
    model = course_model()
    weights = model.get_weights()
    weights[1][:] = 5.0
    assert not np.any(model.get_weights()[1] == 5.0)


@pytest.mark.parametrize("change, message", [
    (lambda ws: ws[:3], "expects 4 weight arrays, received 3"),
    (lambda ws: ws + [np.zeros(1)], "expects 4 weight arrays, received 5"),
    (lambda ws: [ws[0].T] + ws[1:], r"has shape \(784, 64\), received \(64, 784\)"),
    (lambda ws: ws[:3] + [np.zeros(11)], r"has shape \(10,\), received \(11,\)"),
])
def test_set_weights_mismatch_changes_nothing(change, message):
    model = course_model()
    before = model.get_weights()
    replacement = [np.ones_like(w) for w in before]
    with pytest.raises(ValueError, match=message):
        model.set_weights(change(replacement))
    for w0, w1 in zip(before, model.get_weights()):
        np.testing.assert_array_equal(w0, w1)  # checked all before assigning any
