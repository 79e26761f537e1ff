"""The optimizer base, what every optimizer shares, in Keras 3's order: clip the gradients,
decoupled weight decay, the subclass's update_step, constraints, iterations += 1."""
import math

import numpy as np
import pytest

from deepbasics import Variable, optimizers
from deepbasics.optimizers import SGD, Optimizer, schedules


class Recorder(Optimizer):
    """An optimizer that writes only ``build_slots`` and ``update_step``: it records the
    gradient and weight it was handed, then steps w -= lr g."""

    def __init__(self, **kwargs):
        super().__init__(learning_rate=kwargs.pop("learning_rate", 0.1), **kwargs)
        self.seen = []
        self.built = 0

    def build_slots(self, var):
        self.built += 1
        return {"count": np.zeros(1)}

    def update_step(self, grad, var, slots, lr):
        self.seen.append((grad.copy(), var.copy(), lr))
        slots["count"] += 1
        var -= lr * grad


G1 = np.array([3.0, 4.0])  # norm 5
G2 = np.array([0.3, -0.4])  # norm 0.5


def two_vars():
    return Variable(np.array([1.0, 2.0])), Variable(np.array([-1.0, 0.5]))


def step(opt, grads=(G1, G2)):
    vs = two_vars()
    opt.apply(list(grads), list(vs))
    return [seen[0] for seen in opt.seen], vs


