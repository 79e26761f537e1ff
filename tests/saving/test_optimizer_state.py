"""Optimizer.get_state / set_state: the state in Keras 3's order of ``optimizer.variables``
(what Keras writes under optimizer/vars), restored exactly or not at all."""
import numpy as np
import pytest

from deepbasics import optimizers
from deepbasics.autodiff import Variable


def two_variables():
    return [Variable(np.array([[1.0, -2.0], [0.5, 3.0]])), Variable(np.array([0.25, -1.0]))]


def step(optimizer, variables, grads):
    optimizer.apply(grads, variables)


GRADS = [np.array([[0.1, -0.2], [0.3, 0.4]], "float32"), np.array([0.5, -0.6], "float32")]


def test_adam_state_is_iterations_rate_then_m_and_v_per_variable():
    opt, variables = optimizers.Adam(learning_rate=0.01), two_variables()
    step(opt, variables, GRADS)
    state = opt.get_state()
    assert [s.shape for s in state] == [(), (), (2, 2), (2, 2), (2,), (2,)]
    assert state[0] == 1 and state[0].dtype == np.int64 and state[1] == np.float32(0.01)
    g0, g1 = GRADS
    np.testing.assert_allclose(state[2], 0.1 * g0, rtol=1e-6)  # m = (1 - beta_1) g after one step
    np.testing.assert_allclose(state[3], 0.001 * g0 * g0, rtol=1e-5)  # v = (1 - beta_2) g^2
    np.testing.assert_allclose(state[4], 0.1 * g1, rtol=1e-6)


def test_rmsprop_state_groups_velocities_then_momentums_then_averages():
    opt, variables = optimizers.RMSprop(momentum=0.5, centered=True), two_variables()
    step(opt, variables, GRADS)
    state = opt.get_state()
    g0, g1 = GRADS
    np.testing.assert_allclose(state[2], 0.1 * g0 * g0, rtol=1e-5)  # velocity of the first variable
    np.testing.assert_allclose(state[3], 0.1 * g1 * g1, rtol=1e-5)  # velocity of the second
    assert [s.shape for s in state[4:]] == [(2, 2), (2,), (2, 2), (2,)]  # momentums, then average gradients
    np.testing.assert_allclose(state[6], 0.1 * g0, rtol=1e-5)


def test_amsgrad_slots_come_after_every_m_and_v_and_nadam_ends_with_u_product():
    opt = optimizers.Adam(amsgrad=True)
    step(opt, two_variables(), GRADS)
    assert [s.shape for s in opt.get_state()] == [(), (), (2, 2), (2, 2), (2,), (2,), (2, 2), (2,)]
    nadam = optimizers.Nadam()
    step(nadam, two_variables(), GRADS)
    state = nadam.get_state()
    assert len(state) == 7 and state[-1] == pytest.approx(0.9 * (1 - 0.5 * 0.96))


def test_no_learning_rate_entry_for_a_schedule_and_no_slots_for_plain_sgd():
    assert len(optimizers.SGD().get_state(two_variables())) == 2
    schedule = optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert [s.shape for s in optimizers.SGD(schedule, momentum=0.9).get_state(two_variables())] == [(), (2, 2), (2,)]


@pytest.mark.parametrize("name", sorted(optimizers.ALL_OPTIMIZERS))
def test_a_restored_optimizer_steps_exactly_like_the_original(name):
    original, variables = optimizers.get(name), two_variables()
    for _ in range(3):
        step(original, variables, GRADS)
    copy_vars = [Variable(v.data.copy()) for v in variables]
    restored = optimizers.get(name)
    restored.set_state(original.get_state(), copy_vars)
    step(original, variables, GRADS)
    step(restored, copy_vars, GRADS)
    for a, b in zip(copy_vars, variables):
        np.testing.assert_array_equal(a.data, b.data)
    for a, b in zip(restored.get_state(), original.get_state()):
        np.testing.assert_array_equal(a, b)


def test_a_state_that_does_not_fit_changes_nothing():
    opt, variables = optimizers.Adam(), two_variables()
    step(opt, variables, GRADS)
    before = opt.get_state()
    bad = [s.copy() for s in before]
    bad[4] = np.zeros(3, "float32")
    with pytest.raises(ValueError, match=r"entry 4 has shape \(2,\), received \(3,\)"):
        opt.set_state(bad, variables)
    with pytest.raises(ValueError, match="6 entries .* received 5"):
        opt.set_state(before[:5], variables)
    for a, b in zip(opt.get_state(), before):
        np.testing.assert_array_equal(a, b)
