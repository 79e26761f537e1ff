"""Weights to load, collected and checked before anything is assigned.

A loader adds each group of (variable, dataset) pairs; shapes are compared on the datasets'
metadata, so a mismatch is found before any array is read. ``apply`` then reads every array
and only then assigns them all: a file that fails anywhere changes nothing.
"""
import warnings

import numpy as np


class WeightPlan:
    def __init__(self, reader, skip_mismatch=False):
        self.reader, self.skip_mismatch = reader, bool(skip_mismatch)
        self.pairs = []  # (variable, dataset)
        self.optimizer = None  # (optimizer, variables, datasets)

    def mismatch(self, problem):
        """A layer whose weights do not fit: skipped with a warning (skip_mismatch), else refused."""
        if self.skip_mismatch:
            warnings.warn(f"Skipping weights from {self.reader.path!r}: {problem}.", UserWarning, stacklevel=4)
            return
        self.reader.fail(f"{problem}. Nothing was loaded")

    def add(self, variables, datasets, wheres, what):
        """One layer's weights; ``wheres`` name the datasets ('layers/dense/vars/0')."""
        bad = [(w, ds.shape, v) for v, ds, w in zip(variables, datasets, wheres) if tuple(ds.shape) != v.shape]
        if bad:
            where, shape, var = bad[0]
            return self.mismatch(f"{where} has shape {tuple(shape)} in the file, but {what}'s weight {var.name!r} "
                                 f"has shape {var.shape}")
        self.pairs.extend(zip(variables, datasets))

    def add_optimizer(self, optimizer, variables, datasets, where):
        """The optimizer's saved state; one that does not fit is skipped with a warning (as Keras)."""
        expected = optimizer.get_state(variables)
        shapes = [tuple(ds.shape) for ds in datasets]
        head = 1 if callable(optimizer.learning_rate) else 2
        if len(shapes) == head and len(expected) > head and shapes == [e.shape for e in expected[:head]]:
            datasets = list(datasets) + expected[head:]  # saved before its first step: slots as built
        elif shapes != [e.shape for e in expected]:
            warnings.warn(f"The optimizer state in {self.reader.path!r} ({where}: {len(shapes)} arrays) does not fit "
                          f"this model's {type(optimizer).__name__} ({len(expected)} arrays): the optimizer starts "
                          "fresh.", UserWarning, stacklevel=4)
            return
        self.optimizer = (optimizer, variables, datasets)

    def apply(self):
        arrays = [self.reader.read(ds) for _, ds in self.pairs]
        state = None if self.optimizer is None else [
            ds if isinstance(ds, np.ndarray) else self.reader.read(ds) for ds in self.optimizer[2]]
        for (variable, _), array in zip(self.pairs, arrays):
            variable.assign(array.astype(variable.dtype, copy=False))
        if state is not None:
            optimizer, variables, _ = self.optimizer
            optimizer.set_state(state, variables)
        return len(self.pairs)
