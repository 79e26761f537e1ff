"""SGD: golden 5-step trajectories against a float64 transcription of Keras 3's update rule
(../shared/KERAS_REFERENCE.md), the registry, config, Keras 2 arguments."""
import numpy as np
import pytest

from deepbasics import Variable, optimizers
from deepbasics.optimizers import SGD

W0 = np.array([1.0, -2.0, 0.5, 3.0, -0.25])


def grad_of(w):
    """Gradient of f(w) = sum(w^4)/4 - sum(w): nonlinear, so every step sees a new gradient."""
    return w**3 - 1.0


def sgd_ref(lr=0.01, momentum=0.0, nesterov=False, steps=5, decay=0.0, wd=0.0):
    """Keras 3, float64: m = momentum m - lr g; w += m (nesterov: w += momentum m - lr g);
    Keras 2's decay: lr_t = lr / (1 + decay t), t = 0, 1, ...; decoupled weight decay first."""
    w, m = W0.copy(), np.zeros_like(W0)
    for t in range(steps):
        g = grad_of(w)
        lr_t = lr / (1.0 + decay * t)
        w = w - w * wd * lr_t
        if momentum == 0.0:
            w = w - lr_t * g
            continue
        m = momentum * m - lr_t * g
        w = w + (momentum * m - lr_t * g if nesterov else m)
    return w


def run(opt, steps=5):
    v = Variable(W0.astype(np.float32))
    for _ in range(steps):
        opt.apply([grad_of(v.numpy().astype(np.float64)).astype(np.float32)], [v])
    return v.numpy()


CASES = [
    ("plain", dict(), dict()),
    ("plain lr 0.05", dict(learning_rate=0.05), dict(lr=0.05)),
    ("momentum", dict(momentum=0.9), dict(momentum=0.9)),
    ("nesterov", dict(momentum=0.9, nesterov=True), dict(momentum=0.9, nesterov=True)),
    ("nesterov lr 0.03", dict(learning_rate=0.03, momentum=0.5, nesterov=True), dict(lr=0.03, momentum=0.5, nesterov=True)),
    ("weight decay", dict(weight_decay=0.1, momentum=0.9), dict(wd=0.1, momentum=0.9)),
]


@pytest.mark.parametrize("name,kwargs,ref_kwargs", CASES, ids=[c[0] for c in CASES])
def test_golden_trajectory(name, kwargs, ref_kwargs):
    expected = sgd_ref(**ref_kwargs)
    assert np.abs(expected - W0).max() > 1e-2, "the reference must move"
    np.testing.assert_allclose(run(SGD(**kwargs)), expected, rtol=1e-5, atol=1e-6)


def test_momentum_and_nesterov_differ_from_plain():
    plain, mom, nag = run(SGD()), run(SGD(momentum=0.9)), run(SGD(momentum=0.9, nesterov=True))
    assert not np.allclose(plain, mom) and not np.allclose(mom, nag)


def test_first_momentum_step_is_a_plain_step():
    v = Variable(W0)
    SGD(momentum=0.9).apply([np.ones(5)], [v])
    np.testing.assert_allclose(v.numpy(), W0 - 0.01, rtol=1e-6)


def test_momentum_slot_holds_the_velocity():
    opt, v = SGD(momentum=0.9), Variable(W0)
    for _ in range(2):
        opt.apply([np.ones(5, np.float32)], [v])
    np.testing.assert_allclose(opt.slots_of(v)["momentum"], np.full(5, -0.01 * 0.9 - 0.01), rtol=1e-6)
    assert SGD().build_slots(np.zeros(3)) == {}


def test_keras2_decay_applies_inverse_time_decay():
    with pytest.warns(DeprecationWarning, match="decay"):
        opt = SGD(learning_rate=0.1, decay=0.5)
    np.testing.assert_allclose(run(opt), sgd_ref(lr=0.1, decay=0.5), rtol=1e-5, atol=1e-6)


def test_keras2_lr_is_accepted_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="learning_rate"):
        opt = SGD(lr=0.05)
    assert opt.learning_rate == pytest.approx(0.05)
    np.testing.assert_allclose(run(opt), sgd_ref(lr=0.05), rtol=1e-5, atol=1e-6)


def test_unknown_keyword_is_rejected_like_keras():
    with pytest.raises(ValueError, match=r"Argument\(s\) not recognized: \{'momentm': 0.9\}"):
        SGD(momentm=0.9)


@pytest.mark.parametrize("momentum", [-1, -0.1, 1.5, "0.9", None])
def test_bad_momentum_is_rejected(momentum):
    with pytest.raises(ValueError, match=r"`momentum` must be a float between \[0, 1\]"):
        SGD(momentum=momentum)


def test_get_by_name_is_case_insensitive():
    for name in ("sgd", "SGD", "Sgd"):
        assert type(optimizers.get(name)) is SGD
    opt = SGD()
    assert optimizers.get(opt) is opt
    made = optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.5, "momentum": 0.5}})
    assert made.learning_rate == 0.5 and made.momentum == 0.5


def test_unknown_optimizer_lists_the_names():
    with pytest.raises(ValueError) as info:
        optimizers.get("adma")
    assert str(info.value).startswith("Unknown optimizer 'adma'. Expected one of 'adadelta', 'adagrad', 'adam'")
    assert str(info.value).endswith("'sgd' or an Optimizer instance.")


def test_defaults_and_config():
    cfg = SGD().get_config()
    assert cfg["learning_rate"] == 0.009999999776482582  # stored as float32, like Keras
    assert cfg["momentum"] == 0.0 and cfg["nesterov"] is False
    assert cfg["weight_decay"] is None and cfg["clipnorm"] is None
    assert cfg["clipvalue"] is None and cfg["global_clipnorm"] is None


@pytest.mark.parametrize("kwargs", [dict(), dict(learning_rate=0.1, momentum=0.9, nesterov=True),
                                    dict(weight_decay=0.01, clipnorm=1.0), dict(global_clipnorm=2.0, name="opt")])
def test_config_round_trip(kwargs):
    opt = SGD(**kwargs)
    clone = SGD.from_config(opt.get_config())
    assert clone.get_config() == opt.get_config()
    np.testing.assert_array_equal(run(clone, 3), run(SGD(**kwargs), 3))


def test_apply_gradients_and_apply_with_numpy_gradients():
    a, b = Variable(W0), Variable(W0)
    opt1, opt2 = SGD(learning_rate=0.1), SGD(learning_rate=0.1)
    g = grad_of(W0)
    assert opt1.apply_gradients([(g, a)]) == 1
    opt2.apply([g], [b])
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_allclose(a.numpy(), W0 - 0.1 * g, rtol=1e-6)


def test_iterations_count_steps():
    opt, v = SGD(), Variable(W0)
    for i in range(1, 4):
        opt.apply([np.ones(5)], [v])
        assert opt.iterations == i
