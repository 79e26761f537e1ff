"""``Variable``: a trainable leaf tensor with Keras's ``numpy()`` / ``assign()`` API."""
import numpy as np

from deepbasics import backend
from deepbasics.autodiff.tensor import Tensor


class Variable(Tensor):
    """A weight: a leaf that requires a gradient (when trainable) and is updated in place.

    >>> import numpy as np, deepbasics
    >>> v = deepbasics.Variable(np.array([1.0, 2.0, -3.0]))
    >>> v.assign([0.0, 1.0, 2.0])
    >>> v.numpy()
    array([0., 1., 2.], dtype=float32)
    """

    __slots__ = ("trainable", "path", "constraint")

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None):
        if callable(initializer) and not isinstance(initializer, np.ndarray):
            if shape is None:
                raise ValueError("Variable(initializer=callable) needs `shape`.")
            value = initializer(tuple(shape), dtype=dtype or backend.floatx())
        else:
            value = initializer
        value = np.array(value, dtype=dtype or backend.floatx())  # always an owned copy
        if shape is not None and tuple(shape) != value.shape:
            raise ValueError(f"Variable: initial value has shape {value.shape}, expected {tuple(shape)}")
        super().__init__(value, requires_grad=trainable, name=name)
        self.trainable = trainable
        self.path = name
        self.constraint = None  # a function of the array, applied after each optimizer step

    def assign(self, value):
        """Write ``value`` into the variable in place (shape must match)."""
        value = np.asarray(getattr(value, "data", value))
        if value.shape != self.data.shape:
            raise ValueError(
                f"Cannot assign a value of shape {value.shape} to variable "
                f"{self.name!r} of shape {self.data.shape}."
            )
        self.data[...] = value

    def assign_add(self, value):
        self.data += np.asarray(getattr(value, "data", value), dtype=self.data.dtype)

    def assign_sub(self, value):
        self.data -= np.asarray(getattr(value, "data", value), dtype=self.data.dtype)

    @property
    def value(self):
        return self.data

    def __repr__(self):
        return f"<Variable path={self.name}, shape={self.shape}, dtype={self.dtype}, value={self.data}>"
