import numpy as np
import pytest

import deepbasics as db
from deepbasics import constraints, regularizers
from deepbasics.autodiff import Tensor, Variable, gradcheck

W = np.array([[1.0, -2.0], [0.5, 3.0]])


def test_penalties_by_formula():
    assert float(regularizers.L2(0.01)(Tensor(W)).numpy()) == pytest.approx(0.01 * (W**2).sum())
    assert float(regularizers.L1(0.1)(Tensor(W)).numpy()) == pytest.approx(0.1 * np.abs(W).sum())
    both = regularizers.l1_l2(l1=0.1, l2=0.2)(Tensor(W)).numpy()
    assert float(both) == pytest.approx(0.1 * np.abs(W).sum() + 0.2 * (W**2).sum())


def test_l2_gradient_is_2_l2_w():
    v = Variable(W, dtype="float64")
    regularizers.L2(0.05)(v).backward()
    np.testing.assert_allclose(v.grad, 2 * 0.05 * W)
    gradcheck(lambda w: regularizers.l1_l2(0.1, 0.2)(w), [W])


@pytest.mark.parametrize("name,cls", [("l1", regularizers.L1), ("l2", regularizers.L2), ("l1_l2", regularizers.L1L2)])
def test_registry_and_config(name, cls):
    reg = regularizers.get(name)
    assert isinstance(reg, cls)
    assert cls.from_config(reg.get_config()).get_config() == reg.get_config()


def test_negative_factor_is_rejected():
    with pytest.raises(ValueError, match="l2"):
        regularizers.L2(-1)


def _model(**dense_kwargs):
    db.utils.set_random_seed(0)
    model = db.Sequential([db.layers.Dense(4, input_dim=3, **dense_kwargs), db.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_regularization_joins_the_loss_and_is_shown_separately():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((32, 3)).astype("float32"), rng.standard_normal((32, 1)).astype("float32")
    plain = _model()
    regular = _model(kernel_regularizer=regularizers.L2(0.1))
    data_loss = plain.evaluate(x, y, verbose=0)
    penalty = 0.1 * float((regular.layers[0].kernel.numpy().astype(np.float64) ** 2).sum())
    assert float(sum(p.numpy() for p in regular.losses)) == pytest.approx(penalty, rel=1e-5)
    assert regular.evaluate(x, y, verbose=0) == pytest.approx(data_loss + penalty, rel=1e-5)


def test_l2_shrinks_weights_during_training():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((64, 3)).astype("float32"), rng.standard_normal((64, 1)).astype("float32")
    plain, regular = _model(), _model(kernel_regularizer=regularizers.L2(0.5))
    plain.fit(x, y, epochs=5, verbose=0)
    regular.fit(x, y, epochs=5, verbose=0)
    assert np.abs(regular.layers[0].kernel.numpy()).sum() < np.abs(plain.layers[0].kernel.numpy()).sum()


def test_activity_regularizer_penalises_outputs():
    layer = db.layers.Dense(2, activity_regularizer="l1", kernel_initializer="ones")
    out = layer(np.ones((3, 2), np.float32))
    assert float(layer.losses[0].numpy()) == pytest.approx(0.01 * np.abs(out.numpy()).sum())


def test_constraints_after_each_step():
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((64, 3)).astype("float32"), (rng.standard_normal((64, 1)) * 50).astype("float32")
    model = _model(kernel_constraint=constraints.MaxNorm(0.3), bias_constraint="non_neg")
    model.fit(x, y, epochs=3, verbose=0)
    norms = np.sqrt((model.layers[0].kernel.numpy() ** 2).sum(axis=0))
    assert np.all(norms <= 0.3 + 1e-5)
    assert np.all(model.layers[0].bias.numpy() >= 0)


def test_constraint_formulas():
    w = np.array([[3.0, 0.1], [4.0, 0.2]])
    np.testing.assert_allclose(constraints.MaxNorm(2)(w)[:, 0], [1.2, 1.6], rtol=1e-6)
    np.testing.assert_allclose(constraints.MaxNorm(2)(w)[:, 1], w[:, 1], rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(constraints.UnitNorm()(w), axis=0), 1, rtol=1e-6)
    np.testing.assert_array_equal(constraints.NonNeg()(np.array([-1.0, 2.0])), [0, 2])
    for name in ("max_norm", "non_neg", "unit_norm", "min_max_norm"):
        assert constraints.get(name) is not None


def test_regularizer_on_a_layer_without_weights_is_an_error():
    with pytest.raises(TypeError, match="kernel_regularizer"):
        db.layers.Flatten(kernel_regularizer="l2")
