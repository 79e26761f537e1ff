"""The one error a bad model file raises, and the lazy import of h5py."""
import os


class ModelFileError(ValueError):
    """A model or weights file that cannot be loaded: the message names the file and the problem.

    Raised for every bad file (truncated, random bytes, unsafe content, an unknown class, a
    weight of the wrong shape), always before anything in a model has been changed.
    """

    def __init__(self, path, problem):
        self.path = None if path is None else os.fspath(path)
        self.problem = problem
        super().__init__(f"Cannot load {self.path!r}: {problem}")


def require_h5py(action):
    """h5py, or an ImportError naming the extra that installs it."""
    try:
        import h5py
    except ImportError:
        raise ImportError(f"{action} needs h5py, which is not installed. Install it with "
                          "pip install 'deepbasics[interop]' (or pip install h5py).") from None
    return h5py


def short(value, limit=120):
    """``repr(value)``, cut to ``limit`` characters (file content quoted in an error)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
