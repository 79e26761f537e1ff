"""Regression, distribution and hinge losses: values from NumPy transcriptions of Keras's
formulas, gradients by finite differences, reductions and weights."""
import numpy as np
import pytest

from deepbasics import losses
from deepbasics.autodiff import Tensor, gradcheck

EPS = 1e-7
rng = np.random.default_rng(0)
Y = rng.uniform(0.1, 1.0, (5, 3))
P = rng.uniform(0.1, 1.0, (5, 3))
SIGNS = rng.choice([-1.0, 1.0], (5, 3))
ONE_HOT = np.eye(3)[[0, 2, 1, 1, 0]]


def l2n(x):
    return x / np.sqrt(np.maximum((x * x).sum(-1, keepdims=True), 1e-12))


REFERENCES = {
    "mean_absolute_error": (Y, P, lambda y, p: np.abs(y - p).mean(-1)),
    "mean_absolute_percentage_error": (Y, P, lambda y, p: 100 * np.abs((y - p) / np.maximum(np.abs(y), EPS)).mean(-1)),
    "mean_squared_logarithmic_error": (Y, P, lambda y, p: ((np.log(p + 1) - np.log(y + 1)) ** 2).mean(-1)),
    "mean_squared_error": (Y, P, lambda y, p: ((y - p) ** 2).mean(-1)),
    "huber": (Y * 3, P, lambda y, p: np.where(np.abs(p - y) <= 1, 0.5 * (p - y) ** 2, np.abs(p - y) - 0.5).mean(-1)),
    "log_cosh": (Y, P, lambda y, p: np.log(np.cosh(p - y)).mean(-1)),
    "poisson": (Y, P, lambda y, p: (p - y * np.log(p + EPS)).mean(-1)),
    "kl_divergence": (Y, P, lambda y, p: (y * np.log(y / p)).sum(-1)),
    "cosine_similarity": (Y - 0.5, P - 0.5, lambda y, p: -(l2n(y) * l2n(p)).sum(-1)),
    "hinge": (SIGNS, P - 0.5, lambda y, p: np.maximum(1 - y * p, 0).mean(-1)),
    "squared_hinge": (SIGNS, P - 0.5, lambda y, p: (np.maximum(1 - y * p, 0) ** 2).mean(-1)),
    "categorical_hinge": (ONE_HOT, P, lambda y, p: np.maximum(((1 - y) * p).max(-1) - (y * p).sum(-1) + 1, 0)),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_per_sample_values(name):
    y, p, ref = REFERENCES[name]
    got = losses.get(name)  # a class instance, reduced
    per = getattr(losses, name)(y, Tensor(p)).numpy()
    np.testing.assert_allclose(per, ref(y, p), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(got(y, Tensor(p)).numpy(), ref(y, p).mean(), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_gradients(name):
    y, p, _ = REFERENCES[name]
    gradcheck(lambda t: losses.get(name)(y, t), [p])


def test_hinge_maps_zero_one_labels():
    y01 = (SIGNS + 1) / 2
    np.testing.assert_allclose(losses.hinge(y01, Tensor(P)).numpy(), losses.hinge(SIGNS, Tensor(P)).numpy())


def test_reductions_and_sample_weights():
    loss = losses.MeanAbsoluteError(reduction="sum")
    w = np.array([1.0, 0.0, 2.0, 1.0, 0.5])
    per = np.abs(Y - P).mean(-1)
    np.testing.assert_allclose(loss(Y, Tensor(P), sample_weight=w).numpy(), (per * w).sum())
    np.testing.assert_allclose(losses.MeanAbsoluteError()(Y, Tensor(P), sample_weight=w).numpy(), (per * w).mean())
    assert losses.MeanAbsoluteError(reduction="none")(Y, Tensor(P)).shape == (5,)


def test_config_round_trip_for_every_loss():
    for cls in {type(losses.get(name)) for name in losses.ALL_LOSSES}:
        obj = cls()
        assert cls.from_config(obj.get_config()).get_config() == obj.get_config()


def test_unknown_loss_lists_names():
    with pytest.raises(ValueError, match="Unknown loss 'mean_sqaured_error'.*'mean_squared_error'"):
        losses.get("mean_sqaured_error")
    with pytest.raises(ValueError, match="delta"):
        losses.Huber(delta=0)
