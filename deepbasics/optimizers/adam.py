"""Adam and its family: Adam (amsgrad), AdamW, Adamax, Nadam, with Keras 3's formulas."""
import math

import numpy as np

from deepbasics.optimizers.optimizer import Optimizer


class _AdamBase(Optimizer):
    slot_groups = (("m", "v"), ("v_hat",))  # Keras: momentum and velocity per variable, then v_hat

    def __init__(self, learning_rate, beta_1, beta_2, epsilon, name, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        for arg, value in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0.0 <= value < 1.0:
                raise ValueError(f"`{arg}` must be in [0, 1), received {arg}={value!r}")
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build_slots(self, var):
        return {"m": np.zeros_like(var), "v": np.zeros_like(var)}

    def moments(self, grad, slots):
        """m <- m + (g - m)(1 - b1);  v <- v + (g^2 - v)(1 - b2)."""
        m, v = slots["m"], slots["v"]
        step = grad - m  # one scratch array, reused: these are the largest arrays of a step
        step *= 1.0 - self.beta_1
        m += step
        np.multiply(grad, grad, out=step)
        step -= v
        step *= 1.0 - self.beta_2
        v += step
        return m, v

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class Adam(_AdamBase):
    """Keras 3's Adam, bias correction folded into the step ("epsilon hat"):

    alpha = lr sqrt(1 - b2^t) / (1 - b1^t);   w <- w - alpha m / (sqrt(v) + eps)
    amsgrad: v_hat <- max(v_hat, v), used in place of v.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 name="adam", **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, name, **kwargs)
        self.amsgrad = bool(amsgrad)

    def build_slots(self, var):
        slots = super().build_slots(var)
        if self.amsgrad:
            slots["v_hat"] = np.zeros_like(var)
        return slots

    def update_step(self, grad, var, slots, lr):
        t = self.iterations + 1
        # a Python float: a NumPy float64 scalar would turn the float32 step into float64 (NEP 50)
        alpha = float(lr * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t))
        m, v = self.moments(grad, slots)
        if self.amsgrad:
            np.maximum(slots["v_hat"], v, out=slots["v_hat"])
            v = slots["v_hat"]
        denominator = np.sqrt(v)
        denominator += self.epsilon
        step = m * alpha
        step /= denominator
        var -= step

    def get_config(self):
        return {**super().get_config(), "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.004): w <- w - w wd lr, then the Adam step."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, name="adamw", **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW needs a `weight_decay`; received None.")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, name,
                         weight_decay=weight_decay, **kwargs)


class Adamax(_AdamBase):
    """Keras 3's Adamax:  m <- m + (g - m)(1 - b1);  u <- max(b2 u, |g|);
    w <- w - lr m / ((1 - b1^t)(u + eps))."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name="adamax", **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, name, **kwargs)

    slot_groups = (("m", "u"),)

    def build_slots(self, var):
        return {"m": np.zeros_like(var), "u": np.zeros_like(var)}

    def update_step(self, grad, var, slots, lr):
        t = self.iterations + 1
        m, u = slots["m"], slots["u"]
        m += (grad - m) * (1.0 - self.beta_1)
        np.maximum(u * self.beta_2, np.abs(grad), out=u)
        var -= (lr * m / ((1.0 - self.beta_1**t) * (u + self.epsilon))).astype(var.dtype, copy=False)


class Nadam(_AdamBase):
    """Keras 3's Nadam (momentum schedule u_t = b1 (1 - 0.5 * 0.96^t)):

    P_t = P_{t-1} u_t;   m_hat = u_{t+1} m / (1 - P_t u_{t+1}) + (1 - u_t) g / (1 - P_t)
    v_hat = v / (1 - b2^t);   w <- w - lr m_hat / (sqrt(v_hat) + eps)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name="nadam", **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, name, **kwargs)
        self.u_product = 1.0
        self._u_product_step = 0  # the iteration u_product was last advanced for

    extra_state = ("u_product",)  # Keras keeps it as a variable after the slots

    def set_state(self, values, variables=None):
        super().set_state(values, variables)
        self._u_product_step = self.iterations  # u_product already holds the steps taken

    def update_step(self, grad, var, slots, lr):
        t = self.iterations + 1
        u_t = self.beta_1 * (1.0 - 0.5 * 0.96**t)
        u_next = self.beta_1 * (1.0 - 0.5 * 0.96 ** (t + 1))
        if self._u_product_step != t:  # once per step, shared by every variable
            self.u_product *= u_t
            self._u_product_step = t
        prod, prod_next = self.u_product, self.u_product * u_next
        m, v = self.moments(grad, slots)
        m_hat = u_next * m / (1.0 - prod_next) + (1.0 - u_t) * grad / (1.0 - prod)
        v_hat = v / (1.0 - self.beta_2**t)
        var -= (lr * m_hat / (np.sqrt(v_hat) + self.epsilon)).astype(var.dtype, copy=False)