def test_clipnorm_clips_each_gradient_by_its_own_norm():
    (g1, g2), _ = step(Recorder(clipnorm=1.0))
    np.testing.assert_allclose(g1, G1 / 5.0, rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(g1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(g2, G2, rtol=1e-6)  # norm 0.5 < 1: unchanged


def test_global_clipnorm_scales_every_gradient_by_the_joint_norm():
    (g1, g2), _ = step(Recorder(global_clipnorm=1.0))
    joint = math.sqrt(25.0 + 0.25)
    np.testing.assert_allclose(g1, G1 / joint, rtol=1e-6)
    np.testing.assert_allclose(g2, G2 / joint, rtol=1e-6)
    np.testing.assert_allclose(math.sqrt(np.sum(g1**2) + np.sum(g2**2)), 1.0, rtol=1e-6)


def test_global_clipnorm_leaves_small_gradients_alone():
    (g1, g2), _ = step(Recorder(global_clipnorm=10.0))
    np.testing.assert_allclose(g1, G1, rtol=1e-6)
    np.testing.assert_allclose(g2, G2, rtol=1e-6)


def test_clipvalue_clips_elementwise():
    (g1, g2), _ = step(Recorder(clipvalue=0.35))
    np.testing.assert_allclose(g1, [0.35, 0.35], rtol=1e-6)
    np.testing.assert_allclose(g2, [0.3, -0.35], rtol=1e-6)


@pytest.mark.parametrize("kwargs", [dict(clipnorm=1.0, clipvalue=1.0), dict(clipnorm=1.0, global_clipnorm=1.0),
                                    dict(clipvalue=1.0, global_clipnorm=1.0)])
def test_only_one_clipping_argument(kwargs):
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"):
        SGD(**kwargs)


def test_clipping_does_not_write_into_the_callers_gradients():
    g1, g2 = G1.copy(), G2.copy()
    step(Recorder(clipnorm=0.1), (g1, g2))
    np.testing.assert_array_equal(g1, G1)
    np.testing.assert_array_equal(g2, G2)


def test_weight_decay_is_decoupled_and_comes_before_the_update():
    opt = Recorder(learning_rate=0.1, weight_decay=0.5)
    (v1, _) = two_vars()
    w0 = v1.numpy().copy()
    opt.apply([G1], [v1])
    _, w_seen, lr = opt.seen[0]
    np.testing.assert_allclose(w_seen, w0 - w0 * 0.5 * 0.1, rtol=1e-6)  # w -= w wd lr first
    np.testing.assert_allclose(v1.numpy(), w0 - w0 * 0.5 * 0.1 - 0.1 * G1, rtol=1e-6)


def test_sgd_weight_decay_matches_the_formula():
    v = Variable(np.array([2.0, -4.0]))
    SGD(learning_rate=0.1, weight_decay=0.01).apply([np.zeros(2)], [v])
    np.testing.assert_allclose(v.numpy(), [2.0 - 2.0 * 0.01 * 0.1, -4.0 + 4.0 * 0.01 * 0.1], rtol=1e-6)


def test_weight_decay_is_not_clipped():
    v = Variable(np.array([100.0]))
    SGD(learning_rate=0.1, weight_decay=0.5, clipvalue=0.01).apply([np.array([1.0])], [v])
    np.testing.assert_allclose(v.numpy(), [100.0 - 100.0 * 0.05 - 0.1 * 0.01], rtol=1e-6)


def test_constraint_applies_after_the_update():
    v = Variable(np.array([0.5, -0.5]))
    v.constraint = lambda w: np.clip(w, -0.6, 0.6)
    SGD(learning_rate=1.0).apply([np.array([-1.0, 1.0])], [v])
    np.testing.assert_allclose(v.numpy(), [0.6, -0.6])


def test_slots_are_built_once_per_variable():
    opt = Recorder()
    v = Variable(np.zeros(2))
    for _ in range(3):
        opt.apply([np.ones(2)], [v])
    assert opt.built == 1
    assert opt.slots_of(v)["count"][0] == 3
    opt.build([v])
    assert opt.built == 1


def test_iterations_count_steps_not_variables():
    opt = Recorder()
    for i in range(1, 4):
        step(opt)
        assert opt.iterations == i


def test_apply_gradients_skips_missing_gradients():
    a, b = two_vars()
    before = b.numpy().copy()
    opt = SGD(learning_rate=0.1)
    assert opt.apply_gradients([(G1, a), (None, b)]) == 1
    np.testing.assert_allclose(a.numpy(), np.array([1.0, 2.0]) - 0.1 * G1, rtol=1e-6)
    np.testing.assert_array_equal(b.numpy(), before)


def test_float64_gradients_update_float32_variables_in_place():
    v = Variable(np.array([1.0, 2.0]))
    data = v.data
    SGD().apply([np.array([1.0, 1.0], dtype=np.float64)], [v])
    assert v.data is data and v.dtype == np.float32
    assert Variable(np.zeros(1)).dtype == np.float32


def test_gradients_that_are_tensors_are_accepted():
    from deepbasics.autodiff import Tensor

    v = Variable(np.array([1.0]))
    SGD(learning_rate=0.5).apply([Tensor(np.array([2.0]))], [v])
    np.testing.assert_allclose(v.numpy(), [0.0])


def test_mismatched_arguments_are_errors():
    v = Variable(np.zeros(2))
    with pytest.raises(ValueError, match="2 gradients for 1 variables"):
        SGD().apply([np.zeros(2), np.zeros(2)], [v])
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        SGD().apply([np.zeros(3)], [v])


@pytest.mark.parametrize("lr", [-0.1, "0.1", None])
def test_learning_rate_must_be_a_non_negative_number_or_a_schedule(lr):
    with pytest.raises(ValueError, match="learning_rate"):
        SGD(learning_rate=lr)


def test_learning_rate_is_kept_as_float32_and_can_be_set():
    opt = SGD(learning_rate=0.1)
    assert opt.learning_rate == float(np.float32(0.1))
    opt.learning_rate = 0.5
    v = Variable(np.array([1.0]))
    opt.apply([np.array([1.0])], [v])
    np.testing.assert_allclose(v.numpy(), [0.5])


def test_a_schedule_is_read_at_the_current_iteration():
    sched = schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    opt, v = SGD(learning_rate=sched), Variable(np.array([0.0]))
    for _ in range(3):
        opt.apply([np.array([-1.0])], [v])
    np.testing.assert_allclose(v.numpy(), [0.1 + 0.05 + 0.025], rtol=1e-6)


def test_weight_decay_uses_the_decayed_learning_rate():
    with pytest.warns(DeprecationWarning):
        opt = SGD(learning_rate=0.1, decay=1.0, weight_decay=0.5)
    v = Variable(np.array([1.0]))
    opt.apply([np.zeros(1)], [v])  # t = 0: lr 0.1
    opt.apply([np.zeros(1)], [v])  # t = 1: lr 0.05
    np.testing.assert_allclose(v.numpy(), [(1 - 0.5 * 0.1) * (1 - 0.5 * 0.05)], rtol=1e-6)


def test_unsupported_keras_options_are_refused():
    for kwargs in (dict(use_ema=True), dict(gradient_accumulation_steps=2), dict(loss_scale_factor=2.0)):
        (name, value), = kwargs.items()
        with pytest.raises(ValueError, match=f"`{name}` is not supported.*received {name}={value!r}"):
            Recorder(**kwargs)


def test_variables_count_iterations_learning_rate_and_slots():
    opt, v = SGD(momentum=0.9), Variable(np.zeros(3))
    assert len(opt.variables) == 2
    opt.apply([np.ones(3)], [v])
    assert len(opt.variables) == 3


@pytest.mark.parametrize("name", sorted(optimizers.ALL_OPTIMIZERS))
def test_every_optimizer_descends_a_quadratic(name):
    opt = optimizers.get(name)
    if name == "Adadelta":
        opt.learning_rate = 1.0  # Keras's default 0.001 barely moves Adadelta in a few steps
    v = Variable(np.array([1.0, -2.0, 3.0]))
    loss0 = float(np.sum(v.numpy() ** 2))
    for _ in range(5):
        opt.apply_gradients([(2.0 * v.numpy(), v)])
    assert opt.iterations == 5
    assert float(np.sum(v.numpy() ** 2)) < loss0
    clone = type(opt).from_config(opt.get_config())
    assert clone.get_config() == opt.get_config()
