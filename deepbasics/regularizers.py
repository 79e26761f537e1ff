"""Weight penalties by Keras name, added to the training loss: l1, l2, l1_l2.

Keras's L2 has no 1/2: penalty = l2 * sum(w^2), gradient 2 l2 w.

>>> import numpy as np
>>> from deepbasics import regularizers, Variable
>>> float(regularizers.L2(0.01)(Variable(np.array([1.0, 2.0]))).numpy())
0.05
"""
import numbers

from deepbasics import ops
from deepbasics.registry import resolve


class Regularizer:
    def __call__(self, x):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _factor(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0:
        raise ValueError(f"Value of `{name}` must be a non-negative number, received {name}={value!r}")
    return float(value)


class L1L2(Regularizer):
    """penalty = l1 * sum|w| + l2 * sum w^2."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = _factor("l1", l1), _factor("l2", l2)

    def __call__(self, x):
        penalty = None
        if self.l1:
            penalty = ops.sum(ops.abs(x)) * self.l1
        if self.l2:
            term = ops.sum(x * x) * self.l2
            penalty = term if penalty is None else penalty + term
        return penalty if penalty is not None else ops.sum(x) * 0.0

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """penalty = l1 * sum|w| (Keras default l1 = 0.01)."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """penalty = l2 * sum w^2 (Keras default l2 = 0.01)."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


l1 = L1  # Keras's lowercase names: regularizers.l2(0.01)
l2 = L2


def l1_l2(l1=0.01, l2=0.01):
    """Keras's function form: both factors default to 0.01."""
    return L1L2(l1=l1, l2=l2)


ALL_REGULARIZERS = {"L1": L1, "L2": L2, "L1L2": L1L2, "l1": L1, "l2": L2, "l1_l2": L1L2}


def get(identifier):
    """A regularizer from a name ('l2'), a config dict, a class, an instance, or None."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if callable(identifier) and not isinstance(identifier, type):
        return identifier
    return resolve(identifier, "regularizer", ALL_REGULARIZERS, base=Regularizer)


def serialize(regularizer):
    if regularizer is None:
        return None
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
