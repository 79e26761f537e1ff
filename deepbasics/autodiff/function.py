"""``Function``: one differentiable operation, forward and backward on raw arrays."""
import itertools

from deepbasics.autodiff import mode
from deepbasics.autodiff.tensor import Tensor


_sequence = itertools.count()


class Function:
    """Base of every op. Subclasses write ``forward(*arrays)`` and ``backward(gy)``.

    ``backward`` returns one gradient per input, in order (``None`` where an input needs none:
    labels, or inputs with ``needs_input_grad[i]`` False). Gradients may have the broadcast
    shape: the engine sums them back to each input's shape once (``unbroadcast``).
    """

    __slots__ = ("inputs", "saved", "needs_input_grad", "seq", "__dict__")

    def __call__(self, *inputs):
        arrays, flags = [], []
        for x in inputs:  # a plain loop: two comprehensions cost two frames per op
            if isinstance(x, Tensor):
                arrays.append(x.data)
                flags.append(x.requires_grad)
            else:
                arrays.append(x)
                flags.append(False)
        needs = tuple(flags)
        record = mode.grad_enabled and True in needs
        self.needs_input_grad = needs if record else (False,) * len(inputs)
        self.saved = None
        out = self.forward(*arrays)
        if not record:
            self.saved = None  # inference keeps nothing alive
            return Tensor(out)
        self.inputs = inputs
        self.seq = next(_sequence)  # later than the functions that made its inputs
        return Tensor(out, requires_grad=True, creator=self)

    def save_for_backward(self, *arrays):
        self.saved = arrays

    def forward(self, *arrays):
        raise NotImplementedError

    def backward(self, gy):
        raise NotImplementedError
