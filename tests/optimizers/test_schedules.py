import math

import numpy as np
import pytest

from deepbasics import Variable, optimizers
from deepbasics.optimizers import schedules


def test_formulas_against_hand_values():
    assert schedules.ExponentialDecay(0.1, 10, 0.5)(5) == pytest.approx(0.1 * 0.5**0.5)
    assert schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)(19) == pytest.approx(0.05)
    assert schedules.InverseTimeDecay(0.1, 10, 1.0)(20) == pytest.approx(0.1 / 3)
    pc = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [pc(s) for s in (0, 10, 11, 20, 21)] == [1.0, 1.0, 0.5, 0.5, 0.1]
    assert schedules.PolynomialDecay(1.0, 10, 0.0, power=2)(5) == pytest.approx(0.25)
    assert schedules.PolynomialDecay(1.0, 10, 0.0)(50) == pytest.approx(0.0)
    assert schedules.CosineDecay(1.0, 10)(5) == pytest.approx(0.5)
    assert schedules.CosineDecay(1.0, 10, alpha=0.1)(10) == pytest.approx(0.1)
    warm = schedules.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=4)
    assert warm(2) == pytest.approx(0.5) and warm(4) == pytest.approx(1.0)


def test_optimizer_follows_schedule_per_iteration():
    schedule = schedules.PiecewiseConstantDecay([1], [1.0, 0.1])
    opt = optimizers.SGD(learning_rate=schedule)
    v = Variable(np.array([0.0]))
    for _ in range(3):
        opt.apply([np.array([1.0], np.float32)], [v])
    np.testing.assert_allclose(v.numpy(), [-(1.0 + 1.0 + 0.1)], rtol=1e-6)  # steps 0, 1 at 1.0; step 2 at 0.1


def test_any_callable_of_the_step():
    opt = optimizers.SGD(learning_rate=lambda step: 1.0 / (step + 1))
    v = Variable(np.array([0.0]))
    for _ in range(2):
        opt.apply([np.array([1.0], np.float32)], [v])
    np.testing.assert_allclose(v.numpy(), [-1.5])


def test_keras2_decay_is_inverse_time_per_iteration():
    with pytest.warns(DeprecationWarning, match="decay"):
        opt = optimizers.SGD(learning_rate=1.0, decay=0.5)
    v = Variable(np.array([0.0]))
    for _ in range(3):
        opt.apply([np.array([1.0], np.float32)], [v])
    np.testing.assert_allclose(v.numpy(), [-(1 + 1 / 1.5 + 1 / 2.0)], rtol=1e-6)


def test_schedule_round_trips_through_optimizer_config():
    opt = optimizers.Adam(learning_rate=schedules.ExponentialDecay(0.01, 100, 0.9))
    clone = optimizers.Adam.from_config(opt.get_config())
    assert isinstance(clone.learning_rate, schedules.ExponentialDecay)
    assert clone.learning_rate(50) == pytest.approx(0.01 * 0.9**0.5)
    assert math.isclose(clone.get_config()["learning_rate"]["config"]["decay_rate"], 0.9)


def test_bad_schedules():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="one more"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0])
