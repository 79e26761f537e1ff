"""Stochastic gradient descent, with the course's Momentum and NAG as options."""
from deepbasics.optimizers.optimizer import Optimizer

import numpy as np


class SGD(Optimizer):
    """Keras 3's SGD.

    plain:     w <- w - lr g
    momentum:  v <- m v - lr g;  w <- w + v
    nesterov:  v <- m v - lr g;  w <- w + m v - lr g     (the new v)

    >>> from deepbasics.optimizers import SGD
    >>> SGD(momentum=0.9, nesterov=True).learning_rate    # the course's NAG
    0.009999999776482582
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="SGD", **kwargs):
        if not isinstance(momentum, (int, float, np.floating)) or not 0.0 <= momentum <= 1.0:
            raise ValueError(f"`momentum` must be a float between [0, 1], received momentum={momentum!r}")
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    slot_groups = (("momentum",),)

    def build_slots(self, var):
        return {"momentum": np.zeros_like(var)} if self.momentum else {}

    def update_step(self, grad, var, slots, lr):
        step = grad * lr
        if not self.momentum:
            var -= step
            return
        v = slots["momentum"]
        v *= self.momentum
        v -= step
        if self.nesterov:
            var += v * self.momentum
            var -= step
        else:
            var += v

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
