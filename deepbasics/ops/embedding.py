"""Embedding lookup: rows of a table gathered by integer ids."""
import numpy as np

from deepbasics.autodiff import Function


class Embedding(Function):
    """y[..., :] = E[ids[...], :];  dL/dE = scatter-add of the rows of gy: dE[k] = sum_{ids = k} gy.

    ``ids`` is an integer array (no gradient); an id used twice receives both rows' gradients
    (``np.add.at``, which adds where fancy assignment would overwrite).
    """

    def forward(self, ids, table):
        self.save_for_backward(ids)
        self.table_shape = table.shape
        return table[ids]

    def backward(self, gy):
        (ids,) = self.saved
        if not self.needs_input_grad[1]:
            return None, None
        grad = np.zeros(self.table_shape, dtype=gy.dtype)
        np.add.at(grad, ids.reshape(-1), gy.reshape(-1, self.table_shape[1]))
        return None, grad
