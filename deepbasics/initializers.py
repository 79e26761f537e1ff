"""Weight initializers by Keras name, with Keras's exact limits and standard deviations.

Xavier/Glorot and He differ in one line each: the ``mode`` and ``scale`` of ``VarianceScaling``.

>>> import deepbasics
>>> w = deepbasics.initializers.get("glorot_uniform")((784, 64))
>>> bool(abs(w).max() <= (6 / (784 + 64)) ** 0.5)
True
"""
import math

import numpy as np

from deepbasics import backend
from deepbasics.registry import resolve, snake_case

# std of N(0, 1) truncated to [-2, 2]; Keras divides by it so the kept samples have the asked std
TRUNCATED_STD = 0.87962566103423978


def compute_fans(shape):
    """(fan_in, fan_out) for a kernel: (in, out) for Dense, times the receptive field for conv."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base: ``init(shape, dtype=None) -> ndarray``; ``get_config`` gives the arguments."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Constant(Initializer):
    """Every entry = ``value``."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value, dtype=dtype or backend.floatx())

    def get_config(self):
        return {"value": self.value}


class Zeros(Constant):
    def __init__(self):
        super().__init__(0.0)

    def get_config(self):
        return {}


class Ones(Constant):
    def __init__(self):
        super().__init__(1.0)

    def get_config(self):
        return {}


class RandomInitializer(Initializer):
    """Seeded: every call starts a generator from ``seed``, so it returns the same values each
    time (Keras 3: "an initializer seeded with an integer will produce the same random values
    across multiple calls"). Unseeded: draws from the library's generator (``set_random_seed``).
    """

    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(f"`seed` must be an int or None, received seed={seed!r}")
        self.seed = seed

    def rng(self):
        return backend.rng() if self.seed is None else np.random.default_rng(self.seed)

    def truncated(self, shape, mean, stddev):
        """N(mean, stddev) with samples beyond 2 stddev drawn again (a loop over rounds only)."""
        rng = self.rng()
        out = rng.standard_normal(shape)
        bad = np.abs(out) > 2.0
        while bad.any():
            out[bad] = rng.standard_normal(int(bad.sum()))
            bad = np.abs(out) > 2.0
        return mean + stddev * out

    def get_config(self):
        return {"seed": self.seed}


class RandomNormal(RandomInitializer):
    """N(mean, stddev), Keras default stddev 0.05."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        w = self.rng().normal(self.mean, self.stddev, size=shape)
        return w.astype(dtype or backend.floatx())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(RandomInitializer):
    """U(minval, maxval), Keras default ±0.05."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        w = self.rng().uniform(self.minval, self.maxval, size=shape)
        return w.astype(dtype or backend.floatx())

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(RandomInitializer):
    """N(mean, stddev) cut at ±2 stddev, no variance correction (Keras: observed std ~0.88 stddev)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return self.truncated(shape, self.mean, self.stddev).astype(dtype or backend.floatx())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(RandomInitializer):
    """Var(w) = scale / fan, fan = fan_in, fan_out or (fan_in + fan_out) / 2.

    uniform: U(-sqrt(3 var), sqrt(3 var)); truncated_normal: stddev sqrt(var) / 0.8796 cut at
    ±2 stddev (so the kept samples have variance var); untruncated_normal: N(0, var).
    """

    MODES = ("fan_in", "fan_out", "fan_avg")
    DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal", "normal")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if not scale > 0:
            raise ValueError(f"`scale` must be positive, received scale={scale!r}")
        if mode not in self.MODES:
            raise ValueError(f"Invalid `mode` {mode!r}. Expected one of {self.MODES}.")
        if distribution not in self.DISTRIBUTIONS:
            raise ValueError(f"Invalid `distribution` {distribution!r}. Expected one of {self.DISTRIBUTIONS}.")
        self.scale, self.mode = scale, mode
        self.distribution = "truncated_normal" if distribution == "normal" else distribution

    def variance(self, shape):
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        return self.scale / max(1.0, fan)

    def __call__(self, shape, dtype=None):
        var = self.variance(shape)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * var)
            w = self.rng().uniform(-limit, limit, size=shape)
        elif self.distribution == "truncated_normal":
            w = self.truncated(shape, 0.0, math.sqrt(var) / TRUNCATED_STD)
        else:
            w = self.rng().normal(0.0, math.sqrt(var), size=shape)
        return w.astype(dtype or backend.floatx())

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


def _variant(name, scale, mode, distribution, doc):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc})


GlorotUniform = _variant("GlorotUniform", 1.0, "fan_avg", "uniform", "Xavier: U(±sqrt(6 / (fan_in + fan_out))).")
GlorotNormal = _variant("GlorotNormal", 1.0, "fan_avg", "truncated_normal", "Xavier: truncated normal, var 2 / (fan_in + fan_out).")
HeUniform = _variant("HeUniform", 2.0, "fan_in", "uniform", "He: U(±sqrt(6 / fan_in)).")
HeNormal = _variant("HeNormal", 2.0, "fan_in", "truncated_normal", "He: truncated normal, var 2 / fan_in.")
LecunUniform = _variant("LecunUniform", 1.0, "fan_in", "uniform", "LeCun: U(±sqrt(3 / fan_in)).")
LecunNormal = _variant("LecunNormal", 1.0, "fan_in", "truncated_normal", "LeCun: truncated normal, var 1 / fan_in.")


class Orthogonal(RandomInitializer):
    """gain * Q from the QR decomposition of a normal matrix (rows = prod(shape[:-1]))."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self.rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))  # makes the decomposition unique, the distribution uniform
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dtype or backend.floatx())

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """gain * I for a 2-D shape."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity initializer needs a 2-D shape, received shape={tuple(shape)}")
        return (self.gain * np.eye(*shape)).astype(dtype or backend.floatx())

    def get_config(self):
        return {"gain": self.gain}



_CLASSES = [Constant, Zeros, Ones, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, Orthogonal, Identity]
ALL_INITIALIZERS = {cls.__name__: cls for cls in _CLASSES}
ALL_INITIALIZERS.update({snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_INITIALIZERS.update({
    "zero": Zeros, "one": Ones, "normal": RandomNormal, "uniform": RandomUniform,
    "xavier_uniform": GlorotUniform, "xavier_normal": GlorotNormal,
    "XavierUniform": GlorotUniform, "XavierNormal": GlorotNormal,
})


def get(identifier):
    """An initializer from a Keras name ('he_normal'), a config dict, a class or an instance."""
    if identifier is None:
        return None
    if callable(identifier) and not isinstance(identifier, type):
        return identifier
    return resolve(identifier, "initializer", ALL_INITIALIZERS, base=Initializer)


def serialize(initializer):
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}
