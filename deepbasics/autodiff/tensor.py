"""``Tensor``: an array, its gradient, and the ``Function`` that made it.

Arithmetic operators (``+``, ``@``, ``.sum()`` ...) are attached by ``deepbasics.ops`` so that
this floor never imports the floor above it (DeZero's ``setup_variable`` pattern).
"""
import numpy as np

from deepbasics import backend


class Tensor:
    """A node of the computation graph.

    ``data`` is a NumPy array; ``grad`` receives d(root)/d(data) after ``backward()`` for
    leaves that require a gradient; ``creator`` is the ``Function`` whose output this is
    (``None`` for leaves such as weights and inputs).

    >>> from deepbasics.autodiff import Tensor
    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([2., 4., 6.], dtype=float32)
    """

    __slots__ = ("data", "grad", "requires_grad", "creator", "name", "_keras_logits", "__weakref__")
    __array_priority__ = 100  # ndarray + Tensor calls Tensor.__radd__

    def __init__(self, data, requires_grad=False, creator=None, name=None, dtype=None):
        if type(data) is not np.ndarray or dtype is not None:  # not the hot path (an op's output)
            data = _as_data(data, dtype)
        self.data = data
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.creator = creator
        self.name = name
        self._keras_logits = None  # the logits a softmax/sigmoid output came from (fused losses)

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def size(self):
        return self.data.size

    def __len__(self):
        return len(self.data)

    def numpy(self):
        """The value as a NumPy array (the array itself, not a copy)."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self):
        return self.data.item()

    def detach(self):
        """The same data, cut from the graph."""
        return Tensor(self.data)

    def backward(self, grad=None):
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires grad."""
        _graph.backward(self, grad)

    def zero_grad(self):
        self.grad = None

    def __repr__(self):
        body = np.array2string(self.data, prefix="Tensor(")
        extra = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({body}, dtype={self.data.dtype}{extra})"


def _as_data(data, dtype):
    """Arrays keep their dtype (float64 for gradient checks, ints for labels); Python numbers
    and lists become floatx, like Keras."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.asarray(data, dtype=dtype)
    if isinstance(data, (np.ndarray, np.generic)):
        return np.asarray(data)
    arr = np.asarray(data)
    return arr.astype(backend.floatx()) if arr.dtype.kind in "fiub" else arr


from deepbasics.autodiff import graph as _graph  # noqa: E402 - graph needs nothing from here
