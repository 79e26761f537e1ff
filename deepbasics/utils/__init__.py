"""Floor 7: utilities under Keras's names."""
from deepbasics.utils import np_utils
from deepbasics.utils.categorical import normalize, to_categorical
from deepbasics.utils.seed import set_random_seed
from deepbasics.utils.sequence import PyDataset, Sequence

__all__ = ["PyDataset", "Sequence", "np_utils", "normalize", "plot_history", "set_random_seed", "to_categorical"]


def plot_history(history, path=None, metrics=None):
    """Draw a ``fit`` history's loss and metrics per epoch to a PNG; returns its path.

    A thin wrapper, so that ``import deepbasics`` never imports matplotlib: see
    ``deepbasics.utils.plotting.plot_history``.
    """
    from deepbasics.utils.plotting import plot_history as draw

    return draw(history, path=path, metrics=metrics)
