"""Label helpers: one-hot encoding and normalisation."""
import numpy as np

from deepbasics import backend


def to_categorical(y, num_classes=None, dtype="float32"):
    """Integer class labels -> one-hot rows (float32, as Keras 2's ``np_utils`` returned).

    >>> to_categorical([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
    """
    y = np.asarray(y)
    if y.dtype.kind == "f" and np.any(y != np.round(y)):
        raise ValueError("to_categorical expects integer class labels; `y` holds fractions.")
    y = y.astype(np.int64)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y.reshape(y.shape[:-1])
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical expects labels >= 0, received a label {int(y.min())}.")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    elif y.size and y.max() >= num_classes:
        raise ValueError(f"Received a label {int(y.max())} outside the range [0, {num_classes - 1}] "
                         f"for num_classes={num_classes}.")
    out = np.zeros(y.shape + (num_classes,), dtype=dtype)
    np.put_along_axis(out, y[..., None], 1, axis=-1)
    return out


def normalize(x, axis=-1, order=2):
    """``x`` divided by its L-``order`` norm along ``axis`` (zero rows stay zero)."""
    x = np.asarray(x, dtype=backend.floatx())
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    norm[norm == 0] = 1
    return x / norm
