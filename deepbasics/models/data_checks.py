"""Checks of what the user hands to ``fit`` / ``evaluate`` / ``predict``, before any work.

Each error names the argument, what it got and what was expected.
"""
import numbers
import os
import sys
import warnings

import numpy as np


def user_stacklevel():
    """The ``stacklevel`` that points a warning at the first frame outside deepbasics."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package + os.sep):
        frame, level = frame.f_back, level + 1
    return level


def positive_int(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer, received {name}={value!r}")
    return int(value)


def as_array(name, value):
    """``value`` as a non-empty numeric array (a ragged list of arrays is an error, not objects)."""
    if value is None:
        raise ValueError(f"`{name}` is required, received None.")
    if isinstance(value, (list, tuple)) and len(value) and not np.isscalar(value[0]) and np.ndim(value[0]) > 0 and len({np.shape(v)[0] for v in value}) > 1:
        raise ValueError(f"`{name}` must be a single array for a Sequential model, received a list of arrays.")
    arr = np.asarray(getattr(value, "data", value))
    if arr.dtype == object:
        raise TypeError(f"`{name}` must be a numeric array, received an array of Python objects (ragged lists?).")
    if arr.ndim == 0 or arr.shape[0] == 0:
        raise ValueError(f"`{name}` is empty (shape {arr.shape}): expected at least one sample.")
    return arr


def inputs_as_float(name, x, floatx):
    if x.dtype.kind in "ui" and x.size and x.max() > 1:
        warnings.warn(
            f"`{name}` holds integers up to {int(x.max())} (dtype {x.dtype}): training on unscaled "
            f"pixel values is slow and unstable. Did you mean `{name} = {name}.astype('float32') / 255.0`?",
            UserWarning, stacklevel=user_stacklevel())
    if x.dtype.kind in "uib" or x.dtype != np.dtype(floatx) and x.dtype.kind == "f":
        x = x.astype(floatx)
    return x


def finite(name, arr):
    if arr.dtype.kind != "f":
        return
    bad = ~np.isfinite(arr)
    if bad.any():
        count = int(bad.sum())
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"`{name}` contains {count} NaN or infinite value(s); the first at index {first}. "
            "Clean or impute them before training.")


def same_length(x, y, what="x and y"):
    if len(x) != len(y):
        raise ValueError(
            f"{what} must have the same number of samples: x has {len(x)}, y has {len(y)}.")


def input_shape(x, expected, model_name):
    """``x.shape[1:]`` must match the model's declared input shape (None matches anything)."""
    got = tuple(x.shape[1:])
    want = tuple(expected[1:])
    if len(got) != len(want) or any(w is not None and g != w for g, w in zip(got, want)):
        hint = ""
        if len(got) > 1 and len(want) == 1 and int(np.prod(got)) == want[0]:
            hint = f" Flatten it first: x.reshape(len(x), {want[0]})."
        elif None not in want and len(want) > 1 and int(np.prod(got)) == int(np.prod(want)):
            hint = f" Reshape it first: x.reshape(len(x), {', '.join(str(w) for w in want)})."
        raise ValueError(
            f"Input of shape {x.shape} does not match model {model_name!r}: expected "
            f"(batch,) + {want}, received (batch,) + {got}.{hint}")


def labels_for_loss(loss, y, n_outputs):
    """Integer labels vs one-hot labels must match the loss; sparse labels must be in range."""
    name = getattr(loss, "name", "")
    sparse_y = y.ndim == 1 or (y.ndim == 2 and y.shape[-1] == 1)
    if name == "categorical_crossentropy" and n_outputs and n_outputs > 1:
        if sparse_y or y.shape[-1] != n_outputs:
            raise ValueError(
                f"categorical_crossentropy expects one-hot labels of shape (n, {n_outputs}), received "
                f"y of shape {y.shape}. Convert integer labels with "
                "`y = deepbasics.utils.to_categorical(y, num_classes)` or use "
                "loss='sparse_categorical_crossentropy'.")
    if name == "sparse_categorical_crossentropy" and n_outputs:
        if not sparse_y:
            raise ValueError(
                f"sparse_categorical_crossentropy expects integer labels of shape (n,), received y of "
                f"shape {y.shape} (one-hot?). Use loss='categorical_crossentropy' or pass "
                "`y.argmax(axis=-1)`.")
        if y.dtype.kind == "f" and np.any(y != np.round(y)):
            raise ValueError("sparse_categorical_crossentropy expects integer class labels; y holds fractions.")
        lo, hi = y.min(), y.max()
        if lo < 0 or hi >= n_outputs:
            bad = int(hi) if hi >= n_outputs else int(lo)
            raise ValueError(
                f"Received a label value of {bad} which is outside the valid range of [0, {n_outputs - 1}] "
                f"for a model with {n_outputs} output units.")
