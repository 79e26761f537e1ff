"""``Sequence`` (Keras 3: ``PyDataset``): a dataset you index by batch number."""


class Sequence:
    """Subclass it with ``__len__`` (batches per epoch) and ``__getitem__(i)`` -> ``(x, y)`` or
    ``(x, y, sample_weight)``; ``fit`` visits the batches in shuffled order each epoch and
    calls ``on_epoch_end`` after each.

    >>> import numpy as np
    >>> class Halves(Sequence):
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, i):
    ...         x = np.full((4, 3), i, "float32")
    ...         return x, x[:, :1]
    >>> len(Halves())
    2
    """

    def __len__(self):
        raise NotImplementedError

    def __getitem__(self, index):
        raise NotImplementedError

    def on_epoch_end(self):
        pass


PyDataset = Sequence
