"""Let ``import keras`` (and ``tensorflow.keras``) give deepbasics, so Keras scripts run unchanged.

Opt-in only: nothing happens until ``install()`` is called (``deepbasics run script.py`` calls
it for the script). After it, ``keras`` and every ``keras.x.y`` resolve to the very module
objects ``deepbasics`` and ``deepbasics.x.y``, registered in ``sys.modules`` under both names::

    >>> from deepbasics import keras_alias
    >>> keras_alias.install()
    >>> import keras.layers as L
    >>> import deepbasics.layers
    >>> L.Dense is deepbasics.layers.Dense
    True
    >>> keras_alias.uninstall()

How: a finder placed first on ``sys.meta_path`` answers only for the alias names. Its loader
imports ``deepbasics.x.y`` and hands back that module itself (``create_module``); ``exec_module``
runs nothing and puts back the module's own ``__spec__``, which the import system overwrote.
A ``keras.x`` without a ``deepbasics.x`` (``keras.applications``) raises ``ModuleNotFoundError``
saying so. ``tensorflow.keras`` needs a ``tensorflow`` package: when TensorFlow is not installed,
a stub stands in whose only content is ``keras``.
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import pkgutil
import sys
import types
import warnings

ALIASES = ("keras", "tensorflow.keras")
TARGET = "deepbasics"


class RealKerasImportedWarning(RuntimeWarning):
    """``install()`` found a real Keras already imported."""


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target
        self._target_spec = None

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self._target_spec = module.__spec__
        return module

    def exec_module(self, module):
        # The import system set module.__spec__ to the alias's spec; the module stays deepbasics'.
        module.__spec__ = self._target_spec


class _StubTensorflowLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return _StubTensorflow(spec.name)

    def exec_module(self, module):
        pass


class _StubTensorflow(types.ModuleType):
    """``tensorflow`` when TensorFlow is not installed: ``tf.keras`` is deepbasics, nothing else."""

    def __init__(self, name):
        super().__init__(name, "Stand-in for TensorFlow made by deepbasics.keras_alias: only "
                               "`tensorflow.keras` exists, and it is deepbasics.")
        self.__path__ = []

    def __getattr__(self, name):
        if name == "keras":
            return importlib.import_module("tensorflow.keras")
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"tensorflow.{name} is not available: TensorFlow is not installed, and deepbasics "
            f"stands in only for tensorflow.keras (its own modules), not for the rest of TensorFlow.")


class KerasAliasFinder(importlib.abc.MetaPathFinder):
    """Answers ``keras[.x.y]`` and ``tensorflow.keras[.x.y]`` with ``deepbasics[.x.y]``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "tensorflow":
            return self._tensorflow_spec()
        alias = _alias_of(fullname)
        if alias is None:
            return None
        real = TARGET + fullname[len(alias):]
        found = importlib.util.find_spec(real)  # imports the parent, which exists already
        if found is None:
            raise ModuleNotFoundError(_missing_message(fullname, real), name=fullname)
        return importlib.machinery.ModuleSpec(
            fullname, _AliasLoader(real), is_package=found.submodule_search_locations is not None)

    def _tensorflow_spec(self):
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, "find_spec") and finder.find_spec("tensorflow", None):
                return None  # a real TensorFlow is installed: let it load
        return importlib.machinery.ModuleSpec("tensorflow", _StubTensorflowLoader(), is_package=True)


_finder = None
_saved_modules = {}


def install():
    """Make ``import keras`` / ``import tensorflow.keras`` give deepbasics (until ``uninstall()``).

    Calling it twice changes nothing. When a real Keras is already imported, it warns
    (``RealKerasImportedWarning``) and sets it aside: new imports get deepbasics, objects that
    already hold the real Keras keep it. ``uninstall()`` puts it back.
    """
    global _finder
    if _finder is not None:
        return
    real = sorted(name for name, module in sys.modules.items()
                  if _alias_of(name) and not _is_ours(module))
    if real:
        where = getattr(sys.modules[real[0]], "__file__", None) or "?"
        warnings.warn(
            f"A real Keras is already imported ({real[0]} from {where}); from now on `import keras` "
            "gives deepbasics, but objects made with the real Keras keep using it.",
            RealKerasImportedWarning, stacklevel=2)
        _saved_modules.update((name, sys.modules.pop(name)) for name in real)
    _finder = KerasAliasFinder()
    sys.meta_path.insert(0, _finder)


def uninstall():
    """Undo ``install()``: drop the alias names from ``sys.modules``, restore any real Keras.

    The deepbasics modules themselves stay imported under their own names.
    """
    global _finder
    if _finder is None:
        return
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None
    for name in [n for n, m in sys.modules.items() if _alias_of(n) and _is_ours(m)]:
        del sys.modules[name]
    if isinstance(sys.modules.get("tensorflow"), _StubTensorflow):
        del sys.modules["tensorflow"]
    tensorflow = sys.modules.get("tensorflow")
    if tensorflow is not None and _is_ours(vars(tensorflow).get("keras")):
        delattr(tensorflow, "keras")  # a real TensorFlow: its `keras` attribute was set by the alias
    sys.modules.update(_saved_modules)
    _saved_modules.clear()


def is_installed():
    return _finder is not None


def _alias_of(name):
    """The alias prefix ``name`` starts with (``'keras'`` for ``'keras.layers'``), or None."""
    for alias in ALIASES:
        if name == alias or name.startswith(alias + "."):
            return alias
    return None


def _is_ours(module):
    name = getattr(module, "__name__", "")
    return isinstance(module, types.ModuleType) and (name == TARGET or name.startswith(TARGET + "."))


def _missing_message(fullname, real):
    parent, _, child = real.rpartition(".")
    package = sys.modules.get(parent)
    provided = sorted(info.name for info in pkgutil.iter_modules(getattr(package, "__path__", [])))
    listed = ", ".join(provided) if provided else "none"
    return (f"No module named {fullname!r}: `keras` here is deepbasics (deepbasics.keras_alias), "
            f"and deepbasics does not provide {real!r}. Modules it provides under {parent!r}: {listed}.")
