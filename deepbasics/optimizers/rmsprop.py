"""RMSprop: divide the step by a running root-mean-square of the gradients."""
import numpy as np

from deepbasics.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """Keras 3's RMSprop (epsilon inside the square root):

    v <- rho v + (1 - rho) g^2            centered: a <- rho a + (1 - rho) g,  v' = v - a^2
    step = lr g / sqrt(v' + eps)
    momentum > 0:  m <- momentum m + step;  w <- w - m      else  w <- w - step
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="rmsprop", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"`rho` must be in [0, 1], received rho={rho!r}")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"`momentum` must be in [0, 1], received momentum={momentum!r}")
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, bool(centered)

    slot_groups = (("velocity",), ("momentum",), ("average_gradient",))

    def build_slots(self, var):
        slots = {"velocity": np.zeros_like(var)}
        if self.momentum:
            slots["momentum"] = np.zeros_like(var)
        if self.centered:
            slots["average_gradient"] = np.zeros_like(var)
        return slots

    def update_step(self, grad, var, slots, lr):
        v = slots["velocity"]
        v *= self.rho
        v += (1.0 - self.rho) * grad * grad
        denom = v
        if self.centered:
            a = slots["average_gradient"]
            a *= self.rho
            a += (1.0 - self.rho) * grad
            denom = v - a * a
        step = lr * grad / np.sqrt(denom + self.epsilon)
        if self.momentum:
            m = slots["momentum"]
            m *= self.momentum
            m += step
            step = m
        var -= step

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
