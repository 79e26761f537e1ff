"""``Function``: one differentiable operation, forward and backward on raw arrays."""
import numpy as np

from deepbasics.autodiff import mode
from deepbasics.autodiff.tensor import Tensor


class Function:
    """Base of every op. Subclasses write ``forward(*arrays)`` and ``backward(gy)``.

    ``backward`` returns one gradient per input, in order (``None`` where an input needs none:
    labels, or inputs with ``needs_input_grad[i]`` False). Gradients may have the broadcast
    shape: the engine sums them back to each input's shape once (``unbroadcast``).
    """

    __slots__ = ("inputs", "saved", "needs_input_grad", "__dict__")

    def __call__(self, *inputs):
        needs = tuple([getattr(x, "requires_grad", False) for x in inputs])
        arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
        record = mode.grad_enabled and True in needs
        self.needs_input_grad = needs if record else (False,) * len(inputs)
        out = self.forward(*arrays)
        if not record:
            self.saved = None  # inference keeps nothing alive
            return Tensor(out)
        self.inputs = inputs
        return Tensor(out, requires_grad=True, creator=self)

    def save_for_backward(self, *arrays):
        self.saved = arrays

    def forward(self, *arrays):
        raise NotImplementedError

    def backward(self, gy):
        raise NotImplementedError


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, back to ``shape``."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape) if grad.shape != shape else grad


def as_array(x, like):
    """A Python scalar or array as an array of ``like``'s float dtype (keeps float32 float32)."""
    if isinstance(x, np.ndarray):
        return x
    return np.asarray(x, dtype=like.dtype if like.dtype.kind == "f" else None)
