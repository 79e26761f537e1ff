"""Floor 1: the array namespace, the default float type, epsilon, the one random generator, and
how many threads BLAS uses.

Everything above this file asks here instead of hard-coding ``numpy``, ``float32`` or ``1e-7``,
so that a later CuPy backend or ``set_floatx('float64')`` changes one place.
"""
import contextlib

import numpy as np

xp = np  # the array namespace; CuPy would slot in here

_FLOATX = "float32"
_EPSILON = 1e-7  # Keras's fuzz factor: keras.config.epsilon()
_IMAGE_DATA_FORMAT = "channels_last"
_rng = np.random.default_rng()
# fit's shuffling draws from its own stream per epoch, seeded by (this value, epoch), so that a
# run resumed at initial_epoch=k shuffles epoch k as the uninterrupted run did, whatever else
# (initializers, dropout) drew from _rng meanwhile
_shuffle_seed = int(np.random.SeedSequence().entropy % 2**63)
_name_counts = {}  # per-session counters behind Keras's default names: dense, dense_1, ...


def floatx():
    """The default float type as a string, like ``keras.backend.floatx()``: 'float32'."""
    return _FLOATX


def set_floatx(value):
    """Set the default float type: 'float16', 'float32' or 'float64'."""
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(
            f"Unknown floatx type: {value!r}. Expected one of 'float16', 'float32', 'float64'."
        )
    _FLOATX = str(value)


def epsilon():
    """The fuzz factor used in numeric expressions (Keras: 1e-7)."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """Always 'channels_last', Keras's default."""
    return _IMAGE_DATA_FORMAT


def rng():
    """The library's one random generator (initializers, dropout, shuffling draw from it)."""
    return _rng


def set_seed(seed):
    """Replace the generator with a fresh one seeded by ``seed`` (an int); the shuffling streams
    follow the same seed."""
    global _rng, _shuffle_seed
    _rng = np.random.default_rng(seed)
    _shuffle_seed = int(seed)
    return _rng


def shuffle_rng(epoch):
    """The generator that shuffles epoch ``epoch`` of ``fit``: a function of the seed and the
    epoch alone."""
    return np.random.default_rng([_shuffle_seed % 2**63, int(epoch)])


def shuffle_seed():
    """The seed of the shuffling streams (a checkpoint saves it to resume the same order)."""
    return _shuffle_seed


def set_shuffle_seed(seed):
    global _shuffle_seed
    _shuffle_seed = int(seed)


def unique_name(base):
    """'dense', 'dense_1', 'dense_2', ... as Keras names objects within a session."""
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def clear_session():
    """Start a fresh session: default names count from zero again (Keras's ``clear_session``)."""
    _name_counts.clear()


def cast_to_floatx(x):
    """``x`` as a NumPy array of the default float type (no copy when it already is one)."""
    return np.asarray(x, dtype=_FLOATX)


def blas_threads(n):
    """A context limiting BLAS to ``n`` threads (a no-op when threadpoolctl is not installed).

    ``fit`` uses it for small batches: at 32 rows a GEMM takes microseconds, and handing it to
    a second thread costs more than it saves (measured: 0.26 s vs 0.61 s per epoch of the
    course MLP on 2 cores). ``n=None`` leaves BLAS alone.
    """
    controller = None if n is None else _blas_controller()
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=n, user_api="blas")


_CONTROLLER = False  # not looked for yet


def _blas_controller():
    """threadpoolctl's view of the loaded BLAS libraries, found once: the search costs 0.4 ms, more
    than a batch-1 prediction. None when threadpoolctl is not installed."""
    global _CONTROLLER
    if _CONTROLLER is False:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _CONTROLLER = None
        else:
            _CONTROLLER = ThreadpoolController()
    return _CONTROLLER
