"""Training (W1-W4) and inference (W5) for the libraries with Keras's API: keras, deepbasics.

What a Keras user writes: ``fit(x, y, epochs, batch_size, verbose=0)`` (shuffled each epoch)
with a callback that times each epoch, ``predict(x, batch_size, verbose=0)`` for inference.
The test accuracy is the argmax of ``predict`` at batch 1024 against the labels.
"""
import time

import _common
import keras_models

# W5 times the models of these workloads, each first trained at its own batch size
W5_MODELS = (("W1", 32), ("W3", 128))


def epoch_timer(api):
    """A callback of ``api`` that times each epoch and notes the BLAS pools in force during fit."""

    class EpochTimer(api.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epoch_s, self.blas = [], None

        def on_epoch_begin(self, epoch, logs=None):
            self._t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.epoch_s.append(time.perf_counter() - self._t0)
            self.blas = _common._sysinfo.blas_threads()  # after the clock stopped

    return EpochTimer()


def train(api, workload, train_set, epochs, batch_size, seed):
    """(model, per-epoch seconds, BLAS pools seen during fit)."""
    x, y, onehot = train_set
    api.utils.set_random_seed(seed)
    model = keras_models.build(api, workload)
    timer = epoch_timer(api)
    model.fit(_common.shaped(x, workload), keras_models.labels(workload, y, onehot), epochs=epochs,
              batch_size=batch_size, verbose=0, callbacks=[timer])
    return model, timer.epoch_s, timer.blas


def predict(model, x, batch_size):
    return model.predict(x, batch_size=batch_size, verbose=0)


def run_training(api, args, train_set, test_set):
    model, epoch_s, blas = train(api, args.workload, train_set, args.epochs, args.batch_size, args.seed)
    x_test, y_test, _ = test_set
    probs = predict(model, _common.shaped(x_test, args.workload), 1024)
    return [_common.measure("train", epoch_s, _common.accuracy(probs, y_test))], blas


def run_inference(api, args, train_set, test_set):
    """W5: train each model briefly (so the accuracy means something), then time passes over
    the test images at batch 1024 and at batch 1."""
    x_test, y_test, _ = test_set
    measures, blas = [], None
    for workload, train_batch in W5_MODELS:
        model, _, blas = train(api, workload, train_set, args.epochs, train_batch, args.seed)
        x = _common.shaped(x_test, workload)
        for batch, passes in zip((1024, 1), args.passes):
            times, out = _common.timed_passes(lambda: predict(model, x, batch), passes)
            measures.append(_common.measure(f"{workload} model, batch {batch}", times,
                                            _common.accuracy(out, y_test), batch=batch, n=len(x)))
    return measures, blas


def main(api, framework, version, import_s, description, threads=None, **extra):
    """Run the workload named on the command line and print the result line.
    ``threads(n)`` limits the backend's threads (called before any op runs) and returns a report."""
    args = _common.parse_args(description)
    report = threads(args.threads) if threads else {"requested": args.threads}
    train_set, test_set, data_s = _common.load_mnist(args)
    run = run_inference if args.workload == "W5" else run_training
    measures, blas = run(api, args, train_set, test_set)
    report["blas_during_fit"] = blas
    _common.emit(args, framework, version, import_s, data_s, measures, report, **extra)
