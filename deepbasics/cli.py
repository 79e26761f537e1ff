"""The ``deepbasics`` command.

``deepbasics train``   trains the course network (784-64-10, SGD, MNIST) and saves its history
                       and curves in a run folder.
``deepbasics run``     runs a Keras script unchanged, with ``keras`` resolving to deepbasics.
``deepbasics lab``     lists, runs and reports the course's experiments (``deepbasics/lab/cli.py``).

Usage errors (``--epochs 0``, an unknown optimizer) are reported by argparse: one line naming
the argument and the value, exit status 2, before any data is loaded.
"""
import argparse
import contextlib
import runpy
import sys
import time
import warnings
from pathlib import Path

import deepbasics
from deepbasics import activations, keras_alias, optimizers
from deepbasics.callbacks import Callback
from deepbasics.datasets import mnist
from deepbasics.layers import Dense, Input
from deepbasics.models import Sequential
from deepbasics.utils import set_random_seed, to_categorical
from deepbasics.utils.files import write_json

PIXELS = 28 * 28
CLASSES = 10


def main(argv=None):
    """Run the command line ``argv`` (``sys.argv[1:]`` when None); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.handler(args)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="deepbasics", description="Deep learning from first principles, with Keras's API.")
    parser.add_argument("--version", action="version", version=f"deepbasics {deepbasics.__version__}")
    commands = parser.add_subparsers(title="commands", dest="command", required=True, metavar="COMMAND")
    _add_train(commands)
    _add_run(commands)
    _add_lab(commands)
    return parser


# -- argument types: a bad value is an argparse error (exit status 2) --------------------------
def _number(convert, accept, expected):
    """An argparse type: ``convert`` the text, then ``accept`` the value, else say what was expected."""
    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, received {text!r}") from None
        if not accept(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, received {value if convert is int else text}")
        return value

    return parse


def _registry_name(get):
    """An argparse type for a name that ``get`` resolves (its error lists the valid names)."""
    def parse(text):
        try:
            get(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
        return text

    return parse


positive_int = _number(int, lambda v: v > 0, "a positive integer")
positive_float = _number(float, lambda v: 0 < v < float("inf"), "a positive number")
fraction = _number(float, lambda v: 0.0 <= v < 1.0, "a number in [0, 1)")
seed_value = _number(int, lambda v: v >= 0, "a non-negative integer")
optimizer_name = _registry_name(optimizers.get)
activation_name = _registry_name(activations.get)


# -- deepbasics train ----------------------------------------------------------------------------
def _add_train(commands):
    p = commands.add_parser(
        "train", help="train the course network on MNIST",
        description="Train the course network (784 inputs, one hidden layer, 10 softmax outputs) "
                    "on MNIST, print the test accuracy, and save history.json and curves.png "
                    "in a run folder.")
    p.add_argument("--epochs", type=positive_int, default=5, help="passes over the training set (default: %(default)s)")
    p.add_argument("--batch-size", type=positive_int, default=32, help="samples per gradient step (default: %(default)s)")
    p.add_argument("--optimizer", type=optimizer_name, default="sgd",
                   help="any name deepbasics.optimizers.get accepts, case-insensitive (default: %(default)s)")
    p.add_argument("--learning-rate", type=positive_float, default=None,
                   help="step size; default: the optimizer's own (0.01 for SGD)")
    p.add_argument("--hidden-units", type=positive_int, default=64, help="units of the hidden layer (default: %(default)s)")
    p.add_argument("--activation", type=activation_name, default="relu",
                   help="activation of the hidden layer, a Keras name (default: %(default)s)")
    p.add_argument("--validation-split", type=fraction, default=0.0,
                   help="fraction of the training images (the last ones) held out for validation "
                        "(default: %(default)s)")
    p.add_argument("--seed", type=seed_value, default=0, help="seed for the weights and the shuffling (default: %(default)s)")
    p.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                   help="0 silent, 1 progress bar, 2 one line per epoch (default: %(default)s)")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: runs/mnist-<YYYYmmdd-HHMMSS>)")
    p.add_argument("--limit", type=positive_int, default=None, metavar="N",
                   help="use only the first N training and N test images (quick checks)")
    p.set_defaults(handler=train, parser=p)


class EpochTimer(Callback):
    """Seconds per epoch, validation included."""

    def __init__(self):
        super().__init__()
        self.seconds = []
        self._start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def train(args):
    out = args.out or Path("runs") / time.strftime("mnist-%Y%m%d-%H%M%S")
    _check_validation_split(args)
    if out.exists() and not out.is_dir():
        args.parser.error(f"argument --out: {out} exists and is not a folder")
    print(f"Output folder: {out}", flush=True)
    (x_train, y_train), (x_test, y_test) = _mnist(args.limit)
    set_random_seed(args.seed)
    model = course_model(args.hidden_units, args.activation)
    optimizer = optimizers.get(args.optimizer)
    if args.learning_rate is not None:
        optimizer.learning_rate = args.learning_rate
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
                        verbose=args.verbose, validation_split=args.validation_split, callbacks=[timer])
    test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=args.batch_size, verbose=0)
    print(f"Test accuracy: {test_accuracy:.4f} (test loss {test_loss:.4f}, {len(x_test)} images)")
    out.mkdir(parents=True, exist_ok=True)
    record = _record(args, out, model, history, timer, test_loss, test_accuracy, len(x_train))
    written = [write_json(out / "history.json", record)]
    written += _plot(history, out / "curves.png")
    print("Wrote " + ", ".join(str(path) for path in written))
    print(f"Output folder: {out}")
    return 0


def course_model(hidden_units=64, activation="relu"):
    """The course network: 784 -> hidden_units (activation) -> 10 (softmax)."""
    return Sequential([
        Input(shape=(PIXELS,)),
        Dense(hidden_units, activation=activation),
        Dense(CLASSES, activation="softmax"),
    ])


def _mnist(limit):
    """MNIST flattened to 784 floats in [0, 1] and one-hot labels; the first ``limit`` of each."""
    try:
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
    except mnist.MNISTUnavailableError as e:
        print(f"deepbasics train: {e}", file=sys.stderr)
        raise SystemExit(1) from None
    if limit is not None:
        x_train, y_train, x_test, y_test = x_train[:limit], y_train[:limit], x_test[:limit], y_test[:limit]
    return ((_pixels(x_train), to_categorical(y_train, CLASSES)),
            (_pixels(x_test), to_categorical(y_test, CLASSES)))


def _pixels(images):
    """uint8 images (n, 28, 28) -> float32 rows (n, 784) in [0, 1], as the course script does."""
    return images.reshape(len(images), PIXELS).astype("float32") / 255.0


def _check_validation_split(args):
    n = min(args.limit or 60000, 60000)
    if args.validation_split and int(n * (1.0 - args.validation_split)) in (0, n):
        args.parser.error(f"argument --validation-split: {args.validation_split} leaves no training "
                          f"or no validation images out of {n}")


def _record(args, out, model, history, timer, test_loss, test_accuracy, n_train):
    arguments = {key: value for key, value in vars(args).items() if key not in ("handler", "parser")}
    arguments["out"] = str(out)
    return {
        "history": history.history,
        "epoch": history.epoch,
        "params": history.params,
        "test": {"loss": test_loss, "accuracy": test_accuracy},
        "seconds_per_epoch": timer.seconds,
        "args": arguments,
        "train_samples": n_train,
        "model": {"layers": [PIXELS, args.hidden_units, CLASSES], "params": model.count_params()},
        "deepbasics_version": deepbasics.__version__,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _plot(history, path):
    from deepbasics.utils.plotting import PLOT_EXTRA, plot_history

    try:
        return [plot_history(history, path)]
    except ImportError:
        print(f"curves.png not written: matplotlib is not installed. Install the plot extra: {PLOT_EXTRA}")
        return []


# -- deepbasics run ------------------------------------------------------------------------------
def _add_run(commands):
    p = commands.add_parser(
        "run", help="run a Keras script unchanged, on deepbasics",
        description="Run a Python script as __main__ with `keras` (and `tensorflow.keras`) "
                    "resolving to deepbasics: keras.models is deepbasics.models, keras.utils.np_utils "
                    "is deepbasics.utils.np_utils, and so on. The script's arguments follow it.")
    p.add_argument("script", type=Path, help="the Python script to run")
    p.add_argument("script_args", nargs=argparse.REMAINDER, metavar="ARGS", help="arguments for the script")
    p.set_defaults(handler=run, parser=p)


def run(args):
    script = args.script
    if not script.is_file():
        args.parser.error(f"argument script: no such file: {script}")
    with _script_context(script, args.script_args):
        runpy.run_path(str(script), run_name="__main__")
    return 0


@contextlib.contextmanager
def _script_context(script, script_args):
    """sys.argv = [script, *args], the script's folder first on sys.path, the keras alias on."""
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [str(script)] + list(script_args)
    sys.path.insert(0, str(script.resolve().parent))
    real = [name for name in keras_alias.ALIASES if name in sys.modules]
    if real and not keras_alias.is_installed():
        where = getattr(sys.modules[real[0]], "__file__", None) or "?"
        print(f"deepbasics run: note: a real {real[0]} is already imported ({where}); "
              "the script's `import keras` gets deepbasics.", file=sys.stderr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", keras_alias.RealKerasImportedWarning)  # said just above
        keras_alias.install()
    try:
        yield
    finally:
        keras_alias.uninstall()
        sys.argv, sys.path[:] = saved_argv, saved_path


# -- deepbasics lab -------------------------------------------------------------------------------
def _add_lab(commands):
    from deepbasics.lab.cli import add_lab_commands  # imported here: it imports this module's types

    add_lab_commands(commands)


if __name__ == "__main__":
    sys.exit(main())
