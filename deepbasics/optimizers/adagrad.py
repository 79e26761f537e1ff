"""Adagrad and Adadelta: per-coordinate steps from the history of squared gradients."""
import numpy as np

from deepbasics.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """Keras 3's Adagrad:  acc <- acc + g^2;  w <- w - lr g / sqrt(acc + eps)  (acc starts at 0.1)."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adagrad", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        if initial_accumulator_value < 0:
            raise ValueError(f"`initial_accumulator_value` must be >= 0, received {initial_accumulator_value!r}")
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    slot_groups = (("accumulator",),)

    def build_slots(self, var):
        return {"accumulator": np.full_like(var, self.initial_accumulator_value)}

    def update_step(self, grad, var, slots, lr):
        acc = slots["accumulator"]
        acc += grad * grad
        var -= lr * grad / np.sqrt(acc + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Keras 3's Adadelta (the paper's rule needs learning_rate=1.0):

    Eg <- rho Eg + (1 - rho) g^2
    d = -sqrt(Edx + eps) / sqrt(Eg + eps) * g
    Edx <- rho Edx + (1 - rho) d^2;   w <- w + lr d
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name="adadelta", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"`rho` must be in [0, 1], received rho={rho!r}")
        self.rho, self.epsilon = rho, epsilon

    slot_groups = (("accumulated_grad", "accumulated_delta_var"),)

    def build_slots(self, var):
        return {"accumulated_grad": np.zeros_like(var), "accumulated_delta_var": np.zeros_like(var)}

    def update_step(self, grad, var, slots, lr):
        eg, edx = slots["accumulated_grad"], slots["accumulated_delta_var"]
        eg *= self.rho
        eg += (1.0 - self.rho) * grad * grad
        delta = -np.sqrt(edx + self.epsilon) / np.sqrt(eg + self.epsilon) * grad
        edx *= self.rho
        edx += (1.0 - self.rho) * delta * delta
        var += lr * delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
