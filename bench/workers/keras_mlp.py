"""W1 in Keras 3, the course script as written: Sequential Dense(64, relu) -> Dense(10, softmax),
categorical cross-entropy, SGD(0.01), model.fit(epochs, batch_size=32, verbose=0) with a callback
that times each epoch. The backend comes from $KERAS_BACKEND (the parent sets it).
"""
import time

_T0 = time.perf_counter()
import numpy  # noqa: E402,F401  (counted in import time, as for every framework)
import keras  # noqa: E402  (imports the backend: tensorflow, jax or torch)

IMPORT_S = time.perf_counter() - _T0

import _common  # noqa: E402


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epoch_s = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_s.append(time.perf_counter() - self._t0)


def set_threads(backend, n):
    """Limit the backend's CPU threads, when asked (before any op runs)."""
    if backend == "tensorflow":
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(n)
        tf.config.threading.set_inter_op_parallelism_threads(n)
    elif backend == "torch":
        import torch
        torch.set_num_threads(n)
    # jax: XLA's CPU thread pool is set by XLA_FLAGS before import; not changed here


def thread_report(backend):
    if backend == "tensorflow":
        import tensorflow as tf
        return {"tf.intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
                "tf.inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
                "note": "0 = TensorFlow default (all cores)"}
    if backend == "torch":
        import torch
        return {"torch.get_num_threads": torch.get_num_threads()}
    if backend == "jax":
        import jax
        return {"jax.devices": [str(d) for d in jax.devices()], "note": "XLA CPU default pool"}
    return {}


def backend_version(backend):
    mod = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend)
    return __import__(mod).__version__ if mod else None


def main():
    args = _common.parse_args(__doc__)
    backend = keras.backend.backend()
    if args.threads:
        set_threads(backend, args.threads)
    keras.utils.set_random_seed(args.seed)
    (xtr, _, ytr), (xte, _, yte), data_s = _common.load_mnist(args)
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy",
                  optimizer=keras.optimizers.SGD(learning_rate=args.lr), metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(xtr, ytr, epochs=args.epochs, batch_size=args.batch_size, verbose=0,
              callbacks=[timer])
    _, acc = model.evaluate(xte, yte, verbose=0)
    _common.emit(args, f"keras/{backend}", keras.__version__, IMPORT_S, data_s, timer.epoch_s,
                 float(acc), thread_report(backend), backend=backend,
                 backend_version=backend_version(backend), jit_compile=model.jit_compile)


if __name__ == "__main__":
    main()
