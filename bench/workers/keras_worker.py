"""W1-W5 in Keras 3, on the backend $KERAS_BACKEND names (the parent sets it): the same model
code as the deepbasics row, ``fit`` with a callback that times each epoch, ``predict``.
"""
import time

_T0 = time.perf_counter()
import numpy  # noqa: E402,F401  (counted in import time, as for every framework)
import keras  # noqa: E402  (imports the backend: tensorflow, jax or torch)

IMPORT_S = time.perf_counter() - _T0

import keras_api  # noqa: E402


def set_threads(n):
    """Limit the backend's CPU threads when asked (before any op runs); what is in force."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf
        if n:
            tf.config.threading.set_intra_op_parallelism_threads(n)
            tf.config.threading.set_inter_op_parallelism_threads(n)
        return {"tf.intra_op": tf.config.threading.get_intra_op_parallelism_threads() or "default"}
    if backend == "torch":
        import torch
        if n:
            torch.set_num_threads(n)
        return {"torch.get_num_threads": torch.get_num_threads()}
    # jax: XLA's CPU pool is set by XLA_FLAGS before import (the parent does it for --threads 1)
    return {"xla": "1 thr (XLA_FLAGS)" if n == 1 else "default"}


def backend_version():
    backend = keras.backend.backend()
    return __import__(backend).__version__ if backend in ("tensorflow", "jax", "torch") else None


if __name__ == "__main__":
    keras_api.main(keras, f"keras/{keras.backend.backend()}", keras.__version__, IMPORT_S, __doc__,
                   threads=set_threads, backend_version=backend_version())
