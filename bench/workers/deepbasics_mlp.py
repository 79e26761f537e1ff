"""W1 in deepbasics, the course script as written (Keras API): Sequential Dense(64, relu) ->
Dense(10, softmax), categorical cross-entropy, 'sgd', fit(epochs, batch_size=32, verbose=0).

Epochs are timed by a callback when deepbasics.callbacks.Callback exists; otherwise by calling
fit(epochs=1) once per epoch (the timing mode is reported). MNIST comes from
deepbasics.datasets.mnist.load_data() when it exists, else from the bench's own IDX reader.
"""
import time

_T0 = time.perf_counter()
import numpy  # noqa: E402,F401
import deepbasics  # noqa: E402
from deepbasics.layers import Dense  # noqa: E402
from deepbasics.models import Sequential  # noqa: E402

IMPORT_S = time.perf_counter() - _T0

import _common  # noqa: E402


def dataset_loader():
    try:
        from deepbasics.datasets import mnist
        return mnist.load_data, "deepbasics.datasets.mnist"
    except (ImportError, AttributeError):
        return None, "bench/_mnist_idx.py"


def build(args):
    set_seed = getattr(getattr(deepbasics, "utils", None), "set_random_seed", None)
    if set_seed is not None:
        set_seed(args.seed)
    model = Sequential([Dense(64, activation="relu", input_shape=(784,)),
                        Dense(10, activation="softmax")])
    optimizer = "sgd"
    if args.lr != 0.01:  # 'sgd' is SGD(learning_rate=0.01), as in Keras
        from deepbasics.optimizers import SGD
        optimizer = SGD(learning_rate=args.lr)
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model


def timer_callback():
    """A deepbasics Callback that times epochs and notes BLAS threads during fit; None if the
    library has no callbacks yet."""
    try:
        from deepbasics.callbacks import Callback
    except ImportError:
        return None

    class EpochTimer(Callback):
        def __init__(self):
            super().__init__()
            self.epoch_s, self.blas = [], None

        def on_epoch_begin(self, epoch, logs=None):
            self._t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.epoch_s.append(time.perf_counter() - self._t0)
            self.blas = _common._sysinfo.blas_threads()

    return EpochTimer()


def fit_timed(x, y, args):
    """(model, per-epoch seconds, timing mode, BLAS threads seen during fit)."""
    model, timer = build(args), timer_callback()
    if timer is not None:
        model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size, verbose=0,
                  callbacks=[timer])
        if len(timer.epoch_s) == args.epochs:
            return model, timer.epoch_s, "callback", timer.blas
        model = build(args)  # callbacks not called yet: start again, timed per fit() call
    epoch_s = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=args.batch_size, verbose=0)
        epoch_s.append(time.perf_counter() - t0)
    return model, epoch_s, "fit(epochs=1) per epoch", None


def main():
    args = _common.parse_args(__doc__)
    loader, source = dataset_loader()
    (xtr, _, ytr), (xte, _, yte), data_s = _common.load_mnist(args, loader)
    model, epoch_s, mode, blas_in_fit = fit_timed(xtr, ytr, args)
    result = model.evaluate(xte, yte, verbose=0)
    acc = result[1] if isinstance(result, (list, tuple)) else float("nan")
    threads = {"blas_during_fit": blas_in_fit, "note": "after fit: see blas_threads"}
    _common.emit(args, "deepbasics", getattr(deepbasics, "__version__", "dev"), IMPORT_S, data_s,
                 epoch_s, float(acc), threads, timing=mode, data_source=source)


if __name__ == "__main__":
    main()
