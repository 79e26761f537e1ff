"""Floor 3: one ``Function`` per operation, forward and backward side by side."""
from deepbasics.ops import tensor_methods as _tensor_methods
from deepbasics.ops.functional import *  # noqa: F401,F403
from deepbasics.ops.functional import abs, max, sum  # noqa: F401 - star import skips shadowing names

_tensor_methods.install()
