"""What the experiments share: the MNIST subsets they train on, a figure, a clock, the
per-batch loss recorder, and the report's number format.

matplotlib is imported only when a figure is drawn, through its object-oriented API (``Figure``
and the Agg canvas): no pyplot, no window, no global backend switch.
"""
import functools
import math
import time

import numpy as np

from deepbasics.callbacks import Callback
from deepbasics.datasets import mnist
from deepbasics.utils.categorical import to_categorical
from deepbasics.utils.files import atomic_write

PLOT_EXTRA = "pip install 'deepbasics[plot]'"


@functools.lru_cache(maxsize=1)
def _mnist_raw():
    return mnist.load_data()


def mnist_subset(n_train=60000, n_test=10000, flat=True, one_hot=True):
    """The first ``n_train`` training and ``n_test`` test images as the course prepares them.

    Pixels float32 in [0, 1], shape (n, 784) when ``flat`` else (n, 28, 28, 1); labels one-hot
    float32 when ``one_hot`` else int64. Taking the first images (not a random draw) keeps every
    experiment's data the same whatever its seed.
    """
    (x_train, y_train), (x_test, y_test) = _mnist_raw()

    def pixels(images):
        shape = (len(images), 784) if flat else (len(images), 28, 28, 1)
        return images.reshape(shape).astype(np.float32) / np.float32(255.0)

    def labels(y):
        return to_categorical(y, 10) if one_hot else y.astype(np.int64)

    return (pixels(x_train[:n_train]), labels(y_train[:n_train]),
            pixels(x_test[:n_test]), labels(y_test[:n_test]))


def figure(nrows=1, ncols=1, panel_size=(4.8, 3.6), **subplot_kw):
    """A matplotlib ``Figure`` on the Agg canvas and its axes (always a 2-D array)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError(f"the lab's figures need matplotlib, which is not installed: {PLOT_EXTRA}") from e
    fig = Figure(figsize=(panel_size[0] * ncols, panel_size[1] * nrows))
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, subplot_kw=subplot_kw or None)
    return fig, axes


def save_figure(fig, path, dpi=100):
    """Lay out and write ``fig`` as a PNG at ``path`` (atomically); returns ``str(path)``."""
    fig.tight_layout()
    with atomic_write(path, "wb") as f:
        fig.savefig(f, format="png", dpi=dpi)
    return str(path)


class BatchLosses(Callback):
    """The loss of every training batch, recovered from the running mean that ``fit`` logs.

    Keras logs, after batch k of an epoch, the mean over the batches so far weighted by their
    sizes; a batch's own loss is the difference of two running sums over its size.
    """

    def __init__(self, n_samples, batch_size):
        super().__init__()
        self.n_samples, self.batch_size, self.losses = n_samples, batch_size, []

    def on_epoch_begin(self, epoch, logs=None):
        self.previous_sum, self.seen = 0.0, 0

    def on_train_batch_end(self, batch, logs=None):
        size = min(self.batch_size, self.n_samples - self.seen)
        self.seen += size
        running_sum = float(logs["loss"]) * self.seen
        self.losses.append((running_sum - self.previous_sum) / size)
        self.previous_sum = running_sum


class Clock:
    """Seconds since it was made (``time.perf_counter``); ``clock()`` reads it."""

    def __init__(self):
        self.start = time.perf_counter()

    def __call__(self):
        return time.perf_counter() - self.start


def format_number(value):
    """How the report prints a number: integers as they are, floats to 4 significant digits,
    NaN/None as "n/a". Notes that quote a result's number should format it with this, so that
    every number on the page can be found in results.json."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    return f"{float(value):.4g}"
