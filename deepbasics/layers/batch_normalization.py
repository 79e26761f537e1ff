"""``BatchNormalization`` with Keras's conventions (momentum 0.99, epsilon 1e-3, biased variance)."""
import numpy as np

from deepbasics import initializers, ops
from deepbasics.autodiff import no_grad
from deepbasics.layers.layer import Layer
from deepbasics.ops.batchnorm import BatchNormTrain


class BatchNormalization(Layer):
    """Training: normalise with the batch's mean and variance, then
    moving = moving * momentum + batch * (1 - momentum).
    Inference: normalise with the moving statistics. gamma, beta trainable;
    moving_mean, moving_variance not.
    """

    _single_input = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        for arg, value in [("beta_regularizer", beta_regularizer), ("gamma_regularizer", gamma_regularizer),
                           ("beta_constraint", beta_constraint), ("gamma_constraint", gamma_constraint)]:
            if value is not None:
                raise ValueError(f"BatchNormalization: `{arg}` is not supported yet; received {value!r}.")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"`momentum` must be in [0, 1], received momentum={momentum!r}")
        if not epsilon > 0:
            raise ValueError(f"`epsilon` must be positive, received epsilon={epsilon!r}")
        self.axis, self.momentum, self.epsilon = axis, float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.inits = {name: initializers.get(init) for name, init in [
            ("beta", beta_initializer), ("gamma", gamma_initializer),
            ("moving_mean", moving_mean_initializer), ("moving_variance", moving_variance_initializer)]}
        self.gamma = self.beta = None

    def build(self, input_shape):
        axis = self.axis % len(input_shape)
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(f"BatchNormalization: axis {self.axis} of input shape {input_shape} must be known.")
        self._reduce_axes = tuple(i for i in range(len(input_shape)) if i != axis)
        self._param_shape = tuple(dim if i == axis else 1 for i in range(len(input_shape)))[1:]
        if self.scale:
            self.gamma = self.add_weight((dim,), self.inits["gamma"], name="gamma")
        if self.center:
            self.beta = self.add_weight((dim,), self.inits["beta"], name="beta")
        self.moving_mean = self.add_weight((dim,), self.inits["moving_mean"], trainable=False, name="moving_mean")
        self.moving_variance = self.add_weight((dim,), self.inits["moving_variance"], trainable=False,
                                               name="moving_variance")

    def _shaped(self, w):
        return None if w is None else ops.reshape(w, self._param_shape)

    def call(self, x, training=None):
        if training and self.trainable:
            op = BatchNormTrain(self._reduce_axes, self.epsilon)
            y = op(x, self._shaped(self.gamma), self._shaped(self.beta))
            m = self.momentum
            self.moving_mean.data[...] = self.moving_mean.data * m + op.mean.reshape(-1) * (1 - m)
            self.moving_variance.data[...] = self.moving_variance.data * m + op.var.reshape(-1) * (1 - m)
            return y
        with no_grad():
            mean = self.moving_mean.data.reshape(self._param_shape)
            inv = 1.0 / np.sqrt(self.moving_variance.data.reshape(self._param_shape) + self.epsilon)
        y = (x - mean) * inv
        if self.gamma is not None:
            y = y * self._shaped(self.gamma)
        if self.beta is not None:
            y = y + self._shaped(self.beta)
        return y

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                **{f"{k}_initializer": initializers.serialize(v) for k, v in self.inits.items()}}
