"""Learning-rate schedules: callables of the step, as Keras 3 defines them.

>>> from deepbasics.optimizers.schedules import ExponentialDecay
>>> round(ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)(10), 6)
0.05
"""
import math

import numpy as np


class LearningRateSchedule:
    """Base: ``schedule(step) -> learning rate``; ``get_config`` gives the arguments."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        return dict(self.__dict__)

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _positive(name, value):
    if not value > 0:
        raise ValueError(f"`{name}` must be positive, received {name}={value!r}")
    return value


class ExponentialDecay(LearningRateSchedule):
    """lr = initial * rate^(step / decay_steps)  (the exponent floored when ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, _positive("decay_steps", decay_steps)
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        p = step / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (math.floor(p) if self.staircase else p)


class InverseTimeDecay(LearningRateSchedule):
    """lr = initial / (1 + rate * step / decay_steps)  (floored when ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, _positive("decay_steps", decay_steps)
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        p = step / self.decay_steps
        return self.initial_learning_rate / (1 + self.decay_rate * (math.floor(p) if self.staircase else p))


class PiecewiseConstantDecay(LearningRateSchedule):
    """lr = values[i] for boundaries[i-1] < step <= boundaries[i]."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"The length of `values` must be one more than `boundaries`: received "
                             f"{len(boundaries)} boundaries and {len(values)} values.")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        return self.values[int(np.searchsorted(self.boundaries, step, side="left"))]


class PolynomialDecay(LearningRateSchedule):
    """lr = (initial - end) (1 - min(step, decay_steps) / decay_steps)^power + end
    (with ``cycle``, decay_steps grows to the next multiple above step)."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, _positive("decay_steps", decay_steps)
        self.end_learning_rate, self.power, self.cycle, self.name = end_learning_rate, power, cycle, name

    def __call__(self, step):
        steps = self.decay_steps
        if self.cycle:
            steps = steps * max(1.0, math.ceil(step / steps))
        else:
            step = min(step, steps)
        frac = 1 - step / steps
        return (self.initial_learning_rate - self.end_learning_rate) * frac**self.power + self.end_learning_rate


class CosineDecay(LearningRateSchedule):
    """lr = initial ((1 - alpha) (1 + cos(pi min(step, decay_steps) / decay_steps)) / 2 + alpha),
    after an optional linear warmup from ``initial`` to ``warmup_target`` over ``warmup_steps``."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, _positive("decay_steps", decay_steps)
        self.alpha, self.name, self.warmup_target, self.warmup_steps = alpha, name, warmup_target, warmup_steps

    def __call__(self, step):
        if self.warmup_target is not None and step < self.warmup_steps:
            return self.initial_learning_rate + (self.warmup_target - self.initial_learning_rate) * step / self.warmup_steps
        start = self.initial_learning_rate if self.warmup_target is None else self.warmup_target
        step = min(step - self.warmup_steps, self.decay_steps)
        cosine = 0.5 * (1 + math.cos(math.pi * step / self.decay_steps))
        return start * ((1 - self.alpha) * cosine + self.alpha)


ALL_SCHEDULES = {cls.__name__: cls for cls in (
    ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay)}


def serialize(schedule):
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config):
    """A schedule from ``{"class_name": ..., "config": {...}}``."""
    cls = ALL_SCHEDULES.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown learning rate schedule {config.get('class_name')!r}. "
                         f"Expected one of {sorted(ALL_SCHEDULES)}.")
    return cls.from_config(config.get("config", {}))
