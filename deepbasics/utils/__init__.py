"""Floor 7: utilities under Keras's names."""
from deepbasics.utils import np_utils
from deepbasics.utils.categorical import normalize, to_categorical
from deepbasics.utils.seed import set_random_seed

__all__ = ["np_utils", "normalize", "set_random_seed", "to_categorical"]
