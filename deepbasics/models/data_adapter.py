"""Where ``fit`` gets its batches: arrays (sliced, shuffled per epoch) or a batch source
(a Python generator or iterator, or a ``utils.Sequence``) of ``(x, y)`` / ``(x, y, w)``."""
import math
import warnings

import numpy as np

from deepbasics import backend


def take(a, idx):
    """``a[idx]`` for one array, or for each array of a multi-input/output list
    (``take`` gathers shuffled rows a little faster than fancy indexing; the method skips
    ``np.take``'s Python wrapper)."""
    if isinstance(a, list):
        return [take(part, idx) for part in a]
    return a[idx] if isinstance(idx, slice) else a.take(idx, axis=0)


def count(a):
    return len(a[0]) if isinstance(a, list) else len(a)


class ArrayBatches:
    """Batches of in-memory arrays. ``shuffle``: True (a new permutation each epoch), False, or
    'batch' (batch-sized chunks in shuffled order). ``steps`` other than one pass wraps around.

    Pass ``k`` over the data is shuffled by ``backend.shuffle_rng(k)`` (pass k begins epoch k
    when an epoch is one pass): a run resumed at ``initial_epoch`` shuffles as the whole run did.
    """

    def __init__(self, x, y, w, batch_size, shuffle=True, steps=None):
        if shuffle not in (True, False, "batch"):
            raise ValueError(f"`shuffle` must be True, False or 'batch', received shuffle={shuffle!r}")
        self.x, self.y, self.w, self.batch_size, self.shuffle = x, y, w, batch_size, shuffle
        self.steps = steps or math.ceil(count(x) / batch_size)
        self._pending = iter(())
        self._passes = None  # how many passes were started (steps_per_epoch given)

    def _one_pass(self, index):
        n, bs = count(self.x), self.batch_size
        rng = backend.shuffle_rng(index)
        starts = range(0, n, bs)
        if self.shuffle == "batch":
            starts = rng.permutation(np.arange(0, n, bs))
        order = rng.permutation(n) if self.shuffle is True else None
        for start in starts:
            idx = slice(start, start + bs) if order is None else order[start:start + bs]
            yield take(self.x, idx), take(self.y, idx), None if self.w is None else self.w[idx]

    def epoch(self, index=0):
        """The batches of epoch ``index``."""
        if self.steps == math.ceil(count(self.x) / self.batch_size):
            yield from self._one_pass(index)
            return
        if self._passes is None:  # resuming at epoch k: as many passes as k epochs began
            self._passes = index * self.steps * self.batch_size // max(count(self.x), 1)
        for _ in range(self.steps):  # steps_per_epoch given: continue where the last epoch stopped
            batch = next(self._pending, None)
            if batch is None:
                self._pending = self._one_pass(self._passes)
                self._passes += 1
                batch = next(self._pending)
            yield batch


def is_batch_source(x):
    """A generator, an iterator, or a Sequence-like object (``__len__`` + ``__getitem__`` of batches)."""
    if isinstance(x, (np.ndarray, list, tuple, dict)) or hasattr(x, "__array__") or x is None:
        return False
    return hasattr(x, "__next__") or (hasattr(x, "__getitem__") and hasattr(x, "__len__"))


class SourceBatches:
    """Batches from a generator/iterator or a Sequence. ``prepare(x, y, w)`` checks each batch."""

    def __init__(self, source, steps, shuffle, prepare):
        self.source, self.prepare, self.shuffle = source, prepare, shuffle
        self.is_sequence = not hasattr(source, "__next__")
        if steps is None and self.is_sequence:
            steps = len(source)
        self.steps = steps  # None: until the generator runs out
        self._iterator = None if self.is_sequence else iter(source)

    def _raw(self, index):
        if self.is_sequence:
            order = backend.shuffle_rng(index).permutation(len(self.source)) if self.shuffle else range(len(self.source))
            for i in list(order)[: self.steps]:
                yield self.source[int(i)]
            if hasattr(self.source, "on_epoch_end"):
                self.source.on_epoch_end()
            return
        count = 0
        while self.steps is None or count < self.steps:
            try:
                batch = next(self._iterator)
            except StopIteration:
                if count == 0 or self.steps is not None:
                    warnings.warn("Your input ran out of data; interrupting training. Make sure that your "
                                  "dataset or generator can generate at least `steps_per_epoch * epochs` "
                                  "batches.", UserWarning, stacklevel=5)
                return
            count += 1
            yield batch

    def epoch(self, index=0):
        for batch in self._raw(index):
            if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
                raise ValueError("A batch source must yield tuples (x, y) or (x, y, sample_weight); "
                                 f"received {type(batch).__name__}.")
            yield self.prepare(*batch)


def class_weight_to_sample_weight(class_weight, y, sample_weight):
    """Each sample weighted by its class's weight (times its own ``sample_weight``, if any)."""
    if not isinstance(class_weight, dict):
        raise ValueError(f"`class_weight` must be a dict {{class index: weight}}, received {class_weight!r}")
    if y.ndim > 1 and y.shape[-1] > 1:
        labels = y.argmax(axis=-1)
    else:
        labels = np.rint(y.reshape(len(y), -1)[:, 0]).astype(np.int64)
    table = np.ones(max(int(labels.max()) + 1, max(class_weight) + 1), dtype=np.float32)
    for cls, weight in class_weight.items():
        table[int(cls)] = weight
    w = table[labels]
    return w if sample_weight is None else w * sample_weight
