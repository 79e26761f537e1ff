"""summary() of functional models: Keras's layer order and its ``Connected to`` column.

The expected text was printed by Keras 3.15.1 (torch backend, stdout a pipe: 80 columns) for
the same model built with ``keras`` in place of ``deepbasics``.
"""
import pytest

import deepbasics as db
from deepbasics import layers

KERAS_BRANCHED_SUMMARY = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)      │ (None, 8)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense (Dense)       │ (None, 16)        │        144 │ a[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ b (InputLayer)      │ (None, 4)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_2 (Dense)     │ (None, 4)         │         68 │ dense[0][0]       │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_1 (Dense)     │ (None, 16)        │         80 │ b[0][0],          │
│                     │                   │            │ dense_2[0][0]     │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate         │ (None, 48)        │          0 │ dense[0][0],      │
│ (Concatenate)       │                   │            │ dense_1[0][0],    │
│                     │                   │            │ dense_1[1][0]     │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ out1 (Dense)        │ (None, 1)         │         49 │ concatenate[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ out2 (Dense)        │ (None, 3)         │         51 │ dense[0][0]       │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 392 (1.53 KB)
 Trainable params: 392 (1.53 KB)
 Non-trainable params: 0 (0.00 B)"""


@pytest.fixture
def pipe_width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    db.backend.clear_session()  # layer names from dense, dense_1, ... as in a fresh Keras process


def branched_model():
    """Two inputs, a layer shared by two branches, a merge and two outputs."""
    a, b = db.Input((8,), name="a"), db.Input((4,), name="b")
    h = layers.Dense(16, activation="relu")(a)
    shared = layers.Dense(16)
    from_b = shared(b)
    from_h = shared(layers.Dense(4)(h))
    merged = layers.Concatenate()([h, from_b, from_h])
    return db.Model([a, b], [layers.Dense(1, name="out1")(merged), layers.Dense(3, name="out2")(h)])


def test_branched_model_matches_keras_character_for_character(pipe_width, capsys):
    branched_model().summary()
    assert capsys.readouterr().out.rstrip("\n") == KERAS_BRANCHED_SUMMARY


def test_layers_are_in_keras_order_deepest_first(pipe_width):
    model = branched_model()
    assert [layer.name for layer in model.layers] == [
        "a", "dense", "b", "dense_2", "dense_1", "concatenate", "out1", "out2"]


def test_a_chain_keeps_three_columns(pipe_width):
    x = db.Input((4,))
    model = db.Model(x, layers.Dense(2)(layers.Dense(3)(x)))
    text = []
    model.summary(print_fn=text.append)
    assert "Connected to" not in text[2] and text[2].count("┃") == 4


def test_node_index_counts_each_call_of_a_layer():
    shared = layers.Dense(2)
    first, second = db.Input((3,)), db.Input((3,))
    assert shared(first).node.index == 0 and shared(second).node.index == 1
