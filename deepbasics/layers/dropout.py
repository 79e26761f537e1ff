"""``Dropout``: inverted dropout in training, the identity at inference."""
import numpy as np

from deepbasics import backend
from deepbasics.layers.layer import Layer
from deepbasics.ops.dropout import Dropout as DropoutOp


class Dropout(Layer):
    """Sets a fraction ``rate`` of the inputs to 0 in training and scales the rest by
    1 / (1 - rate), so the expected value is unchanged; at inference it passes x through.

    >>> import numpy as np
    >>> from deepbasics.layers import Dropout
    >>> y = Dropout(0.5, seed=0)(np.ones((2, 4), "float32"), training=True).numpy()
    >>> sorted(set(y.ravel().tolist()))
    [0.0, 2.0]
    """

    _single_input = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating)) or not 0 <= rate < 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value in "
                             f"[0, 1) (1.0 would drop every unit, and scaling by 1 / (1 - rate) divides "
                             f"by zero). Received: rate={rate!r}")
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed
        self._rng = None if seed is None else np.random.default_rng(seed)

    def call(self, x, training=None):
        if not training or self.rate == 0:
            return x
        shape = None
        if self.noise_shape is not None:
            shape = tuple(x.shape[i] if n is None else n for i, n in enumerate(self.noise_shape))
        return DropoutOp(self.rate, self._rng or backend.rng(), shape)(x)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}
