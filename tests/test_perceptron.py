import numpy as np
import pytest

import deepbasics as db
from deepbasics.perceptron import ConvergenceWarning, Perceptron

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
AND, OR, XOR = np.array([0, 0, 0, 1]), np.array([0, 1, 1, 1]), np.array([0, 1, 1, 0])


@pytest.mark.parametrize("y", [AND, OR], ids=["AND", "OR"])
def test_learns_linearly_separable_gates(y):
    p = Perceptron().fit(X, y)
    assert p.converged and p.score(X, y) == 1.0
    assert p.errors_per_epoch[-1] == 0


def test_cannot_learn_xor_and_says_so():
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        p = Perceptron(max_epochs=50).fit(X, XOR)
    assert not p.converged and p.epochs_run == 50
    assert p.score(X, XOR) <= 0.75


def test_rule_by_hand():
    """One epoch on AND from zero weights, learning rate 1, computed on paper."""
    p = Perceptron(max_epochs=1)
    with pytest.warns(ConvergenceWarning):
        p.fit(X, AND)
    # (0,0): z=0 -> 0, ok. (0,1): ok. (1,0): ok. (1,1): 0 != 1 -> w=[1,1], b=1
    np.testing.assert_array_equal(p.weights, [1.0, 1.0])
    assert p.bias == 1.0 and p.errors_per_epoch == [1]


def test_sign_activation():
    y = np.where(OR == 1, 1, -1)
    p = Perceptron(activation="sign").fit(X, y)
    assert p.score(X, y) == 1.0


def test_bad_input():
    with pytest.raises(ValueError, match="labels"):
        Perceptron().fit(X, [0, 1, 2, 1])
    with pytest.raises(ValueError, match="max_epochs"):
        Perceptron(max_epochs=0)
    with pytest.raises(RuntimeError, match="not fitted"):
        Perceptron().predict(X)


def test_mlp_learns_xor():
    db.utils.set_random_seed(1)
    model = db.Sequential([db.layers.Dense(8, input_dim=2, activation="tanh"),
                           db.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=db.optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X.astype("float32"), XOR.astype("float32"), epochs=300, batch_size=4, verbose=0)
    assert model.evaluate(X.astype("float32"), XOR.astype("float32"), verbose=0)[1] == 1.0
