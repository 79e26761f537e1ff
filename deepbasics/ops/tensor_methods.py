"""Give ``Tensor`` its operators (``x + y``, ``x @ w``, ``x.sum()``) from the ops floor."""
from deepbasics.autodiff import Tensor
from deepbasics.ops import functional as F


def _reverse(op):
    return lambda self, other: op(other, self)


def install():
    Tensor.__add__ = F.add
    Tensor.__radd__ = _reverse(F.add)
    Tensor.__sub__ = F.subtract
    Tensor.__rsub__ = _reverse(F.subtract)
    Tensor.__mul__ = F.multiply
    Tensor.__rmul__ = _reverse(F.multiply)
    Tensor.__truediv__ = F.divide
    Tensor.__rtruediv__ = _reverse(F.divide)
    Tensor.__neg__ = F.negative
    Tensor.__pow__ = F.power
    Tensor.__matmul__ = F.matmul
    Tensor.__rmatmul__ = _reverse(F.matmul)
    Tensor.__getitem__ = F.getitem
    Tensor.sum = F.sum
    Tensor.mean = F.mean
    Tensor.max = F.max
    Tensor.exp = F.exp
    Tensor.log = F.log
    Tensor.reshape = lambda self, *shape: F.reshape(self, shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape)
    Tensor.transpose = lambda self, *axes: F.transpose(self, axes or None)
    Tensor.T = property(lambda self: F.transpose(self))
