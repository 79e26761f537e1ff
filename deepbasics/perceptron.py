"""Rosenblatt's perceptron: a step (or sign) unit trained by the perceptron learning rule.

    y_hat = step(w . x + b)
    on each mistake:  w <- w + eta (y - y_hat) x,   b <- b + eta (y - y_hat)

It converges on linearly separable data (AND, OR) and never on XOR, where it stops after
``max_epochs`` and says so.

>>> import numpy as np
>>> from deepbasics.perceptron import Perceptron
>>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
>>> Perceptron().fit(x, [0, 0, 0, 1]).score(x, [0, 0, 0, 1])
1.0
"""
import numbers
import warnings

import numpy as np


class ConvergenceWarning(UserWarning):
    """The perceptron stopped at ``max_epochs`` with points still misclassified."""


class Perceptron:
    """``activation`` 'step' (labels 0/1) or 'sign' (labels -1/+1)."""

    def __init__(self, learning_rate=1.0, max_epochs=100, activation="step", shuffle=False, seed=None):
        if activation not in ("step", "sign"):
            raise ValueError(f"`activation` must be 'step' or 'sign', received activation={activation!r}")
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, numbers.Integral) or max_epochs <= 0:
            raise ValueError(f"`max_epochs` must be a positive integer, received max_epochs={max_epochs!r}")
        if not learning_rate > 0:
            raise ValueError(f"`learning_rate` must be positive, received learning_rate={learning_rate!r}")
        self.learning_rate, self.max_epochs, self.activation = learning_rate, int(max_epochs), activation
        self.shuffle, self.seed = shuffle, seed
        self.weights = self.bias = None
        self.converged, self.epochs_run, self.errors_per_epoch = False, 0, []

    def net_input(self, x):
        return np.asarray(x, dtype=np.float64) @ self.weights + self.bias

    def predict(self, x):
        """The unit's output for each row of ``x``: 0/1 (step) or -1/+1 (sign)."""
        if self.weights is None:
            raise RuntimeError("This Perceptron is not fitted yet: call fit(x, y) first.")
        z = self.net_input(x)
        return (z > 0).astype(int) if self.activation == "step" else np.where(z > 0, 1, -1)

    def fit(self, x, y):
        """Apply the perceptron rule, one sample at a time (the rule is defined per sample),
        until an epoch without a mistake or ``max_epochs``."""
        x, y = self._check(x, y)
        rng = np.random.default_rng(self.seed)
        self.weights, self.bias = np.zeros(x.shape[1]), 0.0
        self.errors_per_epoch, self.converged = [], False
        for epoch in range(self.max_epochs):
            order = rng.permutation(len(x)) if self.shuffle else range(len(x))
            mistakes = 0
            for i in order:  # the rule updates after each sample: that is the algorithm
                error = y[i] - self.predict(x[i:i + 1])[0]
                if error:
                    self.weights += self.learning_rate * error * x[i]
                    self.bias += self.learning_rate * error
                    mistakes += 1
            self.errors_per_epoch.append(mistakes)
            self.epochs_run = epoch + 1
            if mistakes == 0:
                self.converged = True
                return self
        warnings.warn(
            f"Perceptron did not converge in {self.max_epochs} epochs ({self.errors_per_epoch[-1]} "
            "mistakes in the last one): the data may not be linearly separable (XOR is not).",
            ConvergenceWarning, stacklevel=2)
        return self

    def score(self, x, y):
        """Accuracy on (x, y)."""
        return float(np.mean(self.predict(x) == np.asarray(y).reshape(-1)))

    def _check(self, x, y):
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y).reshape(-1)
        if x.ndim != 2:
            raise ValueError(f"`x` must be 2-D (samples, features), received shape {x.shape}")
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(f"x and y must have the same, non-zero number of samples: {len(x)} and {len(y)}")
        allowed = {0, 1} if self.activation == "step" else {-1, 1}
        if not set(np.unique(y).tolist()) <= allowed:
            raise ValueError(f"With activation={self.activation!r} the labels must be in {sorted(allowed)}, "
                             f"received {sorted(set(np.unique(y).tolist()))}")
        return x, y.astype(int)
