"""float32 variables are updated in float32 arithmetic: no NumPy float64 scalar sneaks into a
step (under NEP 50 one would turn every temporary into float64, 5x slower on W2)."""
import math

import numpy as np

from deepbasics.autodiff import Variable
from deepbasics.optimizers import Adam


def test_adam_step_is_float32_arithmetic_bit_for_bit():
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((64, 32)).astype(np.float32)
    grads = [rng.standard_normal((64, 32)).astype(np.float32) for _ in range(3)]
    var, opt = Variable(w0.copy()), Adam(learning_rate=np.float64(0.01))  # a float64 rate, too
    w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    for t, g in enumerate(grads, start=1):
        opt.apply([g], [var])
        m = m + (g - m) * np.float32(0.1)
        v = v + (g * g - v) * np.float32(0.001)
        alpha = np.float32(0.01 * math.sqrt(1 - 0.999**t) / (1 - 0.9**t))
        w = w - (m * alpha) / (np.sqrt(v) + np.float32(1e-7))
        assert w.dtype == np.float32
    assert var.data.dtype == np.float32
    np.testing.assert_array_equal(var.data, w)
